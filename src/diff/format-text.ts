import pc from "picocolors";
import { formatOrigin } from "../model/origin.js";
import type { ObjectChange } from "./changes.js";
import type { DiffResult } from "./diff.js";
import { groupedNotes } from "./attention.js";
import { showValue } from "./fields.js";

type Colors = Pick<typeof pc, "bold" | "red" | "green" | "yellow" | "cyan" | "dim">;
const plain: Colors = { bold: String, red: String, green: String, yellow: String, cyan: String, dim: String } as unknown as Colors;

const MARK = { added: "+", changed: "~", removed: "-" } as const;

/** " (partition 2/4: dev-1, staging-1)", " (clusters dev-1)", or "" for the whole env repo. */
function partitionNote(partition: DiffResult["partition"]): string {
  if (!partition) return "";
  const clusters = partition.clusters.join(", ") || "none";
  return partition.label.includes("/") ? ` (partition ${partition.label}: ${clusters})` : ` (clusters ${clusters})`;
}

/**
 * `sluice diff` for a terminal: the summary by wave and cluster, what needs
 * attention, then each object's change — production's notes and clusters first.
 */
export function formatDiffText(result: DiffResult, color: boolean): string {
  const c = color ? pc : plain;
  const scope = partitionNote(result.partition);
  const base = `${result.base.ref} (${result.base.commit.slice(0, 7)})`;
  if (result.same) return `No changes${scope}: the stacks compile to what ${base} holds.${relaid(result)}\n`;
  const lines: string[] = [];
  const { added, changed, removed } = result.totals;
  lines.push(
    c.bold(
      `sluice diff against ${base}: ${counts(added, changed, removed)} on ${result.clusters.length} cluster${result.clusters.length === 1 ? "" : "s"}${scope}`,
    ),
    "",
  );
  let wave: string | undefined = "";
  for (const cluster of result.clusters) {
    if (cluster.wave !== wave) {
      wave = cluster.wave;
      lines.push(`  wave ${wave ?? "(no longer declared)"}`);
    }
    const tags = [cluster.production ? c.yellow("production") : "", cluster.prune ? "" : "prune off"].filter(Boolean).join(", ");
    lines.push(`    ${cluster.name.padEnd(20)} ${counts(cluster.added, cluster.changed, cluster.removed)}${tags ? `  (${tags})` : ""}`);
  }
  // Production first, as in the pull request comment: what a reviewer must not miss comes first.
  const productionFirst = <T extends { readonly production: boolean }>(list: readonly T[]) =>
    [...list].sort((a, b) => Number(b.production) - Number(a.production));
  if (result.attention.length > 0) {
    lines.push("", c.bold("Needs attention:"));
    for (const note of groupedNotes(result.attention))
      lines.push(`  ${c.yellow("!")} ${note.kind.padEnd(9)} ${note.production ? c.bold(note.message) : note.message}`);
  }
  for (const cluster of productionFirst(result.clusters)) {
    lines.push(
      "",
      c.bold(
        `${cluster.name}  (wave ${cluster.wave ?? "—"}${cluster.production ? ", production" : ""}${cluster.prune ? "" : ", prune off"})`,
      ),
    );
    for (const change of cluster.objects) lines.push(...objectLines(change, c));
  }
  const compared = result.files.filter((file) => file.skipped === undefined);
  if (compared.length > 0) {
    lines.push("", c.bold("Env repo files:"));
    for (const file of compared)
      lines.push(`  ${MARK[file.change]} ${file.file}${file.patchSkipped ? c.dim(`  (diff left out: ${file.patchSkipped})`) : ""}`);
  }
  const skipped = notCompared(result);
  if (skipped.length > 0) lines.push(...(lines.at(-1) === "" ? [] : [""]), c.bold(skipped[0]!), ...skipped.slice(1));
  return `${lines.join("\n")}\n`;
}

function objectLines(change: ObjectChange, c: Colors): string[] {
  const color = change.change === "added" ? c.green : change.change === "removed" ? c.red : c.yellow;
  const where = change.origin
    ? c.dim(`  ${formatOrigin(change.origin)}`)
    : change.change === "removed"
      ? c.dim("  (no longer in the stacks)")
      : "";
  const lines = [
    `  ${color(`${MARK[change.change]} ${change.kind} ${change.namespace ? `${change.namespace}/` : ""}${change.name}`)}${where}`,
  ];
  if (change.generatedBy) lines.push(c.dim(`      made by ${change.generatedBy}`));
  if (change.movedFrom) lines.push(c.dim(`      moved from ${change.movedFrom}`));
  for (const field of change.fields.slice(0, 20)) lines.push(`      ${field.path}: ${showValue(field.old)} → ${showValue(field.new)}`);
  const more = fieldCount(change) - Math.min(change.fields.length, 20);
  if (more > 0) lines.push(c.dim(`      … and ${more.toLocaleString("en")} more fields`));
  if (change.patchSkipped) lines.push(c.dim(`      (YAML diff left out: ${change.patchSkipped}; the fields above say what changed)`));
  for (const line of change.patch.split("\n")) {
    if (!line) continue;
    lines.push(
      `    ${line.startsWith("+") ? c.green(line) : line.startsWith("-") ? c.red(line) : line.startsWith("@@") ? c.cyan(line) : c.dim(line)}`,
    );
  }
  return lines;
}

/** How many fields of the object changed, listed or only counted. */
export function fieldCount(change: ObjectChange): number {
  return change.fields.length + (change.moreFields ?? 0);
}

/**
 * The files diff could not compare (binary, too large, not YAML, an alias
 * bomb), each with why: a heading line, then one line per file. Every format
 * says so, so that a reviewer knows the diff is not the whole story.
 */
export function notCompared(result: DiffResult, max = Infinity): string[] {
  const skipped = result.files.filter((file) => file.skipped !== undefined);
  if (skipped.length === 0) return [];
  const lines = [
    `Not compared (${skipped.length} file${skipped.length === 1 ? "" : "s"}; check ${skipped.length === 1 ? "it" : "them"} with git diff):`,
  ];
  for (const file of skipped.slice(0, max)) lines.push(`  ${MARK[file.change]} ${file.file}: ${file.skipped}`);
  if (skipped.length > max) lines.push(`  … and ${skipped.length - max} more`);
  return lines;
}

/** A note on files that differ in layout alone (objects moved between files), which `sluice synth` rewrites. */
export function relaid(result: DiffResult): string {
  const n = result.relaid.length;
  return n === 0
    ? ""
    : ` ${n} file${n === 1 ? " is" : "s are"} laid out differently (the same objects, moved between files); \`sluice synth\` rewrites ${n === 1 ? "it" : "them"}.`;
}

export function counts(added: number, changed: number, removed: number): string {
  const parts = [changed ? `${changed} changed` : "", added ? `${added} added` : "", removed ? `${removed} removed` : ""].filter(Boolean);
  return parts.join(", ") || "no object changes";
}
