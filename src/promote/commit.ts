import path from "node:path";
import { isSluiceError, SluiceError } from "../errors.js";
import { checkBranchName } from "../git/branch-name.js";
import { GitRepo } from "../git/git.js";
import { formatDuration } from "./duration.js";
import type { Promotion } from "./promote.js";

/** What `--commit` made: the branch, its one commit, and the pull request to open. */
export interface PromotionCommit {
  readonly branch: string;
  readonly commit: string;
  readonly title: string;
  /** The production deployment record, as the pull request's body. */
  readonly body: string;
}

/**
 * Puts a promotion on a branch of its own, `promote/<app>/<wave>/<version>`,
 * as one commit holding the stack edit and the regenerated out/ files and
 * nothing else from the worktree, so that one `git revert` undoes it. The
 * message and the pull request body are the deployment record.
 */
export async function commitPromotion(root: string, outDir: string, promotion: Promotion): Promise<PromotionCommit> {
  const repo = await GitRepo.at(root);
  const source = (await repo.head()) ?? "(no commit yet)";
  const verb = promotion.rolledBackFrom ? "roll back" : promotion.from ? "promote" : "release";
  const title = promotion.rolledBackFrom
    ? `roll back ${promotion.app} in ${promotion.to} to ${promotion.version}`
    : `${verb} ${promotion.app} ${promotion.version} to ${promotion.to}`;
  const gate = promotion.gate
    ? `ran ${formatDuration(promotion.gate.soakedMs)} in ${promotion.from}${promotion.gate.since ? ` (since ${promotion.gate.since})` : ""}; the gate asks for ${promotion.gate.soak}${promotion.gate.commit ? `; counted from commit ${promotion.gate.commit}, which brought it onto the branch` : ""}`
    : "no soak gate";
  const body = [
    `${title}.`,
    "",
    `- App: ${promotion.app} (team ${promotion.team})`,
    `- Image: ${promotion.image}`,
    `- Wave: ${promotion.rolledBackFrom ? `${promotion.to}, back from ${promotion.rolledBackFrom}` : `${promotion.from ?? "—"} → ${promotion.to}`} (clusters: ${promotion.clusters.join(", ")})`,
    `- Source commit: ${source}`,
    `- Gate: ${gate}${promotion.forced ? `; FORCED by a person: ${promotion.forced}` : ""}`,
    ...(promotion.frozen
      ? [`- Freeze: ${promotion.frozen.wave} is frozen until ${promotion.frozen.until} (${frozenBy(promotion)}); forced through it`]
      : []),
    `- Approvers required: ${promotion.approvers.length > 0 ? promotion.approvers.join(" ") : "the team's code owners"}`,
    "- Checks: `npx sluice synth --check`, `npx sluice gates --base <target branch>`",
    `- Rollback: revert this commit (\`git revert\`), or \`npx sluice rollback ${promotion.app} --wave ${promotion.to}\``,
    "",
    `Sluice-App: ${promotion.app}`,
    `Sluice-Wave: ${promotion.to}`,
    `Sluice-Release: ${promotion.version}`,
    ...(promotion.forced ? [`Sluice-Forced: ${promotion.forced.replace(/\n/g, " ")}`] : []),
  ].join("\n");
  const branch = promotionBranch({ app: promotion.app, wave: promotion.to, version: promotion.version }, Boolean(promotion.rolledBackFrom));
  const relative = (file: string) => path.relative(repo.root, path.join(root, file)).split(path.sep).join("/");
  // What this synth wrote, and whatever else in out/ now differs from HEAD: another synth (a
  // `synth --watch` seeing the stack edit) may have written the same files first. The guard
  // made sure out/ matched HEAD before the edit, so all of it is this promotion's output.
  const written = [...promotion.write.written, ...promotion.write.deleted].map((file) =>
    relative(path.join(path.relative(root, outDir), file)),
  );
  const outFiles = [...new Set([...written, ...(await repo.dirty(relative(path.relative(root, outDir)))).map((file) => file.path)])].sort();
  const start = (await repo.branch()) ?? (await repo.head())!;
  const paths = [relative(promotion.file), ...outFiles];
  let commit: string;
  try {
    commit = await repo.commitOnNewBranch(branch, paths, `${title}\n\n${body}`);
  } catch (error) {
    // The guard made sure these paths matched HEAD before the edit: back to HEAD is back as they were.
    await repo.restore(paths);
    if (isSluiceError(error)) throw error;
    const reason = (error as Error).message.trim();
    throw new SluiceError(`git refused the promotion's commit; nothing was changed.`, [
      {
        code: "promote/commit-failed",
        message: `git commit on ${branch} failed: ${reason}`,
        hint: "fix what git says (a hook, signing, the identity), then run the command again",
      },
    ]);
  }
  // Back where it started, with the promotion on its branch only: `--commit` and
  // `--all-ready` leave the checkout alike, and the branch is pushed by name.
  await repo.switchTo(start);
  return { branch, commit, title, body };
}

