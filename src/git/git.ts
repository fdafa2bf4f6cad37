import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { SimpleGit } from "simple-git";
import { SluiceError } from "../errors.js";
import { branchName } from "./branch-name.js";

/** A commit of a first-parent history: its committer time, and its first parent (none for a root commit or the edge of a shallow clone). */
export interface FirstParentChange {
  readonly commit: string;
  readonly time: Date;
  readonly parent?: string;
}

/**
 * sluice's one door to git, for diff now and for status, promote and
 * publish later. Every call names its repository; failures are SluiceErrors
 * that say what to do. Reads go through git's object database (rev-parse,
 * ls-tree, cat-file): never a checkout, never the worktree or the index.
 */
export class GitRepo {
  private constructor(
    readonly root: string,
    private readonly git: SimpleGit,
  ) {}

  /** The repository that holds `dir`; a clear error when there is none. */
  static async at(dir: string): Promise<GitRepo> {
    // Loaded on first use: synth, which never needs git, must not pay for it at start-up.
    const { simpleGit } = await import("simple-git");
    let root: string;
    try {
      root = (await simpleGit({ baseDir: dir }).revparse(["--show-toplevel"])).trim();
    } catch {
      throw failure(
        `${dir} is not inside a git repository`,
        "git/no-repository",
        "sluice reads the project's git history: run it in a git checkout (sluice diff also takes --env-repo <clone>)",
      );
    }
    return new GitRepo(root, simpleGit({ baseDir: root, binary: "git", maxConcurrentProcesses: 2 }));
  }

  /** The commit a ref names (a branch, a tag, HEAD~2, a sha). */
  async commit(ref: string): Promise<string> {
    if (ref.startsWith("-"))
      throw failure(
        `${JSON.stringify(ref)} is not a git ref: it starts with "-", which git would read as an option`,
        "git/unknown-ref",
        "name a branch, a tag or a commit",
      );
    let commit = "";
    try {
      commit = (await this.git.revparse(["--verify", "--end-of-options", `${ref}^{commit}`])).trim();
    } catch {
      // Reported below.
    }
    if (/^[0-9a-f]{40,64}$/.test(commit)) return commit;
    throw failure(
      `unknown git ref ${JSON.stringify(ref)} in ${this.root}`,
      "git/unknown-ref",
      "name a branch, a tag or a commit that exists here (git fetch first in CI: origin/<branch>)",
    );
  }

  /** Every file below `prefix` ("" for the whole tree) at `commit`: path relative to the prefix → blob id. */
  async tree(commit: string, prefix: string): Promise<Map<string, string>> {
    const args = ["ls-tree", "-r", "-z", "--full-tree", commit, ...(prefix ? ["--", prefix] : [])];
    const output = await this.git.raw(args);
    const files = new Map<string, string>();
    const strip = prefix ? `${prefix}/` : "";
    for (const record of output.split("\0")) {
      if (!record) continue;
      const tab = record.indexOf("\t");
      const [, type, blob] = record.slice(0, tab).split(" ");
      const file = record.slice(tab + 1);
      if (type === "blob" && file.startsWith(strip)) files.set(file.slice(strip.length), blob!);
    }
    return files;
  }

  /**
   * The commits of `from`'s first-parent history that changed `file`
   * (relative to the repository's root), newest first, with their committer
   * time and first parent: see `changes`.
   */
  async history(file: string, from = "HEAD"): Promise<FirstParentChange[]> {
    return (await this.changes(file, from)).map(({ files: _files, ...change }) => change);
  }

  /**
   * The commit of `from`'s first-parent history that last added `file`
   * (relative to the repository's root), with its committer time and first
   * parent; undefined when no commit there holds it.
   */
  async added(file: string, from = "HEAD"): Promise<FirstParentChange | undefined> {
    let output: string;
    try {
      output = await this.git.raw([
        "log",
        "--first-parent",
        "--diff-filter=A",
        "--no-renames",
        "-1",
        "--format=%H %ct %P",
        "--end-of-options",
        from,
        "--",
        file,
      ]);
    } catch {
      return undefined; // No commits yet.
    }
    const [commit, seconds, parent] = output.trim().split(" ");
    if (!commit) return undefined;
    return { commit, time: new Date(Number(seconds) * 1000), ...(parent ? { parent } : {}) };
  }

  /**
   * Every file of the working tree that differs from `base` (relative to the
   * repository's root): tracked files changed, added or deleted since it,
   * staged or not, and untracked files (ignored ones aside).
   */
  async changedSince(base: string): Promise<string[]> {
    const changed = await this.git.raw(["diff", "--name-only", "--no-renames", "-z", "--end-of-options", base, "--"]);
    const untracked = await this.git.raw(["ls-files", "--others", "--exclude-standard", "-z"]);
    return [...new Set([...changed.split("\0"), ...untracked.split("\0")].filter(Boolean))].sort();
  }

