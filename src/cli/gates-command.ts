import { SluiceError } from "../errors.js";
import { gates } from "../promote/gates.js";
import { EXIT } from "./flags.js";
import { colors, diagnosticJson, formatDiagnosticLine, type Format, type Io } from "./output.js";

/**
 * `sluice gates --base <ref> [--force --reason]`: exit 1 whenever a gate is
 * closed, forced or not. A force (the flag, or a `Sluice-Forced` trailer in
 * the change) is reported with its reason, for the reviewers, but does not
 * turn the check green: anyone who can push a commit can write a trailer, so
 * passing a closed gate is left to the forge, where a person with the right
 * to merge past a failing required check decides.
 */
export async function gatesCommand(
  flags: { base: string; force?: boolean; reason?: string; stacks: string; root: string; format: Format },
  io: Io,
): Promise<number> {
  if (flags.force && !flags.reason?.trim()) {
    throw new SluiceError("--force needs --reason.", [
      {
        code: "gates/force-without-reason",
        message: "forcing the gates must say why",
        hint: '--force --reason "hotfix for the outage, approved by …"',
      },
    ]);
  }
  const result = await gates({
    root: flags.root,
    stacks: flags.stacks,
    base: flags.base,
    ...(flags.force ? { force: { reason: flags.reason!.trim() } } : {}),
  });
  const closed = result.findings.length > 0 || result.changes.some((change) => !change.allowed);
  if (flags.format === "json") {
    io.stdout(`${JSON.stringify({ ok: !closed, ...result, findings: result.findings.map(diagnosticJson) }, null, 2)}\n`);
  } else {
    const c = colors(io);
    for (const change of result.changes)
      io.stdout(
        `${change.allowed ? c.green("ok") : c.red("closed")}  ${change.app} ${change.wave}: ${change.from ?? "—"} → ${change.to}\n`,
      );
    for (const finding of result.findings) io.stderr(formatDiagnosticLine(finding, io));
    if (result.changes.length === 0) io.stdout(`No release changes since ${flags.base}.\n`);
    if (result.forced && result.findings.length > 0)
      io.stdout(
        `${c.yellow("forced")}: ${result.forced} (recorded; the gates stay closed, exit 1: merging past them is a person's call at the forge)\n`,
      );
  }
  return closed ? EXIT.found : EXIT.ok;
}
