import fs from "node:fs";
import path from "node:path";
import type { FilePlan } from "../model/plan.js";
import { pool } from "./fs-pool.js";
import { listOutFiles } from "./out-dir.js";

export interface Drift {
  /** In the plan and in out/, with different bytes. */
  readonly stale: readonly string[];
  /** In the plan, not in out/. */
  readonly missing: readonly string[];
  /** In out/, not in the plan: left over from an earlier synth, or never sluice's. */
  readonly extra: readonly string[];
}

/**
 * Compares out/ with the plan without writing anything. `onDisk` is the
 * listing of out/ when the caller already has it. Used by `synth --check`
 * and by write, to find the files whose bytes changed.
 */
export async function compare(outDir: string, plan: FilePlan, onDisk: readonly string[] = listOutFiles(outDir)): Promise<Drift> {
  const present = new Set(onDisk);
  const same = await pool(plan.files, async (file) =>
    present.has(file.path) ? (await fs.promises.readFile(path.join(outDir, file.path), "utf8")) === file.content : undefined,
  );
  const planned = new Set(plan.files.map((file) => file.path));
  return {
    stale: plan.files.filter((_, i) => same[i] === false).map((file) => file.path),
    missing: plan.files.filter((_, i) => same[i] === undefined).map((file) => file.path),
    extra: onDisk.filter((file) => !planned.has(file)),
  };
}
