import { createHash } from "node:crypto";
import type { BigIntStats } from "node:fs";
import path from "node:path";
import { cacheDir } from "./cache-dir.js";
import { isRecord, readCacheFile, writeCacheFile } from "./cache-file.js";

// What out/'s files hold does not depend on sluice's code, so entries survive an upgrade.
const FORMAT = "stat-1";

/** [size, mtime in ns, inode, sha256 of the content]. */
type Entry = readonly [string, string, string, string];
const isEntries = (value: unknown): value is Record<string, Entry> =>
  isRecord(value) && Object.values(value).every((entry) => Array.isArray(entry) && entry.length === 4 && entry.every((part) => typeof part === "string"));

/**
 * What sluice last saw of each file in out/, the way git's index remembers its
 * worktree: if a file's size, mtime and inode are what they were when sluice
 * wrote or read it, its bytes are taken to be the same and it is not read
 * again. Local and uncommitted; a fresh clone has none, so `synth --check` in
 * CI reads every file.
 *
 * Like git, it distrusts "racily clean" entries: a file whose mtime is not
 * older than the cache file itself could have been changed again within the
 * same clock tick after sluice looked at it, so it is read again.
 */
export class StatCache {
  private readonly entries: Map<string, Entry>;
  private readonly fresh = new Map<string, Entry>();
  private constructor(
    private readonly file: string | undefined,
    entries: Record<string, Entry>,
    private readonly stampNs: bigint,
  ) {
    this.entries = new Map(Object.entries(entries));
  }

  /** The cache for `outDir` (a real path), or an empty one that is never saved when `root` is undefined. */
  static load(root: string | undefined, outDir: string): StatCache {
    if (root === undefined) return new StatCache(undefined, {}, 0n);
    const file = path.join(cacheDir(root), `out-${createHash("sha256").update(outDir).digest("hex").slice(0, 16)}.stat.json`);
    const read = readCacheFile(file, FORMAT, isEntries);
    return new StatCache(file, read?.value ?? {}, read?.mtimeNs ?? 0n);
  }

  /** The sha256 of `file`'s content if its stat says it has not changed since sluice last saw it. */
  sha256(file: string, stat: BigIntStats): string | undefined {
    const entry = this.fresh.get(file) ?? this.entries.get(file);
    if (!entry || stat.mtimeNs >= this.stampNs) return undefined;
    const [size, mtime, ino, sha] = entry;
    return size === String(stat.size) && mtime === String(stat.mtimeNs) && ino === String(stat.ino) ? sha : undefined;
  }

  /** Remembers that `file`, as `stat` describes it, holds bytes with this sha256. */
  record(file: string, stat: BigIntStats, sha256: string): void {
    this.fresh.set(file, [String(stat.size), String(stat.mtimeNs), String(stat.ino), sha256]);
  }

  /**
   * Saves the entries of the files in `keep` (the files out/ now holds):
   * recorded ones, or old ones still valid. Writes nothing when nothing changed.
   */
  save(keep: readonly string[]): void {
    if (!this.file) return;
    const out: Record<string, Entry> = {};
    let count = 0;
    for (const file of keep) {
      const entry = this.fresh.get(file) ?? this.entries.get(file);
      if (entry) {
        out[file] = entry;
        count++;
      }
    }
    const changed = [...this.fresh].some(([file, entry]) => this.entries.get(file)?.join("|") !== entry.join("|"));
    if (!changed && count === this.entries.size) return;
    writeCacheFile(this.file, FORMAT, out);
  }
}
