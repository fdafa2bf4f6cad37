import fs from "node:fs";
import path from "node:path";
import type { FilePlan } from "../model/plan.js";
import { listOutFiles } from "./out-dir.js";

export interface Drift {
  /** In the plan and in out/, with different bytes. */
  readonly stale: readonly string[];
  /** In the plan, not in out/. */
  readonly missing: readonly string[];
  /** In out/, not in the plan: left over from an earlier synth, or never sluice's. */
  readonly extra: readonly string[];
}

/** Compares out/ with the plan without writing anything. */
export function compare(outDir: string, plan: FilePlan): Drift {
  const onDisk = new Set(listOutFiles(outDir));
  const stale: string[] = [];
  const missing: string[] = [];
  for (const file of plan.files) {
    if (!onDisk.has(file.path)) missing.push(file.path);
    else if (fs.readFileSync(path.join(outDir, file.path), "utf8") !== file.content) stale.push(file.path);
    onDisk.delete(file.path);
  }
  return { stale, missing, extra: [...onDisk].sort() };
}

export function hasDrift(drift: Drift): boolean {
  return drift.stale.length + drift.missing.length + drift.extra.length > 0;
}
