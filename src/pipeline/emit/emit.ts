import { SPOKE_DIR } from "../../model/hub.js";
import { ENGINE_NAMES } from "../../model/engine-names.js";
import { SluiceError } from "../../errors.js";
import { blobId } from "../../git/blob-id.js";
import { toYaml, toYamlDocuments } from "../../k8s/yaml.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import {
  GITIGNORE,
  GITIGNORE_PATH,
  LOCK_PATH,
  lockText,
  type Lock,
  type PlanEntry,
  type PlannedFile,
  type PlannedObject,
} from "../../model/plan.js";

export type { PlanEntry };
import type { Rendered, RenderedObject } from "../../model/rendered.js";

/** Groups objects by file and writes each file. */
export function emitObjects(objects: readonly RenderedObject[]): PlannedFile[] {
  const byPath = new Map<string, RenderedObject[]>();
  for (const item of objects) {
    const list = byPath.get(item.path);
    if (list) list.push(item);
    else byPath.set(item.path, [item]);
  }
  return [...byPath].map(([path, items]) => {
    const sources = [...new Set(items.flatMap((item) => item.sources))];
    const verbatim = items.length === 1 ? items[0]!.verbatim : undefined;
    return plannedFile(path, verbatim ?? toYamlDocuments(items.map((item) => item.object)), sources, items.map(plannedObject));
  });
}

export function emitDocuments(rendered: Rendered): PlannedFile[] {
  return rendered.documents.map((doc) => plannedFile(doc.path, doc.content, doc.sources, []));
}

/**
 * The whole plan from its files: adds the kustomizations of clusters/ and the
 * lock, refuses two objects with one identity on one cluster, and sorts. A
 * partition's plan keeps in its lock the lines of the files outside it (`outside`).
 */
export function assemble(
  files: readonly PlanEntry[],
  platformFile: string,
  generatedNamesUnique = false,
  outside: readonly { readonly path: string; readonly sources: readonly string[] }[] = [],
): { files: PlanEntry[]; lock: Lock } {
  const duplicates = duplicateObjects(files, generatedNamesUnique);
  if (duplicates.length > 0)
    throw new SluiceError("Two objects would have the same identity on a cluster; nothing was written.", duplicates);
  const all = [...files, ...kustomizations(files, platformFile), plannedFile(GITIGNORE_PATH, GITIGNORE, [platformFile], [])].sort(byPath);
  const listed = [...all, ...outside].sort(byPath);
  const lock: Lock = { lockVersion: 2, files: Object.fromEntries(listed.map((f) => [f.path, { sources: f.sources }])) };
  return { files: [...all, plannedFile(LOCK_PATH, lockText(lock), [], [])].sort(byPath), lock };
}

export function plannedFile(path: string, content: string, sources: readonly string[], objects: readonly PlannedObject[]): PlannedFile {
  return { path, content, blob: blobId(content), sources: [...sources].sort(), objects };
}

function plannedObject({ object, origin }: RenderedObject): PlannedObject {
  const { apiVersion, kind, metadata } = object;
  return { apiVersion, kind, ...(metadata.namespace ? { namespace: metadata.namespace } : {}), name: metadata.name, origin };
}

