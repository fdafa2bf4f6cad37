import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { LoadedStacks } from "../pipeline/load.js";
import { cacheDir } from "./cache-dir.js";
import { isRecord, readCacheFile, writeCacheFile } from "./cache-file.js";
import { engineFingerprint } from "./engine.js";

interface Entry {
  /** The key the entry is valid for. */
  readonly key: string;
  /** The files the key was computed over (besides the stack files found now). */
  readonly files: readonly string[];
}

interface Payload {
  readonly load?: Entry & { readonly loaded: LoadedStacks };
  readonly typecheck?: Entry;
}

/**
 * Lets an unchanged project skip the two steps that cost most when nothing
 * changed: importing the stacks, and type-checking them. Each is keyed by the
 * files it read — the stacks and everything esbuild bundled for the load,
 * every file the compiler read for the type-check — hashed by content inside
 * the project and by size and mtime in node_modules and outside it, plus the
 * stack files found now (a new stack file changes the key) and, for the load,
 * the values of the platform's `stackEnv` variables. Stacks can depend on
 * nothing else: the stack sandbox refuses clocks, random numbers, other
 * environment variables and I/O modules.
 */
export class LoadCache {
  private constructor(
    private readonly file: string | undefined,
    private readonly root: string,
    private payload: Payload,
    private readonly stampNs: bigint,
  ) {}

  static open(root: string, enabled: boolean): LoadCache {
    if (!enabled) return new LoadCache(undefined, root, {}, 0n);
    const file = path.join(cacheDir(root), "load.json");
    const read = readCacheFile(file, engineFingerprint(), (value): value is Payload => isRecord(value));
    return new LoadCache(file, root, read?.value ?? {}, read?.mtimeNs ?? 0n);
  }

  /** The stacks as the last run loaded them, if nothing they were made of has changed. */
  loaded(stackFiles: readonly string[]): LoadedStacks | undefined {
    const entry = this.payload.load;
    if (!entry) return undefined;
    const env = entry.loaded && isRecord(entry.loaded.platform?.spec) ? stackEnvValues(entry.loaded.platform.spec) : "";
    return this.key(stackFiles, entry.files, env) === entry.key ? entry.loaded : undefined;
  }

  /** True when the last type-check passed and nothing it read has changed. */
  typechecked(stackFiles: readonly string[]): boolean {
    const entry = this.payload.typecheck;
    return entry !== undefined && this.key(stackFiles, entry.files, "") === entry.key;
  }

  /** Remembers a successful run: what the stacks loaded to, and (when it ran and passed) what the type-check read. */
  save(stackFiles: readonly string[], loaded: LoadedStacks, typecheckFiles: readonly string[] | undefined): void {
    if (!this.file) return;
    const load = { key: this.key(stackFiles, loaded.inputs, stackEnvValues(loaded.platform.spec), false), files: loaded.inputs, loaded };
    const relative = typecheckFiles?.map((file) => path.relative(this.root, file).split(path.sep).join("/"));
    const typecheck = relative ? { key: this.key(stackFiles, relative, "", false), files: relative } : this.payload.typecheck;
    if (load.key === this.payload.load?.key && typecheck?.key === this.payload.typecheck?.key) return;
    this.payload = { load, ...(typecheck ? { typecheck } : {}) };
    writeCacheFile(this.file, engineFingerprint(), this.payload);
  }

  /**
   * The key over these files. A file outside the project (or in node_modules)
   * is keyed by size and mtime; one whose mtime is not older than the cache
   * file could have changed again unnoticed within the same clock tick, so it
   * makes the key unmatchable — the step simply runs.
   */
  private key(stackFiles: readonly string[], files: readonly string[], env: string, distrustRecent = true): string {
    const hash = createHash("sha256").update(engineFingerprint()).update("\0").update(env).update("\0");
    for (const file of [...new Set([...stackFiles, ...files])].sort()) {
      const absolute = path.resolve(this.root, file);
      hash.update(file).update("\0");
      try {
        if (!file.startsWith("../") && !file.split("/").includes("node_modules")) {
          hash.update(fs.readFileSync(absolute));
        } else {
          const stat = fs.statSync(absolute, { bigint: true });
          if (distrustRecent && stat.mtimeNs >= this.stampNs) return "recently changed";
          hash.update(`${stat.size}:${stat.mtimeNs}`);
        }
      } catch {
        hash.update("missing");
      }
      hash.update("\0");
    }
    return hash.digest("hex");
  }
}

/** The values of the environment variables the platform lets stacks read: part of what they loaded to. */
function stackEnvValues(spec: unknown): string {
  const names = isRecord(spec) && Array.isArray(spec.stackEnv) ? spec.stackEnv.filter((n): n is string => typeof n === "string") : [];
  return JSON.stringify([...names].sort().map((name) => [name, process.env[name] ?? null]));
}
