import { createHash } from "node:crypto";
import { toYaml } from "../k8s/yaml.js";
import { SluiceError } from "../errors.js";
import type { Diagnostic } from "../model/diagnostic.js";
import { LOCK_PATH, lockText, type FilePlan, type Lock, type PlannedFile } from "../model/plan.js";
import type { Rendered, RenderedObject } from "../model/rendered.js";

/**
 * Turns rendered objects into the file plan: one YAML file per object, a
 * kustomization.yaml in every directory that holds objects (listing its files
 * and the subdirectories that have their own), the documents, and the lock.
 * Pure and deterministic: the same rendered input gives the same bytes.
 */
export function emit(rendered: Rendered): FilePlan {
  const files = new Map<string, PlannedFile>();
  const byPath = new Map<string, RenderedObject>();
  const diagnostics: Diagnostic[] = [];

  for (const item of rendered.objects) {
    const clash = byPath.get(item.path);
    if (clash) {
      diagnostics.push({
        code: "emit/same-file",
        message: `${item.object.kind} ${item.object.metadata.name} would be written to ${item.path}, which already holds ${clash.object.kind} ${clash.object.metadata.name} (from ${clash.origin.file}:${clash.origin.line})`,
        origin: item.origin,
        hint: "give the object another name",
      });
      continue;
    }
    byPath.set(item.path, item);
    const { apiVersion, kind, metadata } = item.object;
    files.set(item.path, file(item.path, toYaml(item.object), item.sources, [
      { apiVersion, kind, ...(metadata.namespace ? { namespace: metadata.namespace } : {}), name: metadata.name, origin: item.origin },
    ]));
  }
  if (diagnostics.length > 0) throw new SluiceError("Two objects would share one file; nothing was written.", diagnostics);

  for (const [path, content, sources] of kustomizations([...byPath.values()])) {
    files.set(path, file(path, content, sources, []));
  }
  for (const doc of rendered.documents) files.set(doc.path, file(doc.path, doc.content, doc.sources, []));

  const sorted = [...files.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const lock: Lock = {
    lockVersion: 1,
    files: Object.fromEntries(sorted.map((f) => [f.path, { sha256: f.sha256, sources: f.sources }])),
  };
  const lockFile = file(LOCK_PATH, lockText(lock), [], []);
  return { files: [lockFile, ...sorted].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)), lock };
}

function file(path: string, content: string, sources: readonly string[], objects: PlannedFile["objects"]): PlannedFile {
  return { path, content, sha256: sha256(content), sources: [...sources].sort(), objects };
}

export function sha256(content: string | Buffer): string {
  return createHash("sha256").update(content).digest("hex");
}

function dirname(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash === -1 ? "" : path.slice(0, slash);
}

function kustomizations(objects: readonly RenderedObject[]): [string, string, string[]][] {
  const dirs = new Map<string, { files: Set<string>; sources: Set<string> }>();
  const entry = (dir: string) => {
    let found = dirs.get(dir);
    if (!found) dirs.set(dir, (found = { files: new Set(), sources: new Set() }));
    return found;
  };
  for (const object of objects) {
    const dir = dirname(object.path);
    const here = entry(dir);
    here.files.add(object.path.slice(dir.length + 1));
    for (const source of object.sources) here.sources.add(source);
  }
  // A directory that holds objects lists the subdirectories directly below it
  // that hold objects too, so clusters/<cluster>/ builds the whole cluster.
  for (const dir of [...dirs.keys()]) {
    const parent = dirname(dir);
    if (dir !== "" && dirs.has(parent)) {
      dirs.get(parent)!.files.add(dir.slice(parent.length ? parent.length + 1 : 0));
      for (const source of dirs.get(dir)!.sources) dirs.get(parent)!.sources.add(source);
    }
  }
  return [...dirs.entries()].map(([dir, { files, sources }]) => [
    dir ? `${dir}/kustomization.yaml` : "kustomization.yaml",
    toYaml({ apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", resources: [...files].sort() }),
    [...sources],
  ]);
}
