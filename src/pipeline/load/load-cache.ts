import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { LoadedStacks, LoadReuse, Reusable, TypecheckScope } from "./load.js";
import { cacheDir } from "../../cache/cache-dir.js";
import { isRecord, readCacheFile, writeCacheFile } from "../../cache/cache-file.js";
import { codeFingerprint } from "../../cache/code-fingerprint.js";
import { reachesOthers } from "./global-scope.js";

interface Entry {
  /** The key the entry is valid for. */
  readonly key: string;
  /** The files the key was computed over (besides the stack files found now). */
  readonly files: readonly string[];
}

interface TypecheckEntry extends Entry {
  /** The stack files that passed, by the sha256 of the content that passed. */
  readonly checked: Readonly<Record<string, string>>;
  /** The stack files that, as they passed, could affect the types of other files (see reachesOthers). */
  readonly globals: readonly string[];
}

interface LoadEntry extends Entry {
  /** Each file's digest (see digest()), to tell which stacks changed. */
  readonly digests: Readonly<Record<string, string>>;
  /** The values of the platform's stackEnv variables at the time. */
  readonly env: string;
  readonly loaded: LoadedStacks;
}

interface Payload {
  readonly load?: LoadEntry;
  readonly typecheck?: TypecheckEntry;
  /**
   * The content digest of each file outside the project or in node_modules
   * that a key was computed over, by the stat it had: [real path, inode,
   * size, mtime and ctime; sha256].
   */
  readonly outside?: Readonly<Record<string, readonly [string, string]>>;
}

/**
 * Lets an unchanged project skip the two steps that cost most when nothing
 * changed: importing the stacks, and type-checking them. Each is keyed by the
 * files it read — the stacks and everything esbuild bundled for the load,
 * every file the compiler read for the type-check — hashed by content,
 * inside the project and in node_modules and outside it alike (a reinstall
 * from the same lockfile, or another checkout's caches restored on a CI
 * runner, keeps the keys: what the compiler reads is the same), plus the
 * stack files found now (a new stack file changes the key) and, for the load,
 * the values of the platform's `stackEnv` variables. Stacks can depend on
 * nothing else: the stack sandbox refuses clocks, random numbers, other
 * environment variables and I/O modules.
 */
export class LoadCache implements LoadReuse {
  /** The outside files' digests by stat, as read and as found this run. */
  private readonly outside: Record<string, readonly [string, string]>;
  private outsideChanged = false;

  private constructor(
    private readonly file: string | undefined,
    private readonly root: string,
    private payload: Payload,
    private readonly stampNs: bigint,
  ) {
    this.outside = isRecord(payload.outside) ? { ...(payload.outside as Record<string, readonly [string, string]>) } : {};
  }

  static open(root: string, enabled: boolean): LoadCache {
    const dir = enabled ? cacheDir(root) : undefined;
    if (dir === undefined) return new LoadCache(undefined, root, {}, 0n);
    const file = path.join(dir, "load.json");
    const read = readCacheFile(file, codeFingerprint(), (value): value is Payload => isRecord(value));
    return new LoadCache(file, root, read?.value ?? {}, read?.mtimeNs ?? 0n);
  }

