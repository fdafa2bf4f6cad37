import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { SluiceError } from "../errors.js";
import { branchName } from "../git/branch-name.js";
import { childOrigin } from "../model/origin.js";
import { pinpoint } from "../locate/index.js";
import { LOCK_PATH, type PlannedFile } from "../model/plan.js";
import { readOwned } from "../env-repo/index.js";
import { plan, type PlanOptions } from "../synth.js";
import { envRepoLocation } from "./env-repo-location.js";
import { publishedSources, standing, uncommittedFiles } from "./source-checks.js";

const run = promisify(execFile);

export interface PublishOptions extends PlanOptions {
  /** The env repo: a URL or a path git can clone (a bare repository, a checkout); a relative path is relative to the root. */
  readonly envRepo: string;
  /** The branch to publish to. Default: the platform's envRepo.revision. */
  readonly branch?: string;
  /**
   * Push to this branch instead of `branch`, for a pull request into it: the
   * commit is made on top of `branch` and checked against what `branch`
   * was published from, so a protected branch gets the change only through
   * review. The branch must not exist yet (or already hold exactly this commit's tree).
   */
  readonly pullRequestBranch?: string;
  /** Push the commit. Default false: commit in a temporary clone and report. */
  readonly push?: boolean;
  /** Attempts at a push that is rejected because the branch moved. Default 5. */
  readonly attempts?: number;
  /** Called before each push, e.g. to log; the push happens after it resolves. */
  readonly beforePush?: (attempt: number) => Promise<void>;
}

export interface PublishResult {
  /** The branch the commit went to (the pull request's branch, in that mode). */
  readonly branch: string;
  /** Set in pull request mode: the branch the pull request goes into. */
  readonly into?: string;
  /** The commit made, or undefined when nothing was published (the env repo already held this output, or it was superseded). */
  readonly commit?: string;
  /** Files added, changed or deleted, relative to the env repo's root. */
  readonly changed: readonly string[];
  readonly pushed: boolean;
  /** Push attempts made: more than one when another publish landed first. */
  readonly attempts: number;
  /** Set when the branch was already published from a newer source commit that includes this one: nothing was published. */
  readonly supersededBy?: string;
}

/**
 * `sluice publish`: writes the compiled env repo into a separate env
 * repository, for teams that keep it apart from the stacks. It publishes
 * only what is committed: a project root that differs from HEAD is refused,
 * since the output would go out under HEAD's name. In a fresh clone of the
 * branch it replaces exactly the files sluice owns (by the lock at the env
 * repo's path), leaves every other file alone, and commits only when
 * something changed, with trailers that lead an auditor back to the reviewed
 * source commit. Before writing, it reads every `Source-Commit` trailer in
 * the branch's history (not only the tip's: a hand-made commit on top must
 * not hide them): a source that one of them contains is superseded and
 * publishes nothing; a source that does not contain all of them is refused,
 * so no published change is ever undone. A push the remote rejects because
 * the branch moved is fetched, checked and applied again and retried, a
 * bounded number of times; it is never forced. A branch named `<name>-next`
 * also gets a root `hydrator.metadata` file, the one GitOps Promoter reads:
 * GitOps-Promoter-compatible, not Source Hydrator output (Argo CD's hydrator
 * also writes one, and a README, into every hydrated path). Commits are
 * signed when git is set up to sign (commit.gpgsign).
 */
