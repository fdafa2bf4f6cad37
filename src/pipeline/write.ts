import fs from "node:fs";
import path from "node:path";
import { SluiceError } from "../errors.js";
import type { StatCache } from "../cache/stat-cache.js";
import { LOCK_PATH, lockText, type Lock, type PlanEntry, type PlannedFile } from "../model/plan.js";
import { compare, recordWritten } from "./compare.js";
import { pool } from "./fs-pool.js";
import { foreignFiles, isLeftover, listOutFiles, readLock } from "./out-dir.js";

export interface WriteResult {
  /** Files created or rewritten, relative to out/. */
  readonly written: readonly string[];
  /** Files deleted because the plan dropped them and the lock says sluice made them. */
  readonly deleted: readonly string[];
  readonly unchanged: number;
}

/**
 * Makes out/ match the plan. Refuses, changing nothing, when out/ holds a file
 * sluice did not generate. Rewrites only files whose bytes changed and
 * deletes only files its lock lists.
 *
 * Order matters for safety: (1) if new files are coming, the lock first
 * grows to name them, so that even a killed process leaves nothing sluice
 * would later call foreign; (2) new files are written and changed files are
 * staged beside their targets — a failure here is rolled back and leaves out/
 * as it was; (3) staged files are renamed into place and dropped files
 * deleted; (4) the final lock is written last.
 */
export interface WritablePlan {
  readonly files: readonly PlanEntry[];
  readonly lock: Lock;
  /** The bytes of these files (see LazyPlan). */
  materialize(paths: readonly string[]): PlannedFile[];
}

export async function writePlan(outDir: string, plan: WritablePlan, stats?: StatCache): Promise<WriteResult> {
  const onDisk = listOutFiles(outDir);
  const lock = readLock(outDir);
  const foreign = foreignFiles(onDisk, lock);
  if (foreign.length > 0) {
    throw new SluiceError(
      `out/ holds ${foreign.length} file${foreign.length === 1 ? "" : "s"} that sluice did not generate; nothing was written.`,
      foreign.map((file) => ({
        code: "write/foreign-file",
        message: `out/${file} is not in out/${LOCK_PATH}`,
        hint: "sluice owns out/: move the file out of it, or delete it, and run synth again",
      })),
    );
  }
  for (const leftover of onDisk.filter(isLeftover)) fs.rmSync(path.join(outDir, leftover), { force: true });

  const present = new Set(onDisk);
  const lockPath = path.join(outDir, LOCK_PATH);
  const oldLockText = present.has(LOCK_PATH) ? fs.readFileSync(lockPath, "utf8") : undefined;
  const drift = await compare(outDir, plan, { onDisk, ...(stats ? { stats } : {}) });
  const differing = new Set([...drift.stale, ...drift.missing]);
  const changed = plan.materialize(plan.files.filter((file) => file.path !== LOCK_PATH && differing.has(file.path)).map((file) => file.path));
  const deleted = drift.extra.filter((file) => file in lock.files);
  const newLockText = plan.materialize([LOCK_PATH])[0]!.content;
  const lockChanged = newLockText !== oldLockText;

  const created: string[] = [];
  const staged: { temp: string; target: string }[] = [];
  const createdDirs: string[] = [];
  const knownDirs = new Set<string>();
  try {
    const fresh = changed.filter((file) => !present.has(file.path));
    if (fresh.length > 0) {
      const pending: Lock = {
        lockVersion: 2,
        files: { ...lock.files, ...Object.fromEntries(fresh.map((f) => [f.path, plan.lock.files[f.path]!])) },
      };
      createdDirs.push(...mkdirs(path.dirname(lockPath), knownDirs));
      replaceFile(lockPath, lockText(pending));
    }
    for (const file of changed) createdDirs.push(...mkdirs(path.dirname(path.join(outDir, file.path)), knownDirs));
    await pool(changed, async (file) => {
      const target = path.join(outDir, file.path);
      if (present.has(file.path)) {
        const temp = tempPath(target);
        staged.push({ temp, target });
        await fs.promises.writeFile(temp, file.content);
      } else {
        // "wx" refuses to open a path that exists; once it is open, it is ours to remove.
        const handle = await fs.promises.open(target, "wx");
        created.push(target);
        try {
          await handle.writeFile(file.content);
        } finally {
          await handle.close();
        }
      }
    });
  } catch (error) {
    for (const { temp } of staged) fs.rmSync(temp, { force: true });
    for (const target of created) fs.rmSync(target, { force: true });
    if (oldLockText === undefined) fs.rmSync(lockPath, { force: true });
    else replaceFile(lockPath, oldLockText);
    for (const dir of createdDirs.reverse()) fs.rmSync(dir, { recursive: true, force: true });
    const reason = error instanceof Error ? error.message : String(error);
    throw new SluiceError(`Writing out/ failed; it was left as it was.`, [
      { code: "write/failed", message: reason, hint: "check that out/ is writable and that nothing else is writing to it, then synth again" },
    ]);
  }

  for (const { temp, target } of staged) fs.renameSync(temp, target);
  for (const file of deleted) {
    fs.rmSync(path.join(outDir, file), { force: true });
    removeEmptyParents(outDir, path.dirname(path.join(outDir, file)));
  }
  if (lockChanged) replaceFile(lockPath, newLockText);
  if (stats) await recordWritten(outDir, [...changed, ...(lockChanged ? plan.materialize([LOCK_PATH]) : [])], stats);

  const written = [...changed.map((f) => f.path), ...(lockChanged ? [LOCK_PATH] : [])].sort();
  return { written, deleted, unchanged: plan.files.length - written.length };
}

function tempPath(target: string): string {
  return `${target}.sluice-${process.pid}.tmp`;
}

/** Replaces a file's content atomically: readers see the old bytes or the new, never half. */
function replaceFile(target: string, content: string): void {
  const temp = tempPath(target);
  fs.writeFileSync(temp, content);
  fs.renameSync(temp, target);
}

/** Creates `dir` and any missing parents; returns the ones it created, outermost first. */
function mkdirs(dir: string, known: Set<string>): string[] {
  if (known.has(dir)) return [];
  const missing: string[] = [];
  for (let current = dir; !known.has(current) && !fs.existsSync(current); current = path.dirname(current)) {
    missing.unshift(current);
  }
  if (missing.length > 0) fs.mkdirSync(dir, { recursive: true });
  for (let current = dir; !known.has(current) && current !== path.dirname(current); current = path.dirname(current)) {
    known.add(current);
  }
  return missing;
}

function removeEmptyParents(outDir: string, dir: string): void {
  const root = path.resolve(outDir);
  for (let current = path.resolve(dir); current !== root && current.startsWith(root); current = path.dirname(current)) {
    if (fs.readdirSync(current).length > 0) return;
    fs.rmdirSync(current);
  }
}
