import { createHash } from "node:crypto";
import type { BigIntStats } from "node:fs";
import path from "node:path";
import { cacheDir } from "../cache/cache-dir.js";
import { isRecord, readCacheFile, writeCacheFile } from "../cache/cache-file.js";

// What out/'s files hold does not depend on sluice's code, so entries survive an upgrade.
// stat-4: the digest is the git blob id (stat-3's was a sha256).
const FORMAT = "stat-4";

/** [size, mtime and ctime in ns as "mtime:ctime", inode, git blob id of the content]. */
type Entry = readonly [string, string, string, string];
/** ["mtime:ctime:inode" (ns), the directory's entries as "name/type" with type f (file), d (directory) or o (other)]. */
type DirEntry = readonly [string, readonly string[]];
interface Payload {
  readonly files: Record<string, Entry>;
  readonly dirs: Record<string, DirEntry>;
}
const isPayload = (value: unknown): value is Payload =>
  isRecord(value) &&
  isRecord(value.files) &&
  isRecord(value.dirs) &&
  Object.values(value.files).every(
    (entry) => Array.isArray(entry) && entry.length === 4 && entry.every((part) => typeof part === "string"),
  );

/** A directory's entries as listOut needs them. */
export interface DirListing {
  readonly name: string;
  readonly type: "f" | "d" | "o";
}

/**
 * What sluice last saw of each file in out/, the way git's index remembers its
 * worktree: if a file's size, mtime, ctime and inode are what they were when
 * sluice wrote or read it, its bytes are taken to be the same and it is not
 * read again. The ctime is what catches an edit whose mtime was put back
 * (`touch -r`, tar, `rsync -t`): setting a time sets the ctime to now. Local and uncommitted; a fresh clone has none, so `synth --check` in
 * CI reads every file.
 *
 * Like git, it distrusts "racily clean" entries: a file whose mtime is not
 * older than the cache file itself could have been changed again within the
 * same clock tick after sluice looked at it, so it is read again (and so is
 * one whose ctime is not older: its mtime may have been put back since).
 */
export class StatCache {
  private readonly entries: Map<string, Entry>;
  private readonly fresh = new Map<string, Entry>();
  private readonly dirs: Map<string, DirEntry>;
  private readonly seenDirs = new Map<string, DirEntry>();
  private constructor(
    private readonly file: string | undefined,
    payload: Payload,
    private readonly stampNs: bigint,
  ) {
    this.entries = new Map(Object.entries(payload.files));
    this.dirs = new Map(Object.entries(payload.dirs));
  }

  /**
   * A directory's listing as sluice last read it, if the directory's mtime
   * and ctime (which change whenever an entry is added, removed or renamed;
   * the ctime also when the mtime is put back) say it is still the same, and
   * are older than the cache itself.
   */
  listing(dir: string, stat: BigIntStats): DirListing[] | undefined {
    const entry = this.dirs.get(dir);
    if (!entry || stat.mtimeNs >= this.stampNs || stat.ctimeNs >= this.stampNs || entry[0] !== dirStamp(stat)) return undefined;
    this.seenDirs.set(dir, entry);
    return entry[1].map((item) => ({ name: item.slice(0, -2), type: item.slice(-1) as DirListing["type"] }));
  }

  /** Remembers a directory's listing, read when `stat` described it. */
  recordListing(dir: string, stat: BigIntStats, listing: readonly DirListing[]): void {
    this.seenDirs.set(dir, [dirStamp(stat), listing.map(({ name, type }) => `${name}/${type}`)]);
  }

  /** The cache for `outDir` (a real path), or an empty one that is never saved when `root` is undefined. */
  static load(root: string | undefined, outDir: string): StatCache {
    const dir = root === undefined ? undefined : cacheDir(root);
    if (root === undefined || dir === undefined) return new StatCache(undefined, { files: {}, dirs: {} }, 0n);
    const file = path.join(dir, `out-${createHash("sha256").update(outDir).digest("hex").slice(0, 16)}.stat.json`);
    const read = readCacheFile(file, FORMAT, isPayload);
    return new StatCache(file, read?.value ?? { files: {}, dirs: {} }, read?.mtimeNs ?? 0n);
  }

  /** Whether it vouches for no file: a new checkout, or no cache. */
  get empty(): boolean {
    return this.entries.size === 0;
  }

  /** The blob id of `file`'s content if its stat says it has not changed since sluice last saw it. */
  blob(file: string, stat: BigIntStats): string | undefined {
    const entry = this.fresh.get(file) ?? this.entries.get(file);
    if (!entry || stat.mtimeNs >= this.stampNs || stat.ctimeNs >= this.stampNs) return undefined;
    const [size, times, ino, sha] = entry;
    return size === String(stat.size) && times === fileTimes(stat) && ino === String(stat.ino) ? sha : undefined;
  }

  /** Remembers that `file`, as `stat` describes it, holds bytes with this blob id. */
  record(file: string, stat: BigIntStats, blob: string): void {
    this.fresh.set(file, [String(stat.size), fileTimes(stat), String(stat.ino), blob]);
  }

  /**
   * Saves the entries of the files in `keep` (the files out/ now holds):
   * recorded ones, or old ones still valid. Writes nothing when nothing changed.
   * `beyond` names the paths a partitioned run did not look at: their entries are kept as they were.
   */
  save(keep: readonly string[], beyond?: (path: string) => boolean): void {
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
    if (beyond) {
      for (const [file, entry] of this.entries)
        if (beyond(file)) {
          out[file] = entry;
          count++;
        }
      for (const [dir, entry] of this.dirs) if (beyond(dir) && !this.seenDirs.has(dir)) this.seenDirs.set(dir, entry);
    }
    const changed = [...this.fresh].some(([file, entry]) => this.entries.get(file)?.join("|") !== entry.join("|"));
    const dirsChanged =
      this.seenDirs.size !== this.dirs.size || [...this.seenDirs].some(([dir, entry]) => this.dirs.get(dir)?.[0] !== entry[0]);
    if (!changed && !dirsChanged && count === this.entries.size) return;
    writeCacheFile(this.file, FORMAT, { files: out, dirs: Object.fromEntries(this.seenDirs) });
  }
}

const fileTimes = (stat: BigIntStats) => `${stat.mtimeNs}:${stat.ctimeNs}`;
const dirStamp = (stat: BigIntStats) => `${stat.mtimeNs}:${stat.ctimeNs}:${stat.ino}`;
