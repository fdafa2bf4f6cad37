import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { publish } from "../publish/publish.js";
import type { PublishFlags } from "./flags.js";
import { EXIT } from "./flags.js";
import type { Io } from "./output.js";

/**
 * `sluice publish --env-repo <path-or-url> [--branch <b>] [--pull-request [<branch>]] [--push]`.
 * Exit 0 when published, when there was nothing to publish, and when a newer
 * source's publish already holds this one (two CI jobs racing: the later one
 * is not a failure); 2 when refused (uncommitted changes, a source that would
 * undo a published one, a branch that exists).
 */
export async function publishCommand(options: PublishFlags, io: Io): Promise<number> {
  const pullRequestBranch =
    options.pullRequest === undefined || options.pullRequest === false
      ? undefined
      : options.pullRequest === true
        ? await defaultBranch(options.root)
        : options.pullRequest;
  const result = await publish({
    envRepo: options.envRepo,
    root: options.root,
    stacks: options.stacks,
    skipTypecheck: Boolean(options.skipTypecheck),
    push: Boolean(options.push),
    ...(options.branch !== undefined ? { branch: options.branch } : {}),
    ...(pullRequestBranch ? { pullRequestBranch } : {}),
  });
  if (options.format === "json") {
    io.stdout(`${JSON.stringify(result, null, 2)}\n`);
    return EXIT.ok;
  }
  const target = result.into ?? result.branch;
  if (result.supersededBy) {
    io.stdout(
      `Not published: superseded by ${result.supersededBy}. ${target} was published from that source commit, which already contains this one; publishing this one would undo it. To go back, revert in the stacks and publish the revert.\n`,
    );
  } else if (!result.commit) {
    io.stdout(`${options.envRepo} (${target}) already holds this output; nothing to publish.\n`);
  } else {
    const files = `${result.changed.length} file${result.changed.length === 1 ? "" : "s"}`;
    const verb = result.pushed ? "Pushed" : result.into && options.push ? "Already pushed" : "Committed (not pushed)";
    io.stdout(
      `${verb} ${result.commit.slice(0, 7)} to ${result.branch}: ${files}${result.attempts > 1 ? ` after ${result.attempts} attempts` : ""}.\n`,
    );
    if (result.into && (result.pushed || options.push)) {
      io.stdout(
        `Open a pull request from ${result.branch} into ${result.into}, e.g. \`gh pr create --base ${result.into} --head ${result.branch}\` or \`glab mr create --target-branch ${result.into} --source-branch ${result.branch}\` in a clone of the env repo.\n`,
      );
    }
  }
  return EXIT.ok;
}

/** `sluice/publish-<12 hex of the source commit>`: one branch per source commit. */
async function defaultBranch(root: string): Promise<string> {
  // Without a commit, publish itself refuses, and says why.
  const { stdout } = await promisify(execFile)("git", ["rev-parse", "--short=12", "HEAD"], { cwd: path.resolve(root) }).catch(() => ({
    stdout: "",
  }));
  return `sluice/publish-${stdout.trim() || "head"}`;
}
