import { blobId } from "../git/blob-id.js";
import fs from "node:fs";
import path from "node:path";
import type { Prefetch } from "./prefetch.js";
import { StatCache } from "./stat-cache.js";
import type { PlanEntry } from "../model/plan.js";
import type { Partition } from "../model/partition.js";
import { emptyDirTops, listOut } from "./out-dir.js";

export interface Drift {
  /** In the plan and in out/, with different bytes. */
  readonly stale: readonly string[];
  /** In the plan, not in out/. */
  readonly missing: readonly string[];
  /** In out/, not in the plan: left over from an earlier synth, or never sluice's; an empty directory as `dir/`. */
  readonly extra: readonly string[];
  /**
   * Files outside out/ whose sluice-kept part is not what the stacks make
   * (the stacks repository's CODEOWNERS section), relative to the project root.
   */
  readonly outside?: readonly string[];
}

export interface CompareOptions {
  /** The listing of out/, when the caller already has it. */
  readonly onDisk?: readonly string[];
  /** Skips reading files whose stat has not changed since sluice last saw them. */
  readonly stats?: StatCache;
  /** out/'s files read ahead (on a new checkout): waited for, and used where their stat still holds. */
  readonly prefetched?: Prefetch;
}

/**
 * Compares out/ with the plan, by sha256, without writing anything. Used by
 * `synth --check` and by write, to find the files whose bytes changed. A file
 * is read only when the stat cache cannot vouch for it; what is read is
 * recorded there.
 */
export async function compare(
  outDir: string,
  plan: { readonly files: readonly PlanEntry[]; readonly partition?: Partition },
  options: CompareOptions = {},
): Promise<Drift> {
  const listing = options.onDisk ? { files: options.onDisk, others: [], emptyDirs: [] } : listOut(outDir, options.stats, plan.partition);
  const onDisk = listing.files;
  const stats = options.stats ?? StatCache.load(undefined, outDir);
  const present = new Set(onDisk);
  await options.prefetched?.done;
  // Synchronous: a few microseconds a file, which a pool of promises only adds to.
  const same = plan.files.map((file) =>
    present.has(file.path) ? contentBlob(outDir, file.path, stats, options.prefetched) === file.blob : undefined,
  );
  const planned = new Set(plan.files.map((file) => file.path));
  return {
    stale: plan.files.filter((_, i) => same[i] === false).map((file) => file.path),
    missing: plan.files.filter((_, i) => same[i] === undefined).map((file) => file.path),
    extra: [...onDisk.filter((file) => !planned.has(file)), ...listing.others, ...emptyDirTops(listing)].sort(),
  };
}

function contentBlob(outDir: string, file: string, stats: StatCache, prefetched: Prefetch | undefined): string {
  const target = path.join(outDir, file);
  const before = fs.lstatSync(target, { bigint: true });
  const known = stats.blob(file, before);
  if (known !== undefined) return known;
  const ahead = prefetched?.blob(file, before);
  if (ahead !== undefined) {
    stats.record(file, before, ahead);
    return ahead;
  }
  const blob = blobId(fs.readFileSync(target));
  // Recorded only if the file did not change while it was read.
  const after = fs.lstatSync(target, { bigint: true });
  if (after.mtimeNs === before.mtimeNs && after.ctimeNs === before.ctimeNs && after.size === before.size && after.ino === before.ino)
    stats.record(file, after, blob);
  return blob;
}

/** Records the files sluice just wrote, with the blob id of the bytes it wrote. */
export function recordWritten(outDir: string, files: readonly { path: string; blob: string }[], stats: StatCache): void {
  for (const file of files) stats.record(file.path, fs.lstatSync(path.join(outDir, file.path), { bigint: true }), file.blob);
}
