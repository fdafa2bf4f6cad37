import fs from "node:fs";
import path from "node:path";
import { SluiceError } from "../errors.js";
import { LOCK_PATH, type FilePlan } from "../model/plan.js";
import { foreignFiles, listOutFiles, readLock } from "./out-dir.js";

export interface WriteResult {
  /** Files created or rewritten, relative to out/. */
  readonly written: readonly string[];
  /** Files deleted because the plan dropped them and the lock says sluice made them. */
  readonly deleted: readonly string[];
  readonly unchanged: number;
}

/**
 * Makes out/ match the plan. Refuses (and changes nothing) when out/ holds a
 * file sluice did not generate. Rewrites only files whose bytes changed and
 * deletes only files its lock lists. New contents are staged next to their
 * targets first and renamed into place only once all of them are staged, so
 * a failure while staging leaves out/ as it was; the lock is renamed last.
 */
export function writePlan(outDir: string, plan: FilePlan): WriteResult {
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

  const present = new Set(onDisk);
  const changed = plan.files.filter((file) => {
    if (!present.has(file.path)) return true;
    return fs.readFileSync(path.join(outDir, file.path), "utf8") !== file.content;
  });
  const planned = new Set(plan.files.map((f) => f.path));
  const deleted = Object.keys(lock.files).filter((file) => !planned.has(file) && present.has(file));

  const staged: { temp: string; target: string }[] = [];
  const createdDirs: string[] = [];
  try {
    for (const file of changed) {
      const target = path.join(outDir, file.path);
      createdDirs.push(...mkdirs(path.dirname(target)));
      const temp = `${target}.sluice-${process.pid}.tmp`;
      fs.writeFileSync(temp, file.content);
      staged.push({ temp, target });
    }
  } catch (error) {
    for (const { temp } of staged) fs.rmSync(temp, { force: true });
    for (const dir of createdDirs.reverse()) fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  // The lock goes last: if anything below fails, the old lock still lists every
  // file that might be sluice's, so the next synth can finish the job.
  staged.sort((a, b) => Number(a.target.endsWith(LOCK_PATH)) - Number(b.target.endsWith(LOCK_PATH)));
  for (const { temp, target } of staged) fs.renameSync(temp, target);
  for (const file of deleted) {
    fs.rmSync(path.join(outDir, file), { force: true });
    removeEmptyParents(outDir, path.dirname(path.join(outDir, file)));
  }
  return {
    written: changed.map((f) => f.path),
    deleted,
    unchanged: plan.files.length - changed.length,
  };
}

/** Creates `dir` and any missing parents; returns the ones it created, outermost first. */
function mkdirs(dir: string): string[] {
  const missing: string[] = [];
  for (let current = dir; !fs.existsSync(current); current = path.dirname(current)) missing.unshift(current);
  if (missing.length > 0) fs.mkdirSync(dir, { recursive: true });
  return missing;
}

function removeEmptyParents(outDir: string, dir: string): void {
  const root = path.resolve(outDir);
  for (let current = path.resolve(dir); current !== root && current.startsWith(root); current = path.dirname(current)) {
    if (fs.readdirSync(current).length > 0) return;
    fs.rmdirSync(current);
  }
}
