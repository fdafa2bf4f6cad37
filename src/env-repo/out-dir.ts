import fs from "node:fs";
import path from "node:path";
import { SluiceError } from "../errors.js";
import type { StatCache } from "./stat-cache.js";
import { LOCK_PATH } from "../model/plan.js";
import { beyondPartition, type Partition } from "../model/partition.js";

/** Where a run keeps what is not part of the env repo: its lock and its staging area (see write.ts). */
const SLUICE_DIR = ".sluice";
export const RUN_LOCK_PATH = `${SLUICE_DIR}/synth.lock`;
export const STAGING_DIR = `${SLUICE_DIR}/staging`;

export interface OutListing {
  /** Every regular file below out/, relative and with forward slashes, sorted. */
  readonly files: readonly string[];
  /** Entries that are neither a regular file nor a directory: symlinks (dangling or not), sockets, devices. */
  readonly others: readonly string[];
  /**
   * Directories that hold no file at any depth, deepest first: what a synth
   * killed while removing a deleted app's directories leaves behind.
   */
  readonly emptyDirs: readonly string[];
}

/**
 * Lists out/ without following symlinks: a symlink anywhere in out/ could lead
 * a write or a delete outside it, so it is reported, never entered. A `.git`
 * directory at the top is skipped (out/ may be a checkout of the env repo), and
 * so are the run lock and the staging area, unless they are not the plain file
 * and directory a run makes (a committed symlink there would be followed).
 * With a partition, other partitions' cluster directories are not entered.
 */
export function listOut(outDir: string, stats?: StatCache, partition?: Partition): OutListing {
  const files: string[] = [];
  const others: string[] = [];
  const emptyDirs: string[] = [];
  let top: fs.BigIntStats;
  try {
    top = fs.lstatSync(outDir, { bigint: true });
  } catch {
    return { files, others, emptyDirs };
  }
  if (!top.isDirectory()) throw notADirectory(outDir);
  /** Lists one directory; true when it holds anything but empty directories. */
  const walk = (dir: string, prefix: string, at: fs.BigIntStats): boolean => {
    // A directory whose mtime and ctime have not moved still holds the entries it held.
    // .sluice/ changes on every run (the run lock comes and goes), so its
    // listing is never cached: caching it would rewrite the cache each run.
    const cache = prefix === SLUICE_DIR ? undefined : stats;
    let entries = cache?.listing(prefix, at);
    if (!entries) {
      entries = fs.readdirSync(dir, { withFileTypes: true }).map((entry) => ({
        name: entry.name,
        type: entry.isDirectory() ? "d" : entry.isFile() ? "f" : "o",
      }));
      cache?.recordListing(prefix, at, entries);
    }
    // .sluice/ always counts as holding something: its lock is written last.
    let holds = prefix === SLUICE_DIR;
    for (const { name, type } of entries) {
      const relative = prefix ? `${prefix}/${name}` : name;
      if (beyondPartition(partition, relative)) {
        // Another partition's: what it holds is that partition's to check.
        holds = true;
      } else if (relative === ".git") {
        holds = true;
      } else if (relative === RUN_LOCK_PATH || relative === STAGING_DIR) {
        holds = true;
        if (type !== (relative === STAGING_DIR ? "d" : "f")) others.push(relative);
      } else if (type === "d") {
        const child = `${dir}/${name}`;
        const stat = fs.lstatSync(child, { bigint: true, throwIfNoEntry: false });
        // Changed between listing and looking: list it as what it is now.
        if (stat?.isDirectory()) {
          if (walk(child, relative, stat)) holds = true;
          else emptyDirs.push(relative);
        } else if (stat) {
          holds = true;
          (stat.isFile() ? files : others).push(relative);
        }
      } else {
        holds = true;
        (type === "f" ? files : others).push(relative);
      }
    }
    return holds;
  };
  walk(outDir, "", top);
  return { files: files.sort(), others: others.sort(), emptyDirs };
}

/** Every regular file below out/ (see listOut). */
export function listOutFiles(outDir: string): string[] {
  return [...listOut(outDir).files];
}