function byPath(a: { path: string }, b: { path: string }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/** The cluster a file is deployed to: clusters/<cluster>/… or apps/[<team>/]<app>/<cluster>/…. */
function clusterOf(path: string): string | undefined {
  const parts = path.split("/");
  if (parts[0] === "clusters") return parts[1];
  if (parts[0] === "apps") return parts.at(-2);
  return undefined;
}

/**
 * Argo CD refuses to sync two copies of one object, and the second app to
 * apply it would silently take it over; e.g. a raw ConfigMap named like the
 * one the blueprint generates. Found here, where every file of a cluster is
 * known. Files from the render cache were checked with the same neighbours
 * before, so only clusters with a freshly rendered file are looked at.
 */
function duplicateObjects(files: readonly PlanEntry[], generatedNamesUnique: boolean): Diagnostic[] {
  // The fleet's own files are always fresh; an app manifest is fresh only
  // when its instance was rendered now. Only namespaces it touches can clash.
  const namespacesOf = (file: PlanEntry) => file.namespaces ?? file.objects.map((object) => object.namespace ?? "");
  const touched = new Set(
    files.flatMap((file) =>
      file.content !== undefined && file.path.startsWith("apps/") ? namespacesOf(file).map((ns) => `${clusterOf(file.path)}|${ns}`) : [],
    ),
  );
  const candidates = files.filter((file) => {
    const cluster = clusterOf(file.path);
    return cluster !== undefined && namespacesOf(file).some((ns) => touched.has(`${cluster}|${ns}`));
  });
  // A blueprint that names every object after its app (the built-in one does)
  // cannot clash with another app's; only the apps' own extra objects can.
  const isRaw = (object: PlannedObject) => object.origin.path?.[0] === "objects";
  const withRaw = generatedNamesUnique
    ? new Set(candidates.flatMap((file) => file.objects.filter(isRaw).map((object) => `${clusterOf(file.path)}|${object.namespace ?? ""}`)))
    : undefined;
  const seen = new Map<string, { path: string; object: PlannedObject }>();
  const diagnostics: Diagnostic[] = [];
  for (const file of candidates) {
    const cluster = clusterOf(file.path)!;
    for (const object of file.objects) {
      if (withRaw && !withRaw.has(`${cluster}|${object.namespace ?? ""}`)) continue;
      const group = object.apiVersion.includes("/") ? object.apiVersion.slice(0, object.apiVersion.indexOf("/")) : "";
      const id = `${cluster}|${group}|${object.kind}|${object.namespace ?? ""}|${object.name}`;
      const first = seen.get(id);
      if (!first) {
        seen.set(id, { path: file.path, object });
        continue;
      }
      diagnostics.push({
        code: "emit/duplicate-object",
        message: `${object.kind} ${object.namespace ? `${object.namespace}/` : ""}${object.name} is rendered twice on cluster ${cluster}: in ${file.path} and in ${first.path} (from ${first.object.origin.file}:${first.object.origin.line})`,
        origin: object.origin,
        hint: "give the object another name; one object can have only one owner",
      });
    }
  }
  return diagnostics;
}

/**
 * clusters/<cluster>/spoke, the objects a hub's Argo CD applies to its spoke
 * itself, and clusters/<cluster>/<engine>, those of the engine a cluster
 * moves to: applied by roots of their own.
 */
function isSpokeDir(dir: string): boolean {
  const parts = dir.split("/");
  return (
    parts.length === 3 && parts[0] === "clusters" && (parts[2] === SPOKE_DIR || (ENGINE_NAMES as readonly string[]).includes(parts[2]!))
  );
}

function dirname(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash === -1 ? "" : path.slice(0, slash);
}

/**
 * clusters/<cluster>/ is what the root Application and the one-time bootstrap
 * (`kubectl apply -k`) build, so every directory there that holds objects gets
 * a kustomization.yaml listing its files and the subdirectories that have one.
 * App manifests need none: Argo CD and Flux deploy a directory of plain YAML.
 * Fleet-wide files, they name the platform's stack as their source.
 */
function kustomizations(files: readonly PlanEntry[], platformFile: string): PlannedFile[] {
  const dirs = new Map<string, Set<string>>();
  const entry = (dir: string) => {
    let found = dirs.get(dir);
    if (!found) dirs.set(dir, (found = new Set()));
    return found;
  };
  for (const file of files) {
    // Every object file under clusters/ is YAML; the kustomizations themselves are not in `files` yet.
    if (!file.path.startsWith("clusters/") || !file.path.endsWith(".yaml")) continue;
    const dir = dirname(file.path);
    entry(dir).add(file.path.slice(dir.length + 1));
  }
  // A directory holding only directories (a spoke's spoke/) lists them too.
  for (const dir of [...dirs.keys()]) {
    for (let up = dirname(dir); up.split("/").length >= 2; up = dirname(up)) entry(up);
  }
  for (const dir of [...dirs.keys()]) {
    const parent = dirname(dir);
    // A spoke's own objects are applied to the spoke by an Application of their own, not with the
    // spoke's Argo CD objects, which its root applies to the hub (see model/hub.ts); the objects of
    // an engine the cluster moves to, by that engine's root (model/move-schema.ts).
    if (isSpokeDir(dir)) continue;
    dirs.get(parent)?.add(dir.slice(parent.length + 1));
  }
  return [...dirs].map(([dir, listed]) =>
    plannedFile(
      `${dir}/kustomization.yaml`,
      toYaml({ apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", resources: [...listed].sort() }),
      [platformFile],
      [],
    ),
  );
}