  /** The values of a trailer (e.g. "Sluice-Forced") in the commits of `base..HEAD`, newest first. */
  async trailers(base: string, key: string): Promise<string[]> {
    const output = await this.git.raw([
      "log",
      `--format=%(trailers:key=${key},valueonly,separator=%x00)%x01`,
      "--end-of-options",
      `${base}..HEAD`,
    ]);
    return output
      .split("\u0001")
      .flatMap((commit) => commit.split("\0"))
      .map((value) => value.trim())
      .filter(Boolean);
  }

  /**
   * Whether commits can be made here: git knows who makes them (user.name
   * and user.email, or what git can tell by itself). Undefined when they can;
   * else a SluiceError to throw before anything is changed.
   */
  async identityProblem(): Promise<SluiceError | undefined> {
    try {
      await this.git.raw(["var", "GIT_AUTHOR_IDENT"]);
      await this.git.raw(["var", "GIT_COMMITTER_IDENT"]);
      return undefined;
    } catch {
      return failure(
        `git does not know who commits in ${this.root}`,
        "git/no-identity",
        'set it: git config user.name "Your Name" and git config user.email you@example.com (in CI, the bot\'s name and email)',
      );
    }
  }

  /** The branch checked out, or undefined on a detached HEAD. */
  async branch(): Promise<string | undefined> {
    const name = (await this.git.raw(["branch", "--show-current"])).trim();
    return name || undefined;
  }

  /** Checks out a branch or commit that exists (keeping uncommitted changes, as git switch does). */
  async switchTo(ref: string): Promise<void> {
    await this.git.raw(["switch", "--quiet", ...(/^[0-9a-f]{40,64}$/.test(ref) ? ["--detach"] : []), "--end-of-options", ref]);
  }

  /** Whether a local branch of that name exists. */
  async hasBranch(branch: string): Promise<boolean> {
    return (await this.git.raw(["branch", "--list", "--end-of-options", branch])).trim() !== "";
  }