function notADirectory(outDir: string): SluiceError {
  return new SluiceError(`${outDir} is not a directory; nothing was written.`, [
    {
      code: "write/out-not-a-directory",
      message: `the env repo directory ${outDir} is a file`,
      hint: "point --out at a directory (it is created if missing), e.g. --out out",
    },
  ]);
}

/** The files a lock says sluice generated: a Map, so that no file name is mistaken for an inherited property. */
export type Owned = ReadonlyMap<string, readonly string[]>;

/** A lock of version 1 or 2: `{ lockVersion, files: { <path>: { sources: string[] } } }`. Checked by hand: it has tens of thousands of entries. */
function lockFiles(value: unknown): Map<string, readonly string[]> | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { lockVersion, files } = value as { lockVersion?: unknown; files?: unknown };
  if ((lockVersion !== 1 && lockVersion !== 2) || typeof files !== "object" || files === null || Array.isArray(files)) return undefined;
  const owned = new Map<string, readonly string[]>();
  for (const [file, entry] of Object.entries(files)) {
    const sources = (entry as { sources?: unknown } | null)?.sources;
    if (!Array.isArray(sources) || !sources.every((source) => typeof source === "string")) return undefined;
    owned.set(file, sources as string[]);
  }
  return owned;
}

/**
 * Why a lock entry cannot be a file sluice made, if it cannot: every entry is
 * deleted when the plan drops it, so one that leads out of its directory
 * (`../x`, `/x`) or into git's would delete what sluice does not own.
 */
function entryProblem(file: string): string | undefined {
  const segments = file.split("/");
  if (file.includes("\\") || file.includes("\0") || segments.some((segment) => segment === "" || segment === "." || segment === "..")) {
    return `it lists ${JSON.stringify(file)}, which is not a normalized path inside its directory`;
  }
  if (segments.includes(".git")) return `it lists ${JSON.stringify(file)}, which is git's, never sluice's`;
  return undefined;
}

/**
 * The files the last synth generated, from its lock; none when out/ has no lock yet. Reads locks of version 1 too.
 * `where` names the directory in messages: out/ by default, publish names the env repo's.
 */
export function readOwned(outDir: string, where = "out/"): Owned {
  const file = path.join(outDir, LOCK_PATH);
  let text: string;
  try {
    if (fs.lstatSync(file).isSymbolicLink()) throw new Error("it is a symlink");
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return new Map();
    throw badLock(where, (error as Error).message);
  }
  let owned: Map<string, readonly string[]> | undefined;
  try {
    owned = lockFiles(JSON.parse(text));
  } catch (error) {
    throw badLock(where, (error as Error).message);
  }
  if (!owned) throw badLock(where, "it is not a sluice lock file");
  for (const file of owned.keys()) {
    const problem = entryProblem(file);
    if (problem) throw badLock(where, problem);
  }
  return owned;
}

function badLock(where: string, reason: string): SluiceError {
  return new SluiceError(`${where}${LOCK_PATH} cannot be read (${reason}); nothing was written.`, [
    {
      code: "write/bad-lock",
      message: `${where}${LOCK_PATH} is not a sluice lock file: ${reason}`,
      hint:
        where === "out/"
          ? `restore it from git (git checkout -- ${LOCK_PATH}), or delete out/ entirely and synth again`
          : "restore the lock as sluice wrote it (revert the commit that changed it) and publish again",
    },
  ]);
}

/** Files in out/ that the lock does not say sluice generated, and every entry that is not a regular file. */
export function foreignEntries(listing: OutListing, owned: Owned): string[] {
  return [...listing.files.filter((file) => file !== LOCK_PATH && !owned.has(file)), ...listing.others].sort();
}

/** The outermost of the empty directories (see OutListing), as `dir/`: what --check reports. */
export function emptyDirTops(listing: OutListing): string[] {
  const empty = new Set(listing.emptyDirs);
  return listing.emptyDirs.filter((dir) => !empty.has(dir.slice(0, Math.max(0, dir.lastIndexOf("/"))))).map((dir) => `${dir}/`);
}
