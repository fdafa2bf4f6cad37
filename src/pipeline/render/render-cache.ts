import path from "node:path";
import { cacheDir } from "../../cache/cache-dir.js";
import { isRecord, readCacheFile, writeCacheFile } from "../../cache/cache-file.js";
import { codeFingerprint } from "../../cache/code-fingerprint.js";
import type { CachedFinding } from "../../policy/cached-findings.js";
import type { KubernetesObject } from "../../k8s/object.js";

export interface CachedFile {
  readonly path: string;
  /** Its git blob id, its one digest. */
  readonly blob: string;
  /** The namespaces of its objects ("" for cluster-scoped). */
  readonly namespaces: readonly string[];
  /**
   * Each object as [apiVersion, kind, namespace ("" for none), name, ...origin
   * path below its app's declaration]; decoded only when asked for, since a
   * fleet has tens of thousands and most runs look at none. Lines are never cached.
   */
  objects(): readonly CachedObject[];
}

export type CachedObject = readonly [string, string, string, string, ...(string | number)[]];

// An entry is stored as one string, fields and files split by ASCII separators:
// parsing ten thousand strings is far cheaper than ten thousand nested arrays.
const FILE = "\u001e";
// Between the files and the instance's policy findings.
const FINDINGS = "\u001d";
// Before the objects the instance's engine gathers into a cluster's file (RenderedObject.gathered), as JSON.
const GATHERED = "\u001c";
const FIELD = "\u001f";
// Keys of schema-checked objects: no instance key starts with a control character.
const CHECKED = "\u0001checked:";

type Encodable = { path: string; blob: string; namespaces: readonly string[]; objects: readonly CachedObject[] };

function encode(files: readonly Encodable[]): string {
  return files.map((f) => [f.path, f.blob, f.namespaces.join(","), JSON.stringify(f.objects)].join(FIELD)).join(FILE);
}

function decode(entry: string): CachedFile[] {
  return entry.split(FILE).map((file) => {
    const [path = "", blob = "", namespaces = "", objects = "[]"] = file.split(FIELD);
    let decoded: CachedObject[] | undefined;
    return { path, blob, namespaces: namespaces.split(","), objects: () => (decoded ??= JSON.parse(objects) as CachedObject[]) };
  });
}

const isEntries = (value: unknown): value is Record<string, string> =>
  isRecord(value) && Object.values(value).every((entry) => typeof entry === "string");

/**
 * What each app instance rendered to last time, by a key over everything that
 * renders it (see instance-key.ts): the path, hashes and objects of its files
 * — not their bytes, which are in out/ already. An instance whose key is here
 * is not resolved, rendered, checked or serialised again; if out/ turns out
 * not to hold those bytes, synth renders it after all.
 */
export class RenderCache {
  private readonly used = new Map<string, string>();
  private constructor(
    private readonly file: string | undefined,
    private readonly entries: Map<string, string>,
  ) {}

  static load(root: string | undefined): RenderCache {
    const dir = root === undefined ? undefined : cacheDir(root);
    if (root === undefined || dir === undefined) return new RenderCache(undefined, new Map());
    const file = path.join(dir, "render.json");
    const read = readCacheFile(file, codeFingerprint(), isEntries);
    return new RenderCache(file, new Map(Object.entries(read?.value ?? {})));
  }

  get(
    key: string,
  ):
    | { readonly files: readonly CachedFile[]; readonly findings: readonly CachedFinding[]; readonly gathered: readonly KubernetesObject[] }
    | undefined {
    const hit = this.entries.get(key);
    if (hit === undefined) return undefined;
    this.used.set(key, hit);
    const cut = hit.indexOf(GATHERED);
    const gathered = cut === -1 ? [] : (JSON.parse(hit.slice(cut + 1)) as KubernetesObject[]);
    const rest = cut === -1 ? hit : hit.slice(0, cut);
    const split = rest.indexOf(FINDINGS);
    const findings = split === -1 ? [] : (JSON.parse(rest.slice(split + 1)) as CachedFinding[]);
    return { files: decode(split === -1 ? rest : rest.slice(0, split)), findings, gathered };
  }

  /** Stores an instance's files, its policy findings (see cached-findings.ts) and the objects its engine gathers. */
  set(key: string, files: readonly Encodable[], findings: readonly CachedFinding[] = [], gathered: readonly KubernetesObject[] = []): void {
    const entry = findings.length > 0 ? `${encode(files)}${FINDINGS}${JSON.stringify(findings)}` : encode(files);
    this.used.set(key, gathered.length > 0 ? `${entry}${GATHERED}${JSON.stringify(gathered)}` : entry);
    this.added = true;
  }

  /**
   * Whether an object with this digest passed the schema check on a run
   * whose entries this cache holds. The cluster-wide objects (roots,
   * Applications, projects, policies) are rendered on every run, render cache
   * or not; those unchanged since they last passed need no second check.
   */
  schemaChecked(digest: string): boolean {
    const key = `${CHECKED}${digest}`;
    const hit = this.entries.get(key);
    if (hit !== undefined) this.used.set(key, hit);
    return hit !== undefined;
  }

  /** Records that an object with this digest passed the schema check. */
  passedSchema(digest: string): void {
    const key = `${CHECKED}${digest}`;
    if (this.used.has(key)) return;
    this.used.set(key, "");
    if (!this.entries.has(key)) this.added = true;
  }

  /**
   * Saves the entries this run used or made; the rest belonged to instances
   * that no longer exist. Writes nothing when that is what the file holds.
   */
  save(): void {
    if (!this.file || (!this.added && this.used.size === this.entries.size)) return;
    writeCacheFile(this.file, codeFingerprint(), Object.fromEntries(this.used));
  }

  private added = false;
}
