import fs from "node:fs";
import path from "node:path";
import type { StatCache } from "./stat-cache.js";
import { SluiceError } from "../errors.js";
import { LOCK_PATH, type Lock, type PlanEntry, type PlannedFile } from "../model/plan.js";
import type { Partition } from "../model/partition.js";
import { compare, recordWritten } from "./compare.js";
import { emptyDirTops, foreignEntries, listOut, readOwned, STAGING_DIR, type OutListing } from "./out-dir.js";
import { acquireRunLock } from "./run-lock.js";

export interface WriteResult {
  /** Files created or rewritten, relative to out/. */
  readonly written: readonly string[];
  /** Files deleted because the plan dropped them and the lock says sluice made them; empty directories removed, as `dir/`. */
  readonly deleted: readonly string[];
  readonly unchanged: number;
  /** Files outside out/ whose sluice-kept part was rewritten (the stacks repository's CODEOWNERS), relative to the project root. */
  readonly outside?: readonly string[];
}

export interface WritablePlan {
  readonly files: readonly PlanEntry[];
  readonly lock: Lock;
  /** Set when the plan holds only some clusters' files: the others' are neither read nor touched. */
  readonly partition?: Partition;
  /** The bytes of these files (see LazyPlan). */
  materialize(paths: readonly string[]): PlannedFile[];
}

/**
 * Makes out/ match the plan, holding the run lock. Refuses, changing nothing,
 * when out/ holds a file sluice did not generate or anything that is not a
 * plain file or directory (a symlink could lead a write outside out/).
 * Rewrites only files whose bytes changed and deletes only files its lock lists.
 */
export async function writePlan(outDir: string, plan: WritablePlan, stats?: StatCache): Promise<WriteResult> {
  const listing = listOut(outDir, stats, plan.partition);
  const owned = readOwned(outDir);
  const foreign = foreignEntries(listing, owned);
  if (foreign.length > 0) {
    const others = new Set(listing.others);
    throw new SluiceError(
      `out/ holds ${foreign.length} ${foreign.length === 1 ? "entry" : "entries"} that sluice did not generate; nothing was written.`,
      foreign.map((file) => ({
        code: others.has(file) ? "write/foreign-entry" : "write/foreign-file",
        message: others.has(file)
          ? `out/${file} is a symlink or another special file; sluice never follows one, since it could lead outside out/`
          : `out/${file} is not in out/${LOCK_PATH}`,
        hint: "sluice owns out/: move it out of out/, or delete it, and run synth again",
      })),
    );
  }
  fs.mkdirSync(outDir, { recursive: true });
  const runLock = acquireRunLock(outDir);
  try {
    const drift = await compare(outDir, plan, { onDisk: listing.files, ...(stats ? { stats } : {}) });
    const differing = new Set([...drift.stale, ...drift.missing]);
    const changed = plan.files.filter((f) => f.path !== LOCK_PATH && differing.has(f.path));
    const deleted = drift.extra.filter((file) => owned.has(file));
    const [lockFile] = plan.materialize([LOCK_PATH]);
    const lockChanged = differing.has(LOCK_PATH);
    const present = new Set(listing.files);
    const fresh = changed.filter((file) => !present.has(file.path));
    const commit = new Commit(outDir, path.join(outDir, STAGING_DIR, runLock.runId));
    try {
      // A killed run must leave nothing a later run would call foreign: the
      // lock names new files before they exist.
      if (fresh.length > 0) commit.replace(LOCK_PATH, pendingLock(lockFile!.content, owned, fresh));
      // The bytes a slice at a time: a fleet's rendered text is never in memory at once.
      for (let start = 0; start < changed.length; start += WRITE_SLICE) {
        for (const file of plan.materialize(changed.slice(start, start + WRITE_SLICE).map((f) => f.path))) {
          if (present.has(file.path)) commit.replace(file.path, file.content);
          else commit.create(file.path, file.content);
        }
      }
      for (const file of deleted) commit.remove(file);
      if (lockChanged || fresh.length > 0) commit.replace(LOCK_PATH, lockFile!.content);
    } catch (error) {
      commit.rollBack();
      const reason = error instanceof Error ? error.message : String(error);
      throw new SluiceError("Writing out/ failed; it was left as it was.", [
        {
          code: "write/failed",
          message: reason,
          hint: "check that out/ is writable and that nothing else is writing to it, then synth again",
        },
      ]);
    }
    commit.finish();
    for (const file of deleted) removeEmptyParents(outDir, path.dirname(path.join(outDir, file)));
    const emptied = removeEmptyDirs(outDir, listing);
    const written = [...changed.map((f) => f.path), ...(lockChanged ? [LOCK_PATH] : [])].sort();
    if (stats) recordWritten(outDir, [...changed, ...(lockChanged ? [lockFile!] : [])], stats);
    return { written, deleted: [...deleted, ...emptied], unchanged: plan.files.length - written.length };
  } finally {
    runLock.release();
  }
}