  /**
   * What the last load can still give: all of it when nothing it was made of
   * changed; otherwise its platform and the apps of the unchanged stacks, when
   * only app stacks that no other stack imports changed (or came or went) and
   * every app is known to come from one stack — then load runs just those.
   * Undefined when the stacks must be loaded again from scratch.
   */
  reusable(stackFiles: readonly string[]): Reusable | undefined {
    // The stacks as they are before the load: save() keys the result by these
    // contents, not by what the files hold after it — an edit made while the
    // stacks load (a watch, an editor saving) must make the next run load again.
    for (const file of stackFiles) this.content(file);
    const entry = this.payload.load;
    if (
      !entry ||
      !isRecord(entry.digests) ||
      !Array.isArray(entry.loaded?.apps) ||
      !Array.isArray(entry.loaded.releases) ||
      !Array.isArray(entry.loaded.previews)
    )
      return undefined;
    if (stackEnvValues(entry.loaded.platform.spec) !== entry.env) return undefined;
    const now = new Set(stackFiles);
    const imported = new Set(entry.loaded.imported);
    const changed: string[] = [];
    const removed: string[] = [];
    for (const file of [...new Set([...entry.files, ...stackFiles])].sort()) {
      if (this.digest(file) === entry.digests[file]) continue;
      if (imported.has(file)) return undefined;
      if (now.has(file)) changed.push(file);
      else if (Object.hasOwn(entry.digests, file) && entry.loaded.files.includes(file)) removed.push(file);
      else return undefined;
    }
    if (
      changed.length + removed.length > 0 &&
      [...entry.loaded.apps, ...entry.loaded.releases, ...entry.loaded.previews].some((declared) => declared.declaredBy === undefined)
    )
      return undefined;
    return { loaded: entry.loaded, changed, removed };
  }

  /**
   * What the type-check must cover. Nothing, when every stack file is as it
   * was when it last passed and nothing else the compiler read has changed.
   * Only the changed files, when no other file can see them: each is imported
   * by no other stack (esbuild's import graph of the last load, and a text
   * search for type-only imports, which esbuild erases), and neither as it
   * is nor as it passed does it declare anything global (see reachesOthers).
   * Otherwise all.
   * Checking one app's stack takes ~0.2 s; all 2,000 of a fleet, ~1 s.
   */
  typecheckScope(stackFiles: readonly string[]): TypecheckScope {
    const entry = this.payload.typecheck;
    if (!entry || this.key([], entry.files, "") !== entry.key) return { kind: "all" };
    if (Object.keys(entry.checked).some((file) => !stackFiles.includes(file))) return { kind: "all" };
    const changed = stackFiles.filter((file) => entry.checked[file] !== this.sha(file));
    if (changed.length === 0) return { kind: "none" };
    const imported = new Set(this.payload.load?.loaded.imported ?? []);
    if (!this.payload.load || changed.some((file) => imported.has(file))) return { kind: "all" };
    if (!Array.isArray(entry.globals) || changed.some((file) => entry.globals.includes(file) || reachesOthers(this.text(file))))
      return { kind: "all" };
    const others = stackFiles.filter((file) => !changed.includes(file)).map((file) => this.text(file));
    for (const file of changed) {
      const name = path.posix
        .basename(file)
        .replace(/\.[cm]?ts$/, "")
        .replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      const importOf = new RegExp(`(?:from|import)\\s*\\(?\\s*["'][^"'\\n]*\\b${name}(?:\\.[cm]?[jt]s)?["']`);
      if (others.some((text) => importOf.test(text))) return { kind: "all" };
    }
    return { kind: "some", files: changed };
  }

  /**
   * Remembers a successful run: what the stacks loaded to and, when the
   * type-check ran, the files it passed and what else it read.
   */
  save(
    stackFiles: readonly string[],
    loaded: LoadedStacks,
    typecheck: { readonly checked: readonly string[]; readonly read: readonly string[] } | undefined,
  ): void {
    if (!this.file) return;
    const files = [...new Set([...stackFiles, ...loaded.inputs])].sort();
    const digests = Object.fromEntries(files.map((file) => [file, this.digest(file)]));
    const load: LoadEntry = {
      key: this.key(stackFiles, loaded.inputs, stackEnvValues(loaded.platform.spec)),
      files,
      digests,
      env: stackEnvValues(loaded.platform.spec),
      loaded,
    };
    let entry = this.payload.typecheck;
    if (typecheck) {
      const stacks = new Set(stackFiles);
      const read = typecheck.read
        .map((file) => path.relative(this.root, file).split(path.sep).join("/"))
        .filter((file) => !stacks.has(file));
      const files = [...new Set([...(entry?.files ?? []), ...read])].sort();
      const checked: Record<string, string> = {};
      const now = new Set(typecheck.checked);
      for (const file of stackFiles) {
        const sha = now.has(file) ? this.sha(file) : entry?.checked[file];
        if (sha !== undefined) checked[file] = sha;
      }
      const globals = Object.keys(checked).filter((file) => reachesOthers(this.text(file)));
      entry = { key: this.key([], files, ""), files, checked, globals };
    }
    // Rules written as functions cannot be stored: such a platform's stacks run on every synth.
    const next: Payload = {
      ...(holdsFunction(loaded.platform.spec) ? {} : { load }),
      ...(entry ? { typecheck: entry } : {}),
      // Only the files a key is computed over now: a file no stack reads any more goes.
      outside: Object.fromEntries(
        Object.entries(this.outside).filter(([file]) => files.includes(file) || (entry?.files.includes(file) ?? false)),
      ),
    };
    if (next.load?.key === this.payload.load?.key && entry === this.payload.typecheck && !this.outsideChanged) return;
    this.payload = next;
    writeCacheFile(this.file, codeFingerprint(), this.payload);
  }

