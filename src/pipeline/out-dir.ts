import fs from "node:fs";
import path from "node:path";
import { SluiceError } from "../errors.js";
import type { StatCache } from "../cache/stat-cache.js";
import { LOCK_PATH } from "../model/plan.js";

/** Where a run keeps what is not part of the env repo: its lock and its staging area (see write.ts). */
const SLUICE_DIR = ".sluice";
export const RUN_LOCK_PATH = `${SLUICE_DIR}/synth.lock`;
export const STAGING_DIR = `${SLUICE_DIR}/staging`;

export interface OutListing {
  /** Every regular file below out/, relative and with forward slashes, sorted. */
  readonly files: readonly string[];
  /** Entries that are neither a regular file nor a directory: symlinks (dangling or not), sockets, devices. */
  readonly others: readonly string[];
}

/**
 * Lists out/ without following symlinks: a symlink anywhere in out/ could lead
 * a write or a delete outside it, so it is reported, never entered. A `.git`
 * directory at the top is skipped (out/ may be a checkout of the env repo), and
 * so are the run lock and the staging area.
 */
export function listOut(outDir: string, stats?: StatCache): OutListing {
  const files: string[] = [];
  const others: string[] = [];
  let top: fs.BigIntStats;
  try {
    top = fs.lstatSync(outDir, { bigint: true });
  } catch {
    return { files, others };
  }
  if (!top.isDirectory()) throw notADirectory(outDir);
  const walk = (dir: string, prefix: string, at: fs.BigIntStats) => {
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
    for (const { name, type } of entries) {
      const relative = prefix ? `${prefix}/${name}` : name;
      if (relative === ".git" || relative === RUN_LOCK_PATH || relative === STAGING_DIR) continue;
      if (type === "d") {
        const child = `${dir}/${name}`;
        const stat = fs.lstatSync(child, { bigint: true, throwIfNoEntry: false });
        // Changed between listing and looking: list it as what it is now.
        if (stat?.isDirectory()) walk(child, relative, stat);
        else if (stat?.isFile()) files.push(relative);
        else if (stat) others.push(relative);
      } else if (type === "f") files.push(relative);
      else others.push(relative);
    }
  };
  walk(outDir, "", top);
  return { files: files.sort(), others: others.sort() };
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

/** The files the last synth generated, from its lock; none when out/ has no lock yet. Reads locks of version 1 too. */
export function readOwned(outDir: string): Owned {
  const file = path.join(outDir, LOCK_PATH);
  let text: string;
  try {
    if (fs.lstatSync(file).isSymbolicLink()) throw new Error("it is a symlink");
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return new Map();
    throw badLock((error as Error).message);
  }
  let owned: Map<string, readonly string[]> | undefined;
  try {
    owned = lockFiles(JSON.parse(text));
  } catch (error) {
    throw badLock((error as Error).message);
  }
  if (!owned) throw badLock("it is not a sluice lock file");
  return owned;
}

function badLock(reason: string): SluiceError {
  return new SluiceError(`out/${LOCK_PATH} cannot be read (${reason}); nothing was written.`, [
    {
      code: "write/bad-lock",
      message: "the lock is not a sluice lock file",
      hint: `restore it from git (git checkout -- ${LOCK_PATH}), or delete out/ entirely and synth again`,
    },
  ]);
}

/** Files in out/ that the lock does not say sluice generated, and every entry that is not a regular file. */
export function foreignEntries(listing: OutListing, owned: Owned): string[] {
  return [...listing.files.filter((file) => file !== LOCK_PATH && !owned.has(file)), ...listing.others].sort();
}
