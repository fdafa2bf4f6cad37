import { execFile, spawn } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { GitRepo } from "../git/git.js";

const run = promisify(execFile);

/**
 * The files below the project root that differ from HEAD: changed, staged,
 * deleted or untracked (ignored files aside; an untracked directory once, not
 * each file in it), as git names them (relative to the repository's root).
 * Publish compiles the worktree but names HEAD in its trailers, so anything
 * here would be published under a commit that does not hold it. The whole
 * root counts, not only the stacks: a stack may import any file of the
 * project.
 */
export async function uncommittedFiles(root: string): Promise<string[]> {
  const repo = await GitRepo.at(root);
  return (await repo.dirty(path.relative(repo.root, root) || ".")).map((file) => file.path);
}

/**
 * Every source commit named by a `Source-Commit` trailer in the history of
 * the env repo clone's HEAD, newest first, each once, among the commits that
 * touched `paths` (this platform's directory: another stacks repository may
 * publish into another directory of the same env repo). The whole history,
 * not the tip: a hand-made commit on top (or a merged pull request) must not
 * hide what was published before it.
 */
export async function publishedSources(work: string, paths: readonly string[]): Promise<string[]> {
  let stdout: string;
  try {
    const args = [
      "log",
      "--format=%(trailers:key=Source-Commit,valueonly,separator=%x00)%x01",
      "HEAD",
      "--",
      ...paths.map((p) => p || "."),
    ];
    ({ stdout } = await run("git", args, { cwd: work, maxBuffer: 256 * 1024 * 1024 }));
  } catch {
    return []; // A new branch without commits.
  }
  const seen = new Set<string>();
  for (const value of stdout.split(/[\0\u0001\n]/)) {
    const commit = value.trim();
    if (/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(commit)) seen.add(commit);
  }
  return [...seen];
}

/** How a source commit stands to the ones a branch was published from. */
export type Standing =
  /** It contains every one of them: publishing it undoes nothing. */
  | { readonly kind: "contains" }
  /** A published source contains it: its change is there already. */
  | { readonly kind: "superseded"; readonly by: string }
  /** A published source is neither in its history nor contains it: publishing it would undo that one. */
  | { readonly kind: "diverged"; readonly published: string }
  /** A published source this checkout does not have, so it cannot tell. */
  | { readonly kind: "unknown"; readonly published: string };

/**
 * Where `source` stands to the `published` sources (newest first), read in
 * the stacks repository at `root` with two git calls whatever the history's
 * length.
 */
export async function standing(root: string, source: string, published: readonly string[]): Promise<Standing> {
  if (published.length === 0) return { kind: "contains" };
  const check = await withInput(
    root,
    ["cat-file", "--batch-check"],
    published.map((commit) => `${commit}^{commit}`),
  );
  const missing = check
    .split("\n")
    .filter((line) => line.endsWith(" missing"))
    .map((line) => line.slice(0, line.indexOf("^")));
  if (missing.length > 0) return { kind: "unknown", published: missing[0]! };
  // The commits reachable from a published source and not from this one: a published source
  // that is not in this source's history is among them.
  const outside = new Set((await withInput(root, ["rev-list", "--stdin"], [...published, `^${source}`])).split("\n").filter(Boolean));
  const newest = published.find((commit) => outside.has(commit));
  if (newest === undefined) return { kind: "contains" };
  const containsSource = await run("git", ["merge-base", "--is-ancestor", source, newest], { cwd: root }).then(
    () => true,
    () => false,
  );
  return containsSource ? { kind: "superseded", by: newest } : { kind: "diverged", published: newest };
}

/** A git command fed lines on stdin (no argument-length limit), its stdout. */
function withInput(cwd: string, args: readonly string[], lines: readonly string[]): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const child = spawn("git", [...args], { cwd, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0
        ? resolve(Buffer.concat(out).toString("utf8"))
        : reject(new Error(`git ${args.join(" ")} exited with ${code}: ${Buffer.concat(err).toString("utf8").trim()}`)),
    );
    child.stdin.end(`${lines.join("\n")}\n`);
  });
}
