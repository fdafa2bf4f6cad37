import path from "node:path";
import { cacheDir } from "./cache-dir.js";
import { isRecord, readCacheFile, writeCacheFile } from "./cache-file.js";
import { engineFingerprint } from "./engine.js";

export interface CachedFile {
  readonly path: string;
  readonly sha256: string;
  /**
   * Each object as [apiVersion, kind, namespace ("" for none), name, ...origin
   * path below its app's declaration]: compact, since there are tens of
   * thousands. Lines are never cached.
   */
  readonly objects: readonly CachedObject[];
}

export type CachedObject = readonly [string, string, string, string, ...(string | number)[]];

const isEntries = (value: unknown): value is Record<string, CachedFile[]> =>
  isRecord(value) && Object.values(value).every((files) => Array.isArray(files));

/**
 * What each app instance rendered to last time, by a key over everything that
 * renders it (see instance-keys.ts): the path, sha256 and objects of its files
 * — not their bytes, which are in out/ already. An instance whose key is here
 * is not resolved, rendered, checked or serialised again; if out/ turns out
 * not to hold those bytes, synth renders it after all.
 */
export class RenderCache {
  private readonly used = new Map<string, readonly CachedFile[]>();
  private constructor(
    private readonly file: string | undefined,
    private readonly entries: Map<string, readonly CachedFile[]>,
  ) {}

  static load(root: string | undefined): RenderCache {
    if (root === undefined) return new RenderCache(undefined, new Map());
    const file = path.join(cacheDir(root), "render.json");
    const read = readCacheFile(file, engineFingerprint(), isEntries);
    return new RenderCache(file, new Map(Object.entries(read?.value ?? {})));
  }

  get(key: string): readonly CachedFile[] | undefined {
    const hit = this.entries.get(key);
    if (hit) this.used.set(key, hit);
    return hit;
  }

  set(key: string, files: readonly CachedFile[]): void {
    this.used.set(key, files);
    this.added = true;
  }

  /**
   * Saves the entries this run used or made; the rest belonged to instances
   * that no longer exist. Writes nothing when that is what the file holds.
   */
  save(): void {
    if (!this.file || (!this.added && this.used.size === this.entries.size)) return;
    writeCacheFile(this.file, engineFingerprint(), Object.fromEntries(this.used));
  }

  private added = false;
}
