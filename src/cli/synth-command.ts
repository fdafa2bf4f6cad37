import type { Drift } from "../env-repo/index.js";
import { synth } from "../synth.js";
import type { SynthFlags } from "./flags.js";
import { EXIT, partitionSpec } from "./flags.js";
import { colors, progressLine, type Io } from "./output.js";
import { findingJson, formatFindingsText } from "../policy/format-findings.js";
import { tightenHeapWhenLarge } from "./heap.js";

/** `sluice synth [--check]`. */
export async function synthCommand(flags: SynthFlags, io: Io): Promise<number> {
  const progress = progressLine(io);
  const c = colors(io);
  let result: Awaited<ReturnType<typeof synth>>;
  try {
    result = await synth({
      root: flags.root,
      stacks: flags.stacks,
      out: flags.out,
      check: Boolean(flags.check),
      skipTypecheck: Boolean(flags.skipTypecheck),
      ...partitionSpec(flags),
      onStage: (stage) => {
        tightenHeapWhenLarge();
        progress.update(`sluice synth: ${stage}…`);
      },
    });
  } finally {
    progress.done();
  }
  const out = flags.out.replace(/\/+$/, "");
  // Warnings do not stop synth, but they are said, on stderr, where a CI log shows them.
  if (flags.format !== "json" && result.findings.length > 0) io.stderr(formatFindingsText(result.findings, result.waived, c));
  const findings = result.findings.map(findingJson);
  // A partition's run speaks for its clusters' files alone: say which.
  const scope = result.clusters ? { clusters: result.clusters } : {};
  const only = result.clusters ? `; clusters ${result.clusters.join(", ") || "none"} only` : "";

  if (flags.check) {
    const drift = result.drift!;
    const outside = drift.outside ?? [];
    const count = drift.stale.length + drift.missing.length + drift.extra.length + outside.length;
    if (flags.format === "json") {
      io.stdout(`${JSON.stringify({ ok: count === 0, out, ...scope, ...drift, outside, findings }, null, 2)}\n`);
    } else if (count === 0) {
      io.stdout(`${out}/ is up to date with the stacks (${result.plan.files.length} files${only}).\n`);
    } else {
      io.stdout(formatDrift(drift, out, c));
      io.stdout(
        `\n${count} file${count === 1 ? "" : "s"} differ. Run \`sluice synth\` and commit ${[`${out}/`, ...outside].join(" and ")}.\n`,
      );
    }
    return count === 0 ? EXIT.ok : EXIT.found;
  }

  const write = result.write!;
  if (flags.format === "json") {
    io.stdout(
      `${JSON.stringify({ ok: true, out, ...scope, written: write.written, deleted: write.deleted, unchanged: write.unchanged, outside: write.outside ?? [], reuse: result.reuse, findings }, null, 2)}\n`,
    );
  } else if (write.written.length + write.deleted.length === 0) {
    for (const file of write.outside ?? []) io.stdout(`${file}: sluice's section written.\n`);
    io.stdout(`${out}/ is up to date (${result.plan.files.length} files${only}).\n`);
  } else {
    io.stdout(
      `${out}/: ${write.written.length} written, ${write.deleted.length} deleted, ${write.unchanged} unchanged ` +
        `(${result.instances.length} app instances on ${result.model.platform.clusters.length} clusters${only}).\n`,
    );
    for (const file of write.outside ?? []) io.stdout(`${file}: sluice's section written.\n`);
  }
  return EXIT.ok;
}

export function formatDrift(drift: Drift, out: string, c: ReturnType<typeof colors>): string {
  const lines = [
    ...drift.stale.map((f) => `${c.yellow("stale")}    ${out}/${f}`),
    ...drift.missing.map((f) => `${c.green("missing")}  ${out}/${f}`),
    ...drift.extra.map((f) => `${c.red("extra")}    ${out}/${f}`),
    ...(drift.outside ?? []).map((f) => `${c.yellow("stale")}    ${f} (the section between "# BEGIN sluice" and "# END sluice")`),
  ];
  return `${lines.join("\n")}\n`;
}
