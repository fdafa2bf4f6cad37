import { createHash } from "node:crypto";
import type { ConfigMap, Volume, VolumeMount } from "kubernetes-types/core/v1";
import type { KubernetesObject, ResolvedApp } from "../../src/sdk.js";

/**
 * The app's `files`: one ConfigMap `<app>-files` holding them all, and one
 * read-only volume per directory that projects exactly that directory's
 * files (`items`), so each lands at its path. Never `subPath`: a file
 * mounted by subPath is never updated in a running pod.
 */

export function hasFiles(app: ResolvedApp): boolean {
  return Object.keys(app.spec.files).length > 0;
}

export function filesConfigMapName(app: ResolvedApp): string {
  return `${app.name}-files`;
}

export function filesConfigMap(app: ResolvedApp): KubernetesObject {
  const keys = fileKeys(Object.keys(app.spec.files));
  const data = Object.fromEntries(
    [...keys].sort(([, a], [, b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([path, key]) => [key, app.spec.files[path]!]),
  );
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name: filesConfigMapName(app) }, data } satisfies ConfigMap;
}

/**
 * Each path's key in the ConfigMap: the path without its first "/", with
 * "/" as "_" and any other character a key cannot hold ([-._a-zA-Z0-9]) as
 * "-" ("/etc/checkout/config.yaml" → "etc_checkout_config.yaml"). Paths
 * that would share a key, or make one longer than 253 characters, get the
 * first 8 hex digits of their path's SHA-256 appended instead.
 */
export function fileKeys(paths: readonly string[]): Map<string, string> {
  const plain = (path: string) =>
    path
      .slice(1)
      .replace(/\//g, "_")
      .replace(/[^-._a-zA-Z0-9]/g, "-");
  const counts = new Map<string, number>();
  for (const path of paths) counts.set(plain(path), (counts.get(plain(path)) ?? 0) + 1);
  return new Map(
    paths.map((path) => {
      const key = plain(path);
      if (counts.get(key) === 1 && key.length <= 253) return [path, key];
      return [path, `${key.slice(0, 240)}-${digest(path).slice(0, 8)}`];
    }),
  );
}

/** The volume of one directory's files: named for the directory (a DNS label, the same on every render). */
export function filesVolumeName(directory: string): string {
  return `files-${digest(directory).slice(0, 10)}`;
}

/** One volume per directory of the app's files, in directory order, each projecting that directory's files by name. */
export function filesVolumes(app: ResolvedApp): Volume[] {
  const paths = Object.keys(app.spec.files);
  const keys = fileKeys(paths);
  const byDirectory = new Map<string, string[]>();
  for (const path of paths) {
    const directory = path.slice(0, path.lastIndexOf("/"));
    byDirectory.set(directory, [...(byDirectory.get(directory) ?? []), path]);
  }
  return [...byDirectory.keys()].sort().map((directory) => ({
    name: filesVolumeName(directory),
    configMap: {
      name: filesConfigMapName(app),
      items: byDirectory
        .get(directory)!
        .sort()
        .map((path) => ({ key: keys.get(path)!, path: path.slice(directory.length + 1) })),
    },
  }));
}

/** The read-only mounts of the directories of these files (all the app's files, or those a sidecar lists). */
export function filesMounts(paths: readonly string[]): VolumeMount[] {
  const directories = [...new Set(paths.map((path) => path.slice(0, path.lastIndexOf("/"))))].sort();
  return directories.map((directory) => ({ name: filesVolumeName(directory), mountPath: directory, readOnly: true }));
}

/** The files' content, hashed into the pod template so that a change rolls the pods. */
export function filesHash(files: Readonly<Record<string, string>>): string {
  const canonical = JSON.stringify(
    Object.keys(files)
      .sort()
      .map((path) => [path, files[path]]),
  );
  return digest(canonical).slice(0, 16);
}

function digest(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