  private readonly texts = new Map<string, Buffer>();

  private content(file: string): Buffer | undefined {
    if (!this.texts.has(file)) {
      try {
        this.texts.set(file, fs.readFileSync(path.resolve(this.root, file)));
      } catch {
        return undefined;
      }
    }
    return this.texts.get(file);
  }

  private text(file: string): string {
    return this.content(file)?.toString("utf8") ?? "";
  }

  private sha(file: string): string | undefined {
    const content = this.content(file);
    return content && createHash("sha256").update(content).digest("hex");
  }

  /** The key over these files: each one's digest (see digest()), with sluice's code and the stackEnv values. */
  private key(stackFiles: readonly string[], files: readonly string[], env: string): string {
    const hash = createHash("sha256").update(codeFingerprint()).update("\0").update(env).update("\0");
    for (const file of [...new Set([...stackFiles, ...files])].sort())
      hash.update(file).update("\0").update(this.digest(file)).update("\0");
    return hash.digest("hex");
  }

  /**
   * A file's digest: the sha256 of its content, or "missing" when it is gone.
   * Outside the project and in node_modules (hundreds of type declarations),
   * the digest found last time is taken again when the file's stat — real
   * path, inode, size, mtime and ctime — is as it was and older than the
   * cache file (as git trusts its index: an mtime put back moves the ctime,
   * and a file changed in the cache's own clock tick is read again);
   * otherwise the file is read.
   */
  private digest(file: string): string {
    if (!file.startsWith("../") && !file.split("/").includes("node_modules")) return this.sha(file) ?? "missing";
    try {
      const real = fs.realpathSync(path.resolve(this.root, file));
      const stat = fs.statSync(real, { bigint: true });
      const seen = `${real}:${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
      const known = Object.hasOwn(this.outside, file) ? this.outside[file] : undefined;
      if (known?.[0] === seen && stat.mtimeNs < this.stampNs && stat.ctimeNs < this.stampNs) return known[1];
      const digest = createHash("sha256").update(fs.readFileSync(real)).digest("hex");
      this.outside[file] = [seen, digest];
      this.outsideChanged = true;
      return digest;
    } catch {
      return "missing";
    }
  }
}

/** The values of the environment variables the platform lets stacks read: part of what they loaded to. */
function stackEnvValues(spec: unknown): string {
  const names = isRecord(spec) && Array.isArray(spec.stackEnv) ? spec.stackEnv.filter((n): n is string => typeof n === "string") : [];
  return JSON.stringify([...names].sort().map((name) => [name, process.env[name] ?? null]));
}

/** Whether a loaded spec holds a function anywhere (a platform rule's check), which JSON would drop. */
function holdsFunction(value: unknown, depth = 0): boolean {
  if (typeof value === "function") return true;
  if (value === null || typeof value !== "object" || depth > 64) return false;
  return Object.values(value).some((child) => holdsFunction(child, depth + 1));
}
