import fs from "node:fs";
import path from "node:path";
import { verify, type VerifyResult } from "../verify.js";
import { formatDiffMarkdown } from "../diff/format-markdown.js";
import { formatDiffText } from "../diff/format-text.js";
import { findingJson, formatDiagnosticGithub, formatFindingsGithub, formatFindingsText } from "../policy/format-findings.js";
import { forMachines } from "./diff-command.js";
import { formatDrift } from "./synth-command.js";
import { EXIT, partitionSpec, type PartitionFlags } from "./flags.js";
import { colors, diagnosticJson, formatDiagnosticLine, progressLine, type Io } from "./output.js";
import { tightenHeapWhenLarge } from "./heap.js";

export interface VerifyFlags extends PartitionFlags {
  readonly base?: string;
  readonly envRepo?: string;
  /** Where the diff goes as markdown (the pull request comment); without it, the diff is printed. */
  readonly diffFile?: string;
  readonly stacks: string;
  readonly out: string;
  readonly root: string;
  readonly skipTypecheck?: boolean;
  readonly cache: boolean;
  readonly format: "text" | "github" | "json";
}

/** What each part says, and whether it found something (exit 1), as its own command would. */
interface Parts {
  readonly check: boolean;
  readonly synth: boolean;
  readonly gates: boolean;
}

/**
 * `sluice verify [--base <ref>] [--diff-file <path>]`: check, `synth --check`,
 * and with a base gates and diff, from one compile. Prints each part as its
 * command does (`--format github`: findings and closed gates as annotations),
 * writes the diff as markdown to --diff-file, and exits 1 when any part
 * found something (an error finding, a stale env repo, a closed gate), 2
 * when the stacks do not compile.
 */
export async function verifyCommand(flags: VerifyFlags, io: Io): Promise<number> {
  const progress = progressLine(io);
  let result: VerifyResult;
  try {
    result = await verify({
      root: flags.root,
      stacks: flags.stacks,
      out: flags.out,
      cache: flags.cache,
      skipTypecheck: Boolean(flags.skipTypecheck),
      ...partitionSpec(flags),
      ...(flags.base !== undefined ? { base: flags.base } : {}),
      ...(flags.envRepo !== undefined ? { envRepo: flags.envRepo } : {}),
      onStage: (stage) => {
        tightenHeapWhenLarge();
        progress.update(`sluice verify: ${stage}…`);
      },
    });
  } finally {
    progress.done();
  }
  const out = flags.out.replace(/\/+$/, "");
  const { drift, problems } = result.synth;
  const outside = drift.outside ?? [];
  const differ = drift.stale.length + drift.missing.length + drift.extra.length + outside.length;
  const gates = result.gates;
  const found: Parts = {
    check: result.check.findings.some((finding) => finding.severity === "error"),
    synth: differ > 0 || problems.length > 0,
    gates: gates !== undefined && (gates.findings.length > 0 || gates.changes.some((change) => !change.allowed)),
  };
  if (flags.diffFile && result.diff) fs.writeFileSync(path.resolve(flags.root, flags.diffFile), formatDiffMarkdown(result.diff));

  if (flags.format === "json") {
    io.stdout(
      `${JSON.stringify(
        {
          ok: !found.check && !found.synth && !found.gates,
          check: { ok: !found.check, findings: result.check.findings.map(findingJson), waived: result.check.waived },
          synth: { ok: !found.synth, out, ...drift, outside, problems: problems.map(diagnosticJson) },
          ...(gates ? { gates: { ok: !found.gates, ...gates, findings: gates.findings.map(diagnosticJson) } } : {}),
          ...(result.diff ? { diff: forMachines(result.diff) } : {}),
          timings: Object.fromEntries(Object.entries(result.timings).map(([part, ms]) => [part, Math.round(ms)])),
        },
        null,
        2,
      )}\n`,
    );
    return exitOf(found);
  }

  const c = colors(io);
  const github = flags.format === "github";
  const diagnostic = (d: (typeof problems)[number]) =>
    github ? io.stdout(formatDiagnosticGithub(d)) : io.stderr(formatDiagnosticLine(d, io));
  io.stdout(`${c.bold("check")}\n`);
  io.stdout(
    github
      ? formatFindingsGithub(result.check.findings, result.check.waived)
      : formatFindingsText(result.check.findings, result.check.waived, c),
  );

  io.stdout(`\n${c.bold("synth --check")}\n`);
  for (const problem of problems) diagnostic(problem);
  if (differ === 0) io.stdout(`${out}/ is up to date with the stacks.\n`);
  else {
    io.stdout(formatDrift(drift, out, c));
    io.stdout(
      `${differ} file${differ === 1 ? "" : "s"} differ. Run \`sluice synth\` and commit ${[`${out}/`, ...outside].join(" and ")}.\n`,
    );
  }

  if (gates) {
    io.stdout(`\n${c.bold(`gates (base ${flags.base})`)}\n`);
    for (const change of gates.changes)
      io.stdout(
        `${change.allowed ? c.green("ok") : c.red("closed")}  ${change.app} ${change.wave}: ${change.from ?? "—"} → ${change.to}\n`,
      );
    for (const finding of gates.findings) diagnostic(finding);
    if (gates.changes.length === 0) io.stdout(`No release changes since ${flags.base}.\n`);
  }
  if (result.diff) {
    io.stdout(`\n${c.bold(`diff (base ${flags.base})`)}\n`);
    if (flags.diffFile) {
      const { added, changed, removed } = result.diff.totals;
      io.stdout(
        `${result.diff.same ? "No change to what any cluster runs." : `${added} added, ${changed} changed, ${removed} removed.`} The review is in ${flags.diffFile}.\n`,
      );
    } else io.stdout(formatDiffText(result.diff, io.color));
  }
  const failed = (Object.keys(found) as (keyof Parts)[]).filter((part) => found[part]);
  io.stdout(`\n${failed.length === 0 ? c.green("verified") : c.red(`found something: ${failed.join(", ")}`)}\n`);
  return exitOf(found);
}

function exitOf(found: Parts): number {
  return found.check || found.synth || found.gates ? EXIT.found : EXIT.ok;
}
