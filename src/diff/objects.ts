import { parseAllDocuments } from "yaml";
import type { KubernetesObject } from "../k8s/object.js";

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
}

/**
 * The cluster a file of the env repo deploys to: apps/<app>/<cluster>/… or
 * clusters/<cluster>/…; undefined for the repo's own files (README,
 * CODEOWNERS, the lock).
 */
export function clusterOf(file: string): string | undefined {
  const parts = file.split("/");
  if (parts[0] === "apps" && parts.length >= 4) return parts[2];
  if (parts[0] === "clusters" && parts.length >= 3) return parts[1];
  return undefined;
}

/**
 * The Kubernetes objects a file holds, or undefined when it holds none that
 * a cluster receives: a document, or a kustomization.yaml, which only lists
 * files (a change of layout, never of what runs).
 */
export function objectsIn(file: string, content: string): TreeObject[] | undefined {
  const cluster = clusterOf(file);
  if (cluster === undefined || !/\.ya?ml$/.test(file) || /(^|\/)kustomization\.ya?ml$/.test(file)) return undefined;
  const objects: TreeObject[] = [];
  for (const document of parseAllDocuments(content)) {
    if (!("toJS" in document)) continue;
    const value: unknown = document.toJS();
    if (!isObject(value)) continue;
    const { apiVersion, kind, metadata } = value as Partial<KubernetesObject>;
    if (typeof apiVersion !== "string" || typeof kind !== "string" || !isObject(metadata) || typeof metadata.name !== "string") continue;
    const namespace = typeof metadata.namespace === "string" ? metadata.namespace : undefined;
    objects.push({
      id: objectId(cluster, apiVersion, kind, namespace, metadata.name),
      cluster,
      apiVersion,
      kind,
      ...(namespace !== undefined ? { namespace } : {}),
      name: metadata.name,
      object: value as KubernetesObject,
      file,
    });
  }
  return objects;
}

export function objectId(cluster: string, apiVersion: string, kind: string, namespace: string | undefined, name: string): string {
  return [cluster, apiVersion, kind, namespace ?? "", name].join(" ");
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