/** The branch a promotion is committed on: promote/<app>/<wave>/<version>, or rollback/… */
export function promotionBranch(
  change: { readonly app: string; readonly wave: string; readonly version: string },
  rollback: boolean,
): string {
  return `${rollback ? "rollback" : "promote"}/${change.app}/${change.wave}/${change.version.replace(/[^A-Za-z0-9._-]/g, "-")}`;
}

/**
 * What `--commit` checks before the stack is edited, so that a refusal leaves
 * the worktree and the branch exactly as they were: the promotion's branch
 * must be a valid branch name and must not exist (an open promotion is never
 * overwritten), git must know who commits, and nothing the
 * synth reads or writes may differ from HEAD — a tracked file anywhere in the
 * project (a stack may import any of them), or an untracked file among the
 * stacks or in out/ — or the commit would carry output of changes nobody
 * committed.
 */
export function commitGuard(root: string, dirs: { readonly stacks: string; readonly out: string }, rollback: boolean) {
  return async (change: { readonly app: string; readonly wave: string; readonly version: string }): Promise<void> => {
    const repo = await GitRepo.at(root);
    const branch = promotionBranch(change, rollback);
    const problem = checkBranchName(branch);
    if (problem !== undefined) {
      throw new SluiceError(`${branch} is not a valid git branch name; nothing was changed.`, [
        {
          code: "promote/bad-branch-name",
          message: `${change.app} ${change.version} to ${change.wave} would be committed on branch ${branch}, which is not a valid git branch name: ${problem}`,
          hint: 'promote without --commit and commit the change by hand, or release a version whose tag git accepts in a branch name (no "..", no trailing ".", no part ending in ".lock")',
        },
      ]);
    }
    const identity = await repo.identityProblem();
    if (identity)
      throw new SluiceError(`${identity.message.split("\n")[0]!.replace(/\.$/, "")}; nothing was changed.`, identity.diagnostics);
    if (await repo.hasBranch(branch)) {
      throw new SluiceError(`Branch ${branch} exists already; nothing was changed.`, [
        {
          code: "promote/branch-exists",
          message: `${change.app} ${change.version} to ${change.wave} is on branch ${branch} already (an open promotion?)`,
          hint: "merge or close it, and delete the branch, before promoting again",
        },
      ]);
    }
    const inside = (file: string, dir: string) => {
      const relative = path.relative(path.resolve(root, dir), path.resolve(repo.root, file));
      return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
    };
    const dirty = (await repo.dirty(path.relative(repo.root, root) || ".")).filter(
      (file) => !file.untracked || inside(file.path, dirs.stacks) || inside(file.path, dirs.out),
    );
    if (dirty.length > 0) {
      throw new SluiceError("The worktree has uncommitted changes that a promotion commit would carry; nothing was changed.", [
        {
          code: "promote/dirty-worktree",
          message: `uncommitted: ${dirty
            .slice(0, 10)
            .map((file) => file.path)
            .join(", ")}${dirty.length > 10 ? ` and ${dirty.length - 10} more` : ""}`,
          hint: "commit or stash them first: --commit commits the release edit and its output only, and they must come from committed stacks",
        },
      ]);
    }
  };
}

/** The windows a forced promotion went through, as the deployment record names them. */
function frozenBy(promotion: Promotion): string {
  return promotion.frozen!.windows.map((w) => `"${w.reason}", ${w.declaredOn}, ${w.file}:${w.line}`).join("; ");
}