const WRITE_SLICE = 256;

/** The old lock plus the files about to be created: what out/ may hold at any moment of the commit. */
function pendingLock(finalLock: string, owned: ReadonlyMap<string, readonly string[]>, fresh: readonly PlanEntry[]): string {
  const final = JSON.parse(finalLock) as Lock;
  const files: Record<string, { sources: readonly string[] }> = {};
  for (const [file, sources] of owned) files[file] = { sources };
  for (const file of fresh) files[file.path] = { sources: file.sources };
  return `${JSON.stringify({ lockVersion: final.lockVersion, files }, null, 2)}\n`;
}

/**
 * The changes to out/ as one transaction: every step records its undo, and a
 * failure at any step undoes them all, so out/ is byte-for-byte as it was.
 * Replaced and deleted files are moved into the run's staging area rather
 * than overwritten or unlinked until the end. Synchronous on purpose: on the
 * file systems measured here, creating many small files from one thread beat
 * a pool of asynchronous writes, which only contend for the same directories.
 */
class Commit {
  private readonly undo: (() => void)[] = [];
  private readonly madeDirs = new Set<string>();
  private readonly knownDirs = new Set<string>();
  private count = 0;

  constructor(
    private readonly outDir: string,
    private readonly staging: string,
  ) {
    fs.mkdirSync(staging, { recursive: true });
  }

  create(file: string, content: string): void {
    const target = path.join(this.outDir, file);
    this.mkdirs(path.dirname(target));
    // "wx": never through an existing file or symlink.
    fs.writeFileSync(target, content, { flag: "wx" });
    this.undo.push(() => fs.rmSync(target, { force: true }));
  }

  replace(file: string, content: string): void {
    const target = path.join(this.outDir, file);
    const temp = this.stage();
    fs.writeFileSync(temp, content, { flag: "wx" });
    let backup: string | undefined;
    if (fs.existsSync(target)) {
      backup = this.stage();
      fs.renameSync(target, backup);
      this.undo.push(() => fs.renameSync(backup!, target));
    } else {
      this.mkdirs(path.dirname(target));
    }
    fs.renameSync(temp, target);
    this.undo.push(() => fs.rmSync(target, { force: true }));
  }

  remove(file: string): void {
    const target = path.join(this.outDir, file);
    const backup = this.stage();
    fs.renameSync(target, backup);
    this.undo.push(() => fs.renameSync(backup, target));
  }

  rollBack(): void {
    for (const step of this.undo.reverse()) {
      try {
        step();
      } catch {
        // Keep undoing the rest; the staging area keeps what could not be put back.
      }
    }
    for (const dir of [...this.madeDirs].reverse()) fs.rmSync(dir, { recursive: true, force: true });
    this.finish();
  }

  /** Drops the staging area: the backups of replaced and deleted files. */
  finish(): void {
    fs.rmSync(this.staging, { recursive: true, force: true });
    const parent = path.dirname(this.staging);
    if (fs.existsSync(parent) && fs.readdirSync(parent).length === 0) fs.rmdirSync(parent);
  }

  private stage(): string {
    return path.join(this.staging, String(this.count++));
  }

  /** Creates a directory and its missing parents inside out/, remembering each one made, outermost first. */
  private mkdirs(dir: string): void {
    if (this.knownDirs.has(dir)) return;
    const missing: string[] = [];
    for (let current = dir; current.startsWith(this.outDir + path.sep) && !this.knownDirs.has(current); current = path.dirname(current)) {
      if (fs.existsSync(current)) break;
      missing.unshift(current);
    }
    for (const made of missing) {
      fs.mkdirSync(made);
      this.madeDirs.add(made);
    }
    this.knownDirs.add(dir);
  }
}

function removeEmptyParents(outDir: string, dir: string): void {
  const root = path.resolve(outDir);
  for (let current = path.resolve(dir); current !== root && current.startsWith(root + path.sep); current = path.dirname(current)) {
    // Gone already: the deletion of another file from it removed it.
    if (!fs.existsSync(current)) continue;
    if (fs.readdirSync(current).length > 0) return;
    fs.rmdirSync(current);
  }
}

/**
 * Removes the directories that held no file when the run began, deepest
 * first: a synth killed while removing a deleted app's directories leaves
 * them, and git cannot show them. One that gained a file since is kept.
 * Returns the outermost removed, as `dir/`.
 */
function removeEmptyDirs(outDir: string, listing: OutListing): string[] {
  const removed = new Set<string>();
  for (const dir of listing.emptyDirs) {
    try {
      fs.rmdirSync(path.join(outDir, dir));
      removed.add(dir);
    } catch {
      // Not empty any more (this run wrote into it), or gone: leave it.
    }
  }
  return emptyDirTops({ ...listing, emptyDirs: listing.emptyDirs.filter((dir) => removed.has(dir)) });
}
