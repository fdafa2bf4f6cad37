import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { SluiceError } from "../errors.js";
import { LOCK_PATH, type PlannedFile } from "../model/plan.js";
import { readOwned } from "../pipeline/out-dir.js";
import { plan, type PlanOptions } from "../synth.js";

const run = promisify(execFile);

export interface PublishOptions extends PlanOptions {
  /** The env repo: a URL or a path git can clone (a bare repository, a checkout). */
  readonly envRepo: string;
  /** The branch to publish to. Default: the platform's envRepo.revision. */
  readonly branch?: string;
  /** Push the commit. Default false: commit in a temporary clone and report. */
  readonly push?: boolean;
  /** Attempts at a push that is rejected because the branch moved. Default 5. */
  readonly attempts?: number;
  /** Called before each push, e.g. to log; the push happens after it resolves. */
  readonly beforePush?: (attempt: number) => Promise<void>;
}

export interface PublishResult {
  readonly branch: string;
  /** The commit made, or undefined when the env repo already held exactly this output. */
  readonly commit?: string;
  /** Files added, changed or deleted, relative to the env repo's root. */
  readonly changed: readonly string[];
  readonly pushed: boolean;
  /** Push attempts made: more than one when another publish landed first. */
  readonly attempts: number;
  /** Set when the branch was already published from a newer source commit that includes this one: nothing to do. */
  readonly supersededBy?: string;
}

/**
 * `sluice publish`: writes the compiled env repo into a separate env
 * repository, for teams that keep it apart from the stacks. In a fresh clone
 * of the branch it replaces exactly the files sluice owns (by the lock at the
 * env repo's path), leaves every other file alone, and commits only when
 * something changed, with trailers that lead an auditor back to the reviewed
 * source commit. A push the remote rejects because the branch moved is
 * fetched, applied again and retried, a bounded number of times; it is never
 * forced. Each env repo commit names its source commit, so a publish whose
 * source is older than the one the branch was last published from stops
 * (that change is already in), and one from a source that does not contain
 * it fails loudly: two publishes racing for a branch both land, in order, or
 * one fails, and no published change is ever undone. A branch named `<name>-next` also gets a root
 * `hydrator.metadata` file, the one GitOps Promoter reads: GitOps-Promoter-compatible, not Source
 * Hydrator output (Argo CD's hydrator also writes one, and a README, into every hydrated path).
 * Commits are signed when git is set up to sign (commit.gpgsign).
 */
export async function publish(options: PublishOptions): Promise<PublishResult> {
  const root = path.resolve(options.root ?? ".");
  const { model, plan: files } = await plan({ ...options, root });
  const branch = options.branch ?? model.platform.envRepo.revision;
  const source = await sourceInfo(root);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-publish-"));
  try {
    const git = (...args: string[]) => gitIn(work, args);
    await git("clone", "--quiet", "--no-checkout", options.envRepo, ".").catch((error: Error) => {
      throw failure(`cannot clone the env repo ${options.envRepo}`, "publish/clone", error.message);
    });
    const attempts = options.attempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      await checkoutBranch(git, branch);
      const published = (await git("log", "-1", "--format=%(trailers:key=Source-Commit,valueonly)").catch(() => "")).trim();
      if (published && published !== source.commit) {
        if (await isAncestor(root, source.commit, published)) return { branch, changed: [], pushed: false, attempts: attempt - 1, supersededBy: published };
        if (!(await isAncestor(root, published, source.commit))) {
          throw failure(
            `${branch} was published from ${published}, which is not in the history of ${source.commit}: publishing would undo it`,
            "publish/diverged",
            "publish from a checkout of the stacks that contains that commit (fetch and merge first); sluice never drops a published change",
          );
        }
      }
      apply(path.join(work, model.platform.envRepo.path), files.files, branch.endsWith("-next") ? { work, source } : undefined);
      await git("add", "-A", "--", ".");
      const staged = (await git("diff", "--cached", "--name-only")).split("\n").filter(Boolean);
      if (staged.length === 0) return { branch, changed: [], pushed: false, attempts: attempt - 1 };
      await git(...identity(await git("config", "user.email").catch(() => "")), "commit", "--quiet", "-m", message(source));
      const commit = (await git("rev-parse", "HEAD")).trim();
      if (!options.push) return { branch, commit, changed: staged, pushed: false, attempts: 0 };
      await options.beforePush?.(attempt);
      try {
        await git("push", "--quiet", "origin", `HEAD:refs/heads/${branch}`);
        return { branch, commit, changed: staged, pushed: true, attempts: attempt };
      } catch (error) {
        if (attempt >= attempts) throw failure(`the push to ${branch} was rejected ${attempts} times`, "publish/push-rejected", (error as Error).message);
        // The branch moved: start again from where it is now.
        await git("fetch", "--quiet", "origin");
      }
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Whether source commit `older` is in the history of `newer`; false when either is unknown here. */
async function isAncestor(root: string, older: string, newer: string): Promise<boolean> {
  try {
    await gitIn(root, ["merge-base", "--is-ancestor", older, newer]);
    return true;
  } catch {
    return false;
  }
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
 * Makes the env repo's directory hold the plan: writes every planned file,
 * deletes the files the previous lock owned that the plan dropped, and leaves
 * every other file as it is. A planned path taken by a file sluice does not
 * own, or reached through a symlink, is refused.
 */
function apply(dir: string, files: readonly PlannedFile[], hydrator: { work: string; source: SourceInfo } | undefined): void {
  const owned = readOwned(dir);
  const planned = new Set(files.map((f) => f.path));
  for (const file of files) {
    const target = path.join(dir, file.path);
    throughSymlink(dir, target);
    const exists = fs.existsSync(target);
    // The lock does not list itself; readOwned has already refused one that is not sluice's.
    if (exists && !owned.has(file.path) && file.path !== LOCK_PATH) {
      throw failure(`${file.path} in the env repo is not sluice's`, "publish/foreign-file", "it is not in the env repo's .sluice/lock.json; move it, or remove it, and publish again");
    }
    if (exists && fs.readFileSync(target, "utf8") === file.content) continue;
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, file.content);
  }
  for (const file of owned.keys()) {
    if (planned.has(file)) continue;
    const target = path.join(dir, file);
    throughSymlink(dir, target);
    if (fs.existsSync(target)) fs.rmSync(target);
  }
  if (hydrator) {
    const { source } = hydrator;
    const metadata = { repoURL: source.repo, drySha: source.commit, author: source.author, date: source.date, subject: source.subject, body: source.body };
    fs.writeFileSync(path.join(hydrator.work, "hydrator.metadata"), `${JSON.stringify(metadata, null, 2)}\n`);
  }
}

function throughSymlink(dir: string, target: string): void {
  for (let current = path.dirname(target); current.startsWith(dir) && current !== path.dirname(dir); current = path.dirname(current)) {
    if (fs.existsSync(current) && fs.lstatSync(current).isSymbolicLink()) {
      throw failure(`${path.relative(dir, current)} in the env repo is a symlink`, "publish/symlink", "sluice never writes through a symlink; replace it with a directory");
    }
  }
  if (fs.existsSync(target) && fs.lstatSync(target).isSymbolicLink()) {
    throw failure(`${path.relative(dir, target)} in the env repo is a symlink`, "publish/symlink", "sluice never writes through a symlink");
  }
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
    throw failure("the stacks are not in a git repository with a commit", "publish/no-source-commit", "publish runs on a commit of the stacks, so that every env repo commit leads back to one; commit first");
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
