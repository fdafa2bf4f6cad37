import path from "node:path";
import { SluiceError } from "../errors.js";
import { promote, release, rollback, type Promotion, type Refusal } from "../promote/promote.js";
import type { PromotionCommit } from "../promote/commit.js";
import { durationMs } from "../promote/duration.js";
import { EXIT, type PromotionFlags } from "./flags.js";
import { colors, type Io } from "./output.js";

/** `sluice release <app> <version>` and `sluice promote <app> [--to] [--version] [--force --reason]`. */
export async function promoteCommand(flags: PromotionFlags, io: Io): Promise<number> {
  if (flags.force && !flags.reason?.trim()) {
    throw new SluiceError("--force needs --reason.", [
      {
        code: "promote/force-without-reason",
        message: "a forced promotion must say why",
        hint: '--force --reason "hotfix for the outage, approved by …"',
      },
    ]);
  }
  const guard = flags.commit
    ? (await import("../promote/commit.js")).commitGuard(
        path.resolve(flags.root),
        { stacks: flags.stacks, out: flags.out },
        flags.rollbackWave !== undefined,
      )
    : undefined;
  const common = {
    root: flags.root,
    stacks: flags.stacks,
    out: flags.out,
    skipTypecheck: Boolean(flags.skipTypecheck),
    app: flags.app,
    ...(guard ? { beforeEdit: guard } : {}),
  };
  const result: Promotion | Refusal = flags.first
    ? await release({ ...common, version: flags.version! })
    : flags.rollbackWave !== undefined
      ? await rollback({ ...common, wave: flags.rollbackWave })
      : await promote({
          ...common,
          ...(flags.to !== undefined ? { to: flags.to } : {}),
          ...(flags.version !== undefined ? { version: flags.version } : {}),
          ...(flags.force ? { force: { reason: flags.reason!.trim() } } : {}),
        });
  const c = colors(io);
  let pullRequest: PromotionCommit | undefined;
  if (flags.commit && !("refused" in result)) {
    const { commitPromotion } = await import("../promote/commit.js");
    pullRequest = await commitPromotion(path.resolve(flags.root), path.resolve(flags.root, flags.out), result);
  }
  if (flags.format === "json") {
    io.stdout(
      `${JSON.stringify("refused" in result ? { ok: false, ...result } : { ok: true, ...result, ...(pullRequest ? { pullRequest } : {}) }, null, 2)}\n`,
    );
  } else if ("refused" in result) {
    io.stdout(`${c.yellow("refused")}: ${result.refused}\n  ${c.dim(`hint: ${result.hint}`)}\n`);
  } else {
    const step = result.rolledBackFrom
      ? `${result.to} back from ${result.rolledBackFrom}`
      : result.from
        ? `${result.from} → ${result.to}`
        : `${result.to}`;
    io.stdout(`${result.app} ${result.version}: ${step} (${result.file}:${result.line}); out/: ${result.write.written.length} written\n`);
    if (result.forced) {
      const soaking = result.gate && result.gate.soakedMs < durationMs(result.gate.soak);
      const past = [...(soaking ? [`the ${result.gate!.soak} soak`] : []), ...(result.frozen ? [`the freeze of ${result.to}`] : [])];
      io.stdout(`${c.yellow("forced")} past ${past.length > 0 ? past.join(" and ") : "the gates"}: ${result.forced}\n`);
    }
    if (pullRequest)
      io.stdout(
        `\nCommitted ${pullRequest.commit.slice(0, 7)} on branch ${pullRequest.branch} (push it: git push origin ${pullRequest.branch}). Pull request:\n\n# ${pullRequest.title}\n\n${pullRequest.body}\n`,
      );
  }
  return "refused" in result ? EXIT.found : EXIT.ok;
}

/** `sluice promote --all-ready`: one branch and commit per app whose next gate is open. */
export async function promoteAllReadyCommand(flags: Omit<PromotionFlags, "app">, io: Io): Promise<number> {
  const { promoteAllReady } = await import("../promote/all-ready.js");
  const result = await promoteAllReady({
    root: flags.root,
    stacks: flags.stacks,
    out: flags.out,
    skipTypecheck: Boolean(flags.skipTypecheck),
  });
  if (flags.format === "json") io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  else {
    for (const done of result.promoted) io.stdout(`${done.title}: branch ${done.branch} (${done.commit.slice(0, 7)})\n`);
    for (const failed of result.failed) io.stdout(`${failed.app}: refused: ${failed.refused}\n`);
    for (const open of result.skipped) io.stdout(`${open.app}: skipped: branch ${open.branch} exists already (an open promotion?)\n`);
    if (result.promoted.length + result.failed.length + result.skipped.length === 0) io.stdout("No promotion is ready.\n");
  }
  return result.failed.length > 0 ? EXIT.found : EXIT.ok;
}
