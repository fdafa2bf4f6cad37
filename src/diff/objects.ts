import { parseAllDocuments } from "yaml";
import { generatedApplications, withoutElements } from "../engines/argocd/generated-applications.js";
import type { KubernetesObject } from "../k8s/object.js";
import { MAX_ALIASES } from "./bounds.js";

/** One object of the env repo, as diff matches it: by where it runs and what it is, not by file. */
export interface TreeObject {
  /** cluster, apiVersion, kind, namespace, name joined by spaces: the match key. */
  readonly id: string;
  readonly cluster: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly object: KubernetesObject;
  /** The file it is in, relative to the env repo's root. */
  readonly file: string;
  /** Set on an Application an ApplicationSet of the file makes: "ApplicationSet <namespace>/<name>". */
  readonly generatedBy?: string;
}

/**
 * The cluster a file of the env repo deploys to: apps/<app>/<cluster>/… or
 * clusters/<cluster>/…; undefined for the repo's own files (README,
 * CODEOWNERS, the lock).
 */
export function clusterOf(file: string): string | undefined {
  const parts = file.split("/");
  // apps/<app>/<cluster>/… or, by team, apps/<team>/<app>/<cluster>/…
  if (parts[0] === "apps" && parts.length >= 4) return parts.at(-2);
  if (parts[0] === "clusters" && parts.length >= 3) return parts[1];
  return undefined;
}

/** A file diff could not read as YAML: why, in words for the reader. */
export interface Unreadable {
  readonly unreadable: string;
}

/**
 * The Kubernetes objects a file holds, or undefined when it holds none that
 * a cluster receives: a document, or a kustomization.yaml, which only lists
 * files (a change of layout, never of what runs). A file that is not YAML,
 * or one whose aliases would expand without bound, is Unreadable: diff
 * reports it and goes on.
 *
 * An ApplicationSet of the form sluice writes ("per-team") counts as the
 * Applications Argo CD makes from it, each compared with itself as an
 * Application file of "per-app" would be (so switching between the two
 * shows no change to any Application), and as itself without its list of
 * elements: a change to one app's Application is that Application's, not
 * its team's ApplicationSet's.
 */
export function objectsIn(file: string, content: string): TreeObject[] | Unreadable | undefined {
  const cluster = clusterOf(file);
  if (cluster === undefined || !/\.ya?ml$/.test(file) || /(^|\/)kustomization\.ya?ml$/.test(file)) return undefined;
  const objects: TreeObject[] = [];
  let documents: ReturnType<typeof parseAllDocuments>;
  try {
    // uniqueKeys off: the yaml library compares each key with every other (quadratic: 20,000 env vars
    // in a ConfigMap took 20 s a file). sluice writes no duplicate keys; in a hand-edited base the last wins.
    documents = parseAllDocuments(content, { uniqueKeys: false });
  } catch (error) {
    return { unreadable: `could not be read as YAML (${firstLine(error)})` };
  }
  for (const document of documents) {
    if (!("toJS" in document)) continue;
    if (document.errors.length > 0) return { unreadable: `is not valid YAML: ${firstLine(document.errors[0])}` };
    let value: unknown;
    try {
      value = document.toJS({ maxAliasCount: MAX_ALIASES });
    } catch (error) {
      // yaml's guard against an alias bomb throws a ReferenceError ("Excessive alias count …").
      if (error instanceof ReferenceError)
        return { unreadable: `expands YAML aliases past the limit of ${MAX_ALIASES} (an alias bomb; sluice writes no aliases)` };
      return { unreadable: `could not be read as YAML (${firstLine(error)})` };
    }
    if (!isObject(value)) continue;
    const { apiVersion, kind, metadata } = value as Partial<KubernetesObject>;
    if (typeof apiVersion !== "string" || typeof kind !== "string" || !isObject(metadata) || typeof metadata.name !== "string") continue;
    const object = value as KubernetesObject;
    const generated = kind === "ApplicationSet" ? generatedApplications(object) : undefined;
    objects.push(treeObject(cluster, file, generated ? withoutElements(object) : object));
    const namespace = typeof metadata.namespace === "string" ? metadata.namespace : undefined;
    const generatedBy = `ApplicationSet ${namespace ? `${namespace}/` : ""}${metadata.name}`;
    for (const application of generated ?? []) objects.push({ ...treeObject(cluster, file, application), generatedBy });
  }
  return objects;
}

function treeObject(cluster: string, file: string, object: KubernetesObject): TreeObject {
  const { apiVersion, kind, metadata } = object;
  const namespace = typeof metadata.namespace === "string" ? metadata.namespace : undefined;
  return {
    id: objectId(cluster, apiVersion, kind, namespace, metadata.name),
    cluster,
    apiVersion,
    kind,
    ...(namespace !== undefined ? { namespace } : {}),
    name: metadata.name,
    object,
    file,
  };
}

export function isUnreadable(value: unknown): value is Unreadable {
  return typeof value === "object" && value !== null && !Array.isArray(value) && typeof (value as Unreadable).unreadable === "string";
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0]!.slice(0, 200);
}

export function objectId(cluster: string, apiVersion: string, kind: string, namespace: string | undefined, name: string): string {
  return [cluster, apiVersion, kind, namespace ?? "", name].join(" ");
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