  /**
   * What differs from HEAD below `dir` (relative to the repository's root):
   * tracked files changed, staged or deleted, and untracked files, each with
   * whether git tracks it. Ignored files are not listed.
   */
  async dirty(dir = "."): Promise<{ readonly path: string; readonly untracked: boolean }[]> {
    const output = await this.git.raw([
      "--no-optional-locks",
      "status",
      "--porcelain=v1",
      "-z",
      "--untracked-files=normal",
      "--",
      dir || ".",
    ]);
    const found: { path: string; untracked: boolean }[] = [];
    const records = output.split("\0");
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      if (record.length < 4) continue;
      found.push({ path: record.slice(3), untracked: record.startsWith("??") });
      // A rename or copy is followed by the path it came from.
      if (record[0] === "R" || record[0] === "C") i++;
    }
    return found.sort((a, b) => (a.path < b.path ? -1 : 1));
  }

  /** The commit HEAD points at, or undefined before the first commit. */
  async head(): Promise<string | undefined> {
    try {
      return (await this.git.revparse(["--verify", "HEAD"])).trim() || undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * A new branch from HEAD holding one commit of exactly `paths` (relative to
   * the repository's root; added, changed or deleted), whatever else the
   * worktree or index holds. Refuses a branch that exists: never overwritten.
   */
  async commitOnNewBranch(branch: string, paths: readonly string[], message: string): Promise<string> {
    branchName(branch, "the branch");
    if (await this.hasBranch(branch))
      throw failure(
        `branch ${branch} exists already`,
        "git/branch-exists",
        "delete it or merge it first; sluice never overwrites a branch",
      );
    const start = (await this.branch()) ?? (await this.head());
    // A valid branch name never starts with "-": `switch -c` cannot take it for an option.
    await this.git.raw(["switch", "-c", branch]);
    try {
      await this.git.raw(["add", "-A", "--", ...paths]);
      await this.git.raw(["commit", "-q", "-m", message, "--", ...paths]);
    } catch (error) {
      // Back as it was: the paths unstaged, the branch it started on, no new branch.
      await this.git.raw(["reset", "-q", "--", ...paths]).catch(() => undefined);
      if (start !== undefined) await this.switchTo(start).catch(() => undefined);
      await this.git.raw(["branch", "-D", "--end-of-options", branch]).catch(() => undefined);
      throw error;
    }
    return (await this.git.revparse(["HEAD"])).trim();
  }

  /**
   * Puts `paths` (relative to the repository's root) back as HEAD has them,
   * in the index and the worktree: a path HEAD does not hold is removed.
   */
  async restore(paths: readonly string[]): Promise<void> {
    if (paths.length === 0) return;
    const tracked = new Set(
      (await this.git.raw(["ls-tree", "-r", "-z", "--name-only", "--full-tree", "HEAD", "--", ...paths])).split("\0").filter(Boolean),
    );
    await this.git.raw(["reset", "-q", "--", ...paths]);
    const kept = paths.filter((file) => tracked.has(file));
    if (kept.length > 0) await this.git.raw(["checkout", "-q", "HEAD", "--", ...kept]);
    for (const file of paths) if (!tracked.has(file)) fs.rmSync(path.join(this.root, file), { force: true });
  }

  /**
   * Every commit of `from`'s first-parent history that changed a file below
   * `dir` (a directory or a file, relative to the repository's root; "" for
   * all) compared with its first parent, newest first, with its committer
   * time, its first parent and the files it changed: one `git log` for a
   * whole directory of stacks. First parent only: a merge counts as the
   * commit that brought a branch's change onto `from`'s branch, and the
   * commits inside the branch (with whatever dates they carry) are never
   * seen. (Since git 2.31, `--first-parent` also lists a merge's files
   * against its first parent.)
   */
  async changes(dir: string, from = "HEAD"): Promise<(FirstParentChange & { files: string[] })[]> {
    let output: string;
    try {
      output = await this.git.raw([
        "log",
        "--first-parent",
        "--format=%x01%H %ct %P",
        "--name-only",
        "--no-renames",
        "--end-of-options",
        from,
        "--",
        dir || ".",
      ]);
    } catch {
      return []; // No commits yet.
    }
    return output
      .split("\u0001")
      .filter(Boolean)
      .map((entry) => {
        const [head = "", ...files] = entry.split("\n");
        const [commit, seconds, parent] = head.split(" ");
        return { commit: commit!, time: new Date(Number(seconds) * 1000), ...(parent ? { parent } : {}), files: files.filter(Boolean) };
      });
  }

  /** The committer time of each of these commits, read in one `git cat-file --batch`; a commit missing here is left out. */
  async committerTimes(commits: readonly string[]): Promise<Map<string, Date>> {
    const times = new Map<string, Date>();
    for (const [commit, text] of await this.objects(commits)) {
      // The commit object's header: "committer <name> <<email>> <seconds since the epoch> <zone>".
      const seconds = text === undefined ? undefined : /^committer .* (-?[0-9]+) [+-][0-9]{4}$/m.exec(text)?.[1];
      if (seconds !== undefined) times.set(commit, new Date(Number(seconds) * 1000));
    }
    return times;
  }

  /**
   * The contents of objects named `<commit>:<path>` (or blob ids), in one
   * `git cat-file --batch`; a name that does not exist maps to undefined.
   */
  async objects(names: readonly string[]): Promise<Map<string, string | undefined>> {
    const unique = [...new Set(names)];
    const contents = new Map<string, string | undefined>();
    if (unique.length === 0) return contents;
    const output = await this.batch(unique);
    let at = 0;
    for (const name of unique) {
      const newline = output.indexOf(10, at);
      const header = output.subarray(at, newline).toString("utf8");
      if (header.endsWith(" missing")) {
        contents.set(name, undefined);
        at = newline + 1;
        continue;
      }
      const size = Number(header.split(" ")[2]);
      const start = newline + 1;
      contents.set(name, output.subarray(start, start + size).toString("utf8"));
      at = start + size + 1;
    }
    return contents;
  }

  private batch(names: readonly string[]): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      const child = spawn("git", ["cat-file", "--batch"], { cwd: this.root, stdio: ["pipe", "pipe", "pipe"] });
      const chunks: Buffer[] = [];
      child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
      child.on("error", reject);
      child.on("close", (code) => (code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`git cat-file exited with ${code}`))));
      child.stdin.end(`${names.join("\n")}\n`);
    });
  }

  /** The size in bytes of each of these blobs, by id, without reading them (`git cat-file --batch-check`). */
  async sizes(ids: readonly string[]): Promise<Map<string, number>> {
    const unique = [...new Set(ids)];
    const sizes = new Map<string, number>();
    if (unique.length === 0) return sizes;
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn("git", ["cat-file", "--batch-check"], { cwd: this.root, stdio: ["pipe", "pipe", "pipe"] });
      let text = "";
      child.stdout.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
      child.on("error", reject);
      child.on("close", (code) => (code === 0 ? resolve(text) : reject(new Error(`git cat-file exited with ${code}`))));
      child.stdin.end(`${unique.join("\n")}\n`);
    });
    const lines = output.split("\n");
    unique.forEach((id, i) => {
      const size = Number(lines[i]?.split(" ")[2]);
      if (Number.isFinite(size)) sizes.set(id, size);
    });
    return sizes;
  }

  /** The contents of these blobs, by id, read in one `git cat-file --batch`. */
  async blobs(ids: readonly string[]): Promise<Map<string, string>> {
    const found = await this.objects(ids);
    return new Map(
      [...found].map(([id, text]) => {
        if (text === undefined) throw new Error(`git cat-file: blob ${id} is missing`);
        return [id, text];
      }),
    );
  }
}

function failure(message: string, code: string, hint: string): SluiceError {
  return new SluiceError(`${message}.`, [{ code, message, hint }]);
}
