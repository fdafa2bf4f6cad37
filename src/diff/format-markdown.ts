import { formatOrigin } from "../model/origin.js";
import { groupedNotes } from "./attention.js";
import type { ObjectChange } from "./changes.js";
import type { ClusterDiff, DiffResult } from "./diff.js";
import { showValue } from "./fields.js";
import { counts, fieldCount, notCompared, relaid } from "./format-text.js";

/** GitHub's limit for one comment. */
export const COMMENT_LIMIT = 65_536;
/** Marks sluice's comment, so that CI updates it in place instead of adding one per push. */
export const COMMENT_MARKER = "<!-- sluice-diff -->";

/** The marker of the comment for a partition ("2/4"), or of the whole diff: no marker is part of another. */
export function commentMarker(partition?: string): string {
  return partition === undefined ? COMMENT_MARKER : `<!-- sluice-diff ${partition} -->`;
}

const MARK = { added: "+", changed: "~", removed: "−" } as const;

/**
 * `sluice diff --format markdown`: one pull-request comment. A summary table
 * by wave and cluster and what needs attention come first and are always
 * kept; then one collapsible section per cluster. When the whole would pass
 * `limit`, the least important parts go first — YAML diffs outside
 * production, then all YAML diffs, then field lists, then object lists — and
 * the comment says what was left out and how to see it.
 */
export function formatDiffMarkdown(result: DiffResult, limit = COMMENT_LIMIT): string {
  const base = `\`${result.base.ref}\` (${result.base.commit.slice(0, 7)})`;
  const marker = commentMarker(result.partition?.label);
  // A partition's comment says which clusters it speaks for: each job of a matrix posts its own.
  const title = result.partition
    ? `sluice diff, partition ${result.partition.label} (${result.partition.clusters.map((c) => `\`${c}\``).join(", ") || "the env repo's own files"})`
    : "sluice diff";
  if (result.same) return `${marker}\n### ${title}\n\nNo changes: the stacks compile to what ${base} holds.${relaid(result)}\n`;
  const { added, changed, removed } = result.totals;
  const head: string[] = [
    marker,
    `### ${title}: ${counts(added, changed, removed)} on ${result.clusters.length} cluster${result.clusters.length === 1 ? "" : "s"}`,
    "",
    `Compared with ${base}.`,
    "",
    "| wave | cluster | changed | added | removed | |",
    "|---|---|--:|--:|--:|---|",
    ...result.clusters.map(
      (c) =>
        `| ${c.wave ?? "—"} | \`${c.name}\` | ${c.changed} | ${c.added} | ${c.removed} | ${[c.production ? "**production**" : "", c.prune ? "" : "prune off"].filter(Boolean).join(", ")} |`,
    ),
    "",
  ];
  if (result.attention.length > 0) {
    const notes = groupedNotes(result.attention);
    const shown = notes.slice(0, 40);
    head.push(
      "**Needs attention**",
      "",
      ...shown.map((n) => `- ${n.production ? "**production** " : ""}${n.kind}: ${escapeMarkdown(n.message)}`),
    );
    if (notes.length > shown.length) head.push(`- … and ${notes.length - shown.length} more (see \`sluice diff\`)`);
    head.push("");
  }
  const compared = result.files.filter((f) => f.skipped === undefined);
  if (compared.length > 0) head.push(`Env repo files: ${compared.map((f) => `${MARK[f.change]} \`${f.file}\``).join(", ")}`, "");
  // Kept with the summary: a reviewer must know what the comment could not show.
  const skipped = notCompared(result, 20);
  if (skipped.length > 0) head.push(`**${skipped[0]}**`, "", ...skipped.slice(1).map((line) => `- ${escapeMarkdown(line.trim())}`), "");

  const levels: Level[] = ["full", "prod-patches", "no-patches", "no-fields", "names"];
  for (const level of levels) {
    const body = result.clusters.map((cluster) => clusterSection(cluster, level));
    const note = cutNote(result, level);
    const text = [...head, ...body, ...(note ? [note] : [])].join("\n");
    if (text.length <= limit || level === "names") return fit(text, limit, result);
  }
  throw new Error("unreachable");
}

type Level = "full" | "prod-patches" | "no-patches" | "no-fields" | "names";

function clusterSection(cluster: ClusterDiff, level: Level): string {
  const title = `<details><summary><b>${cluster.name}</b> (wave ${cluster.wave ?? "—"}${cluster.production ? ", production" : ""}): ${counts(cluster.added, cluster.changed, cluster.removed)}</summary>`;
  const lines = [title, ""];
  const patches = level === "full" || (level === "prod-patches" && cluster.production);
  for (const change of cluster.objects) lines.push(...objectSection(change, level, patches));
  lines.push("</details>", "");
  return lines.join("\n");
}

function objectSection(change: ObjectChange, level: Level, patches: boolean): string[] {
  const where = change.origin ? ` — \`${formatOrigin(change.origin)}\`` : change.change === "removed" ? " — no longer in the stacks" : "";
  const madeBy = change.generatedBy ? ` (made by ${change.generatedBy})` : "";
  const lines = [
    `**${MARK[change.change]} ${change.kind} ${change.namespace ? `${change.namespace}/` : ""}${change.name}**${madeBy}${where}`,
  ];
  if (level !== "no-fields" && level !== "names") {
    for (const field of change.fields.slice(0, 15))
      lines.push(`- \`${field.path}\`: ${code(showValue(field.old))} → ${code(showValue(field.new))}`);
    const more = fieldCount(change) - Math.min(change.fields.length, 15);
    if (more > 0) lines.push(`- … and ${more.toLocaleString("en")} more fields`);
  }
  if (patches && change.patch) lines.push("", "```diff", change.patch.replace(/```/g, "ʼʼʼ"), "```");
  else if (patches && change.patchSkipped) lines.push("", `_YAML diff left out: ${change.patchSkipped}._`);
  lines.push("");
  return level === "names" ? [lines[0]!, ""] : lines;
}

function cutNote(result: DiffResult, level: Level): string | undefined {
  if (level === "full") return undefined;
  const all = result.clusters.flatMap((c) => c.objects);
  const outside = result.clusters.filter((c) => !c.production).flatMap((c) => c.objects);
  const what =
    level === "prod-patches"
      ? `the YAML diffs of ${outside.length} objects outside production`
      : level === "no-patches"
        ? `the YAML diffs of all ${all.length} objects`
        : level === "no-fields"
          ? `the YAML diffs and changed fields of all ${all.length} objects`
          : `everything but the object names`;
  return `> Cut to fit one comment: ${what}. Run \`npx sluice diff --base ${result.base.ref}\` to see all of it.\n`;
}

/** Last resort for a fleet-wide change: the names alone can still be too many. */
function fit(text: string, limit: number, result: DiffResult): string {
  if (text.length <= limit) return text;
  const note = `\n\n> Cut to fit one comment: the list stops here. Run \`npx sluice diff --base ${result.base.ref}\` to see all of it.\n`;
  const cut = text.slice(0, limit - note.length);
  return `${cut.slice(0, cut.lastIndexOf("\n"))}${note}`;
}

function code(value: string): string {
  return `\`${value.replace(/`/g, "ʼ")}\``;
}

function escapeMarkdown(text: string): string {
  return text.replace(/[<>|]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
