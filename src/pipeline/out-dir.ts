import fs from "node:fs";
import path from "node:path";
import { SluiceError } from "../errors.js";
import { LOCK_PATH, type Lock } from "../model/plan.js";

/**
 * Every file below out/, relative and with forward slashes, sorted. A `.git`
 * directory at the top is skipped: out/ may be a checkout of the env repo.
 */
export function listOutFiles(outDir: string): string[] {
  if (!fs.existsSync(outDir)) return [];
  const files: string[] = [];
  const walk = (dir: string, prefix: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (!prefix && entry.name === ".git") continue;
      if (entry.isDirectory()) walk(path.join(dir, entry.name), relative);
      else files.push(relative);
    }
  };
  walk(outDir, "");
  return files.sort();
}

/** The lock of the last synth, or an empty one when out/ has none yet. */
export function readLock(outDir: string): Lock {
  const file = path.join(outDir, LOCK_PATH);
  if (!fs.existsSync(file)) return { lockVersion: 2, files: {} };
  try {
    const lock = JSON.parse(fs.readFileSync(file, "utf8")) as { lockVersion?: unknown; files?: unknown };
    if ((lock.lockVersion !== 1 && lock.lockVersion !== 2) || typeof lock.files !== "object" || lock.files === null) throw new Error("unknown lock format");
    return { lockVersion: 2, files: lock.files as Lock["files"] };
  } catch (error) {
    throw new SluiceError(`out/${LOCK_PATH} cannot be read (${(error as Error).message}); nothing was written.`, [
      {
        code: "write/bad-lock",
        message: `the lock is not a sluice lock file`,
        hint: `restore it from git (git checkout -- ${LOCK_PATH}), or delete out/ entirely and synth again`,
      },
    ]);
  }
}

/** A temp file a killed synth left beside its target; the next synth removes it. */
export function isLeftover(file: string): boolean {
  return /\.sluice-[0-9]+\.tmp$/.test(file);
}

/** Files in out/ that the lock does not say sluice generated. */
export function foreignFiles(onDisk: readonly string[], lock: Lock): string[] {
  return onDisk.filter((file) => file !== LOCK_PATH && !(file in lock.files) && !isLeftover(file));
}
