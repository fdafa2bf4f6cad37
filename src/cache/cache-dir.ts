import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

// Roots warned about, and cache dirs swept for leftovers, by this process.
const warned = new Set<string>();
const swept = new Set<string>();

/**
 * Where sluice keeps its local caches: `<root>/node_modules/.cache/sluice`,
 * the place build tools share by convention. Outside the committed tree, and
 * never needed: deleting it only makes the next run slower.
 *
 * When that folder is not the project's own (node_modules, `.cache` or the
 * folder itself a link to another checkout's, as a second git worktree, a
 * monorepo or a shared CI cache may have), each project gets a directory of
 * its own inside it: two checkouts must never read each other's caches.
 *
 * Undefined when the folder cannot be made or written (a file in its place, a
 * read-only tree): then every run is cold, and one warning says why.
 */
export function cacheDir(root: string): string | undefined {
  let dir = path.join(root, "node_modules", ".cache", "sluice");
  try {
    fs.mkdirSync(dir, { recursive: true });
    const own = path.join(fs.realpathSync(root), "node_modules", ".cache", "sluice");
    if (fs.realpathSync(dir) !== own) {
      dir = path.join(dir, createHash("sha256").update(fs.realpathSync(root)).digest("hex").slice(0, 16));
      fs.mkdirSync(dir, { recursive: true });
    }
    if (!fs.statSync(dir).isDirectory()) throw new Error("not a directory");
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
    if (!swept.has(dir)) {
      swept.add(dir);
      removeLeftovers(dir);
    }
    return dir;
  } catch (error) {
    if (!warned.has(root)) {
      warned.add(root);
      const reason = error instanceof Error ? error.message : String(error);
      process.stderr.write(
        `sluice: warning: cannot keep caches in ${path.join(root, "node_modules", ".cache", "sluice")} (${reason}); every run is cold\n`,
      );
    }
    return undefined;
  }
}

/**
 * A directory of this process's own for the files a run needs on disk (the
 * stack bundle, the compiler's configuration) when there is no cache dir:
 * made in the system temp dir on first use and removed when the process exits.
 */
export function scratchDir(root: string): string {
  const dir = cacheDir(root);
  if (dir !== undefined) return dir;
  if (scratch === undefined) {
    scratch = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), "sluice-"));
    const made = scratch;
    process.on("exit", () => fs.rmSync(made, { recursive: true, force: true }));
  }
  return scratch;
}

let scratch: string | undefined;

// What a run puts in the cache dir for a moment (see import-stacks.ts and cache-file.ts), with the pid of its process:
// a directory of stack bundles (or, from older versions, a bundle file), or a temp file.
const LEFTOVER = /^(?:stacks-(\d+)-[0-9a-f]{8}(\.mjs(?:\.map)?)?|\..+\.(\d+)-[0-9a-f]{8}\.tmp)$/;
const HOUR_MS = 60 * 60 * 1000;

/**
 * Removes the bundles and temp files of runs that were killed before they
 * could: only sluice's own names, only real directories and regular files (never a link), and only those whose
 * process is gone (or, a pid being reused in time, older than an hour).
 */
function removeLeftovers(dir: string): void {
  for (const name of fs.readdirSync(dir)) {
    const match = LEFTOVER.exec(name);
    if (!match) continue;
    const pid = Number(match[1] ?? match[3]);
    const file = path.join(dir, name);
    const stat = fs.lstatSync(file, { throwIfNoEntry: false });
    const bundleDir = match[1] !== undefined && match[2] === undefined;
    if (!(bundleDir ? stat?.isDirectory() : stat?.isFile()) || pid === process.pid) continue;
    if (alive(pid) && Date.now() - stat!.mtimeMs < HOUR_MS) continue;
    fs.rmSync(file, { recursive: bundleDir, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