export async function publish(options: PublishOptions): Promise<PublishResult> {
  const root = path.resolve(options.root ?? ".");
  // Branch names are checked before anything else, and reach git only as names, never as options.
  const asked = options.branch !== undefined ? branchName(options.branch, "--branch") : undefined;
  const pullRequestBranch = options.pullRequestBranch !== undefined ? branchName(options.pullRequestBranch, "--pull-request") : undefined;
  const source = await sourceInfo(root);
  await refuseUncommitted(root, source.commit);
  const envRepo = envRepoLocation(options.envRepo, root);
  const { model, plan: files } = await plan({ ...options, root });
  const target =
    asked ??
    branchName(
      model.platform.envRepo.revision,
      "the platform's envRepo.revision",
      pinpoint(root, childOrigin(model.platform.origin, "envRepo", "revision")),
    );
  const into = pullRequestBranch !== undefined ? target : undefined;
  const branch = pullRequestBranch ?? target;
  if (pullRequestBranch === target) {
    throw failure(
      `--pull-request ${options.pullRequestBranch} is the branch the pull request would go into`,
      "publish/pull-request-branch",
      "name a branch of its own, or pass --pull-request alone for sluice/publish-<source commit>",
    );
  }
  const hydrator = target.endsWith("-next");
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-publish-"));
  try {
    const git = (...args: string[]) => gitIn(work, args);
    await git("clone", "--quiet", "--no-checkout", "--end-of-options", envRepo, ".").catch((error: Error) => {
      throw failure(`cannot clone the env repo ${envRepo}`, "publish/clone", error.message);
    });
    const attempts = into !== undefined ? 1 : (options.attempts ?? 5);
    for (let attempt = 1; ; attempt++) {
      await checkoutBranch(git, target);
      const found = await standing(
        root,
        source.commit,
        await publishedSources(work, [model.platform.envRepo.path, ...(hydrator ? ["hydrator.metadata"] : [])]),
      );
      if (found.kind === "superseded")
        return { branch, ...(into ? { into } : {}), changed: [], pushed: false, attempts: attempt - 1, supersededBy: found.by };
      if (found.kind === "diverged") {
        throw failure(
          `${target} was published from ${found.published}, which is not in the history of ${source.commit}: publishing would undo it`,
          "publish/diverged",
          "publish from a checkout of the stacks that contains that commit (fetch and merge first); to go back, revert in the stacks and publish the revert — sluice never drops a published change",
        );
      }
      if (found.kind === "unknown") {
        throw failure(
          `${target} was published from ${found.published}, which this checkout of the stacks does not have: sluice cannot tell whether publishing would undo it`,
          "publish/unknown-source",
          "fetch the stacks' full history first (in CI: a clone that is not shallow, e.g. actions/checkout with fetch-depth: 0)",
        );
      }
      apply(work, model.platform.envRepo.path, files.files, hydrator ? source : undefined);
      await git("add", "-A", "--", ".");
      const staged = (await git("diff", "--cached", "--name-only")).split("\n").filter(Boolean);
      if (staged.length === 0) return { branch, ...(into ? { into } : {}), changed: [], pushed: false, attempts: attempt - 1 };
      await git(...identity(await git("config", "user.email").catch(() => "")), "commit", "--quiet", "-m", message(source));
      const commit = (await git("rev-parse", "HEAD")).trim();
      if (into !== undefined) {
        const existing = await pullRequestBranchHolds(git, branch);
        if (existing) return { branch, into, commit: existing, changed: staged, pushed: false, attempts: 0 };
      }
      if (!options.push) return { branch, ...(into ? { into } : {}), commit, changed: staged, pushed: false, attempts: 0 };
      await options.beforePush?.(attempt);
      try {
        await git("push", "--quiet", "origin", `HEAD:refs/heads/${branch}`);
        return { branch, ...(into ? { into } : {}), commit, changed: staged, pushed: true, attempts: attempt };
      } catch (error) {
        if (attempt >= attempts)
          throw failure(
            `the push to ${branch} was rejected${attempts > 1 ? ` ${attempts} times` : ""}`,
            "publish/push-rejected",
            (error as Error).message,
          );
        // The branch moved: start again from where it is now.
        await git("fetch", "--quiet", "origin");
      }
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Refuses a project root that differs from its HEAD, naming the files. */
async function refuseUncommitted(root: string, head: string): Promise<void> {
  const files = await uncommittedFiles(root);
  if (files.length === 0) return;
  const shown = files.slice(0, 10).join(", ") + (files.length > 10 ? `, and ${files.length - 10} more` : "");
  throw failure(
    `the project has changes that are not committed (${shown}): publishing would send them out under ${head.slice(0, 12)}, which does not hold them`,
    "publish/uncommitted",
    "commit them (and publish that commit), or stash them; sluice publishes only what a commit holds",
  );
}

/**
 * In pull request mode, a branch of that name on the remote: its commit when
 * it holds exactly the tree just committed (a job run again), a refusal when
 * it holds something else (it may be an open pull request: never overwritten).
 */
async function pullRequestBranchHolds(git: (...args: string[]) => Promise<string>, branch: string): Promise<string | undefined> {
  if (!(await git("branch", "-r", "--list", `origin/${branch}`)).trim()) return undefined;
  const [theirs, ours] = await Promise.all([git("rev-parse", `origin/${branch}^{tree}`), git("rev-parse", "HEAD^{tree}")]);
  if (theirs.trim() === ours.trim()) return (await git("rev-parse", `origin/${branch}`)).trim();
  throw failure(
    `branch ${branch} exists in the env repo with other content`,
    "publish/branch-exists",
    "a pull request from it may be open: merge or close it and delete the branch, or name another with --pull-request <branch>; sluice never overwrites a branch",
  );
}

/** The clone's branch as the remote has it, or a new one (from the default branch, or empty). */
async function checkoutBranch(git: (...args: string[]) => Promise<string>, branch: string): Promise<void> {
  const remote = (await git("branch", "-r", "--list", `origin/${branch}`)).trim();
  if (remote) {
    await git("checkout", "--quiet", "-B", branch, `origin/${branch}`);
    await git("reset", "--quiet", "--hard", `origin/${branch}`);
  } else if ((await git("branch", "-r")).trim()) {
    await git("checkout", "--quiet", "-B", branch, "origin/HEAD").catch(() => git("checkout", "--quiet", "--orphan", branch));
  } else {
    await git("checkout", "--quiet", "--orphan", branch);
  }
  await git("clean", "--quiet", "-fdx");
}

/**
 * Makes the env repo's directory `dir` (envRepo.path, relative to the clone
 * `work`) hold the plan: writes every planned file, deletes the files the
 * previous lock owned that the plan dropped, and leaves every other file as
 * it is. A planned path taken by a file sluice does not own is refused, and
 * so is a symlink at any path written or deleted or on the way to it, dangling
 * or not: the env repo's tree is input, and a symlink in it could lead a
 * write or a delete outside the clone.
 */
function apply(work: string, dir: string, files: readonly PlannedFile[], hydrator: SourceInfo | undefined): void {
  const inRepo = (file: string) => (dir ? `${dir}/${file}` : file);
  const reach = reacher(work);
  reach(inRepo(LOCK_PATH));
  const owned = readOwned(path.join(work, dir), `the env repo's ${dir ? `${dir}/` : ""}`);
  const planned = new Set(files.map((f) => f.path));
  for (const file of files) {
    const target = reach(inRepo(file.path));
    const exists = target.stat !== undefined;
    // The lock does not list itself; readOwned has already refused one that is not sluice's.
    if (exists && !owned.has(file.path) && file.path !== LOCK_PATH) {
      throw failure(
        `${inRepo(file.path)} in the env repo is not sluice's`,
        "publish/foreign-file",
        "it is not in the env repo's .sluice/lock.json; move it, or remove it, and publish again",
      );
    }
    if (exists && fs.readFileSync(target.full, "utf8") === file.content) continue;
    fs.mkdirSync(path.dirname(target.full), { recursive: true });
    fs.writeFileSync(target.full, file.content);
  }
  for (const file of owned.keys()) {
    if (planned.has(file)) continue;
    const target = reach(inRepo(file));
    if (target.stat) fs.rmSync(target.full);
  }
  if (hydrator) {
    const source = hydrator;
    const metadata = {
      repoURL: source.repo,
      drySha: source.commit,
      author: source.author,
      date: source.date,
      subject: source.subject,
      body: source.body,
    };
    fs.writeFileSync(reach("hydrator.metadata").full, `${JSON.stringify(metadata, null, 2)}\n`);
  }
}

/**
 * Looks up a file of the clone (a relative path with forward slashes) without
 * following a symlink: refuses one at the file or at any directory on the way,
 * and anything else that is not a directory on the way or a regular file at
 * the end. The directories already walked are remembered: a plan has
 * thousands of files in a few directories.
 */
function reacher(work: string): (file: string) => { full: string; stat: fs.Stats | undefined } {
  const directories = new Set<string>();
  return (file) => {
    const segments = file.split("/");
    let current = work;
    for (const [index, segment] of segments.entries()) {
      current = path.join(current, segment);
      const last = index === segments.length - 1;
      if (!last && directories.has(current)) continue;
      const stat = fs.lstatSync(current, { throwIfNoEntry: false });
      const shown = segments.slice(0, index + 1).join("/");
      if (stat?.isSymbolicLink())
        throw failure(
          `${shown} in the env repo is a symlink`,
          "publish/symlink",
          "sluice never writes through a symlink: replace it with a directory or file, or remove it, and publish again",
        );
      if (!stat) return { full: path.join(work, ...segments), stat: undefined };
      if (last) {
        if (!stat.isFile())
          throw failure(
            `${shown} in the env repo is not a regular file`,
            "publish/foreign-file",
            "sluice writes files there: move it, or remove it, and publish again",
          );
        return { full: current, stat };
      }
      if (!stat.isDirectory())
        throw failure(
          `${shown} in the env repo is not a directory`,
          "publish/foreign-file",
          "sluice writes files below it: move it, or remove it, and publish again",
        );
      directories.add(current);
    }
    return { full: current, stat: undefined };
  };
}

interface SourceInfo {
  readonly repo: string;
  readonly commit: string;
  readonly author: string;
  readonly date: string;
  readonly subject: string;
  readonly body: string;
}

async function sourceInfo(root: string): Promise<SourceInfo> {
  const git = (...args: string[]) => gitIn(root, args);
  try {
    const [commit, author, date, subject, body] = (await git("log", "-1", "--format=%H%x00%an <%ae>%x00%aI%x00%s%x00%b")).split("\0");
    const repo = (await git("remote", "get-url", "origin").catch(() => root)).trim();
    return { repo, commit: commit!.trim(), author: author!, date: date!, subject: subject!, body: (body ?? "").trim() };
  } catch {
    throw failure(
      "the stacks are not in a git repository with a commit",
      "publish/no-source-commit",
      "publish runs on a commit of the stacks, so that every env repo commit leads back to one; commit first",
    );
  }
}

function message(source: SourceInfo): string {
  return [
    `sluice publish: ${source.subject}`,
    "",
    `Source-Repo: ${source.repo}`,
    `Source-Commit: ${source.commit}`,
    `Source-Author: ${source.author}`,
  ].join("\n");
}

/** Without a configured identity, commits are made as sluice itself. */
function identity(email: string): string[] {
  return email.trim() ? [] : ["-c", "user.name=sluice", "-c", "user.email=sluice@localhost"];
}

async function gitIn(cwd: string, args: readonly string[]): Promise<string> {
  const { stdout } = await run("git", [...args], { cwd, maxBuffer: 256 * 1024 * 1024 });
  return stdout;
}

function failure(message: string, code: string, hint: string): SluiceError {
  return new SluiceError(`${message}.`, [{ code, message, hint }]);
}
