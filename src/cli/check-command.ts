import { checkPolicy } from "../synth.js";
import { VERSION } from "../package-root.js";
import { findingJson, formatFindingsGithub, formatFindingsSarif, formatFindingsText } from "../policy/format-findings.js";
import type { CheckFlags } from "./flags.js";
import { EXIT, partitionSpec } from "./flags.js";
import { colors, progressLine, type Io } from "./output.js";
import { tightenHeapWhenLarge } from "./heap.js";

/** `sluice check`: every finding, in the format asked for; exit 1 when one is an error. */
export async function checkCommand(flags: CheckFlags & { readonly format: "text" | "json" | "github" | "sarif" }, io: Io): Promise<number> {
  const progress = progressLine(io);
  let result: Awaited<ReturnType<typeof checkPolicy>>;
  try {
    result = await checkPolicy({
      root: flags.root,
      stacks: flags.stacks,
      skipTypecheck: Boolean(flags.skipTypecheck),
      cache: flags.cache,
      ...partitionSpec(flags),
      onStage: (stage) => {
        tightenHeapWhenLarge();
        progress.update(`sluice check: ${stage}…`);
      },
    });
  } finally {
    progress.done();
  }
  const { findings, waived } = result;
  const failed = findings.some((finding) => finding.severity === "error");
  if (flags.format === "json") {
    const timings = Object.fromEntries(Object.entries(result.timings).map(([stage, ms]) => [stage, Math.round(ms)]));
    io.stdout(`${JSON.stringify({ ok: !failed, findings: findings.map(findingJson), waived, timings }, null, 2)}\n`);
  } else if (flags.format === "github") {
    io.stdout(formatFindingsGithub(findings, waived));
  } else if (flags.format === "sarif") {
    io.stdout(formatFindingsSarif(findings, result.rules, VERSION));
  } else {
    io.stdout(formatFindingsText(findings, waived, colors(io)));
  }
  return failed ? EXIT.found : EXIT.ok;
}
