import { createHash } from "node:crypto";
import path from "node:path";
import { cacheDir } from "../cache/cache-dir.js";
import { readCacheFile, writeCacheFile } from "../cache/cache-file.js";
import { codeFingerprint } from "../cache/code-fingerprint.js";

/**
 * The admission forms that compiled before, by hash: compiling is quick, but
 * loading the second CEL implementation is not (a few hundred milliseconds),
 * and a run whose rules did not change must not pay it. Keyed by everything
 * the compile reads (the expressions and the kinds) under the code
 * fingerprint, which covers sluice's code and the schemas in it. Only
 * successes are kept: a rule that fails is compiled again, and reported.
 */
export class AdmissionCompileCache {
  private added = false;
  private constructor(
    private readonly file: string | undefined,
    private readonly keys: Set<string>,
  ) {}

  static load(root: string | undefined): AdmissionCompileCache {
    const dir = root === undefined ? undefined : cacheDir(root);
    if (root === undefined || dir === undefined) return new AdmissionCompileCache(undefined, new Set());
    const file = path.join(dir, "admission-compiled.json");
    const read = readCacheFile(
      file,
      codeFingerprint(),
      (value): value is string[] => Array.isArray(value) && value.every((key) => typeof key === "string"),
    );
    return new AdmissionCompileCache(file, new Set(read?.value ?? []));
  }

  static key(form: unknown): string {
    return createHash("sha256").update(JSON.stringify(form)).digest("hex").slice(0, 32);
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  add(key: string): void {
    if (this.keys.has(key)) return;
    this.keys.add(key);
    this.added = true;
  }

  save(): void {
    if (this.file && this.added) writeCacheFile(this.file, codeFingerprint(), [...this.keys].sort());
  }
}
