import type { Diagnostic } from "../../model/diagnostic.js";
import type { Origin } from "../../model/origin.js";
import { CONFIG_MAP_MAX_BYTES } from "../../model/files-schema.js";
import type { Settings } from "../../model/settings-schema.js";

/** A directory mounted into the app's container, with the setting that mounts it. */
export interface Mount {
  readonly path: string;
  /** The dotted settings path to point an error at. */
  readonly setting: string;
  /** What mounts it, for messages: "secretFiles /etc/tls", "the directory of file /etc/app/a.yaml". */
  readonly what: string;
  /** A Secret's or the files' directory, mounted read-only. */
  readonly readOnly: boolean;
}

/** The directory of a file path: "/etc/app/a.yaml" → "/etc/app". */
export function directoryOf(path: string): string {
  return path.slice(0, path.lastIndexOf("/"));
}

/** `inner` is `outer` or lies below it. */
function within(inner: string, outer: string): boolean {
  return inner === outer || inner.startsWith(`${outer}/`);
}

/**
 * The directories the app's container mounts: its volume claims and
 * volumes, its secretFiles, and the directory of each of its files (mounted whole,
 * read-only: several files of one directory share it), in that order, so
 * that a clash is reported at the file's line.
 */
export function appMounts(merged: Settings): Mount[] {
  const mounts: Mount[] = [];
  for (const [name, claim] of Object.entries(merged.volumeClaims ?? {}))
    if (claim.mountPath !== undefined)
      mounts.push({ path: claim.mountPath, setting: `volumeClaims.${name}.mountPath`, what: `volume claim ${name}`, readOnly: false });
  for (const [name, volume] of Object.entries(merged.volumes ?? {}))
    if (volume.mountPath !== undefined)
      mounts.push({ path: volume.mountPath, setting: `volumes.${name}.mountPath`, what: `volume ${name}`, readOnly: false });
  for (const directory of Object.keys(merged.secretFiles ?? {}))
    mounts.push({ path: directory, setting: `secretFiles.${directory}`, what: `secretFiles ${directory}`, readOnly: true });
  const fileDirectories = new Set<string>();
  for (const file of Object.keys(merged.files ?? {})) {
    const directory = directoryOf(file);
    if (fileDirectories.has(directory)) continue;
    fileDirectories.add(directory);
    mounts.push({ path: directory, setting: `files.${file}`, what: `the directory of file ${file}`, readOnly: true });
  }
  return mounts;
}

/**
 * What is wrong with the mounts of the app's container: two at one path, or
 * one inside another where either is a Secret's or the files' directory (the
 * runtime cannot make a mount point in a read-only volume, and a file under
 * another mount would be hidden by it or hide it). Each is reported at the
 * later mount's line.
 */
export function mountProblems(mounts: readonly Mount[], where: (path: string) => Origin, onCluster: string): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  mounts.forEach((mount, index) => {
    for (const earlier of mounts.slice(0, index)) {
      const same = mount.path === earlier.path;
      // Writable volumes may nest; a Secret's or the files' directory neither holds a mount nor goes inside one.
      const readOnly = mount.readOnly || earlier.readOnly;
      const inside = !same && readOnly && within(mount.path, earlier.path);
      const around = !same && readOnly && within(earlier.path, mount.path);
      if (!same && !inside && !around) continue;
      const relation = same
        ? `is mounted at ${mount.path}, where ${earlier.what} is`
        : inside
          ? `is mounted at ${mount.path}, inside ${earlier.path}, where ${earlier.what} is`
          : `is mounted at ${mount.path}, around ${earlier.path}, where ${earlier.what} is`;
      diagnostics.push({
        code: "resolve/mount-path",
        message: `${capitalised(mount.what)} ${relation}${onCluster}`,
        origin: where(mount.setting),
        hint: "give each mount a directory of its own, not inside a Secret's or the files' directory (a file's directory is mounted whole)",
      });
      break;
    }
  });
  return diagnostics;
}

/** The files' total size against the ConfigMap's limit. */
export function filesProblems(merged: Settings, where: (path: string) => Origin, onCluster: string): Diagnostic[] {
  const files = Object.entries(merged.files ?? {});
  const bytes = files.reduce((sum, [, text]) => sum + Buffer.byteLength(text, "utf8"), 0);
  if (bytes <= CONFIG_MAP_MAX_BYTES) return [];
  return [
    {
      code: "resolve/files-size",
      message: `the files hold ${bytes} bytes, more than the ${CONFIG_MAP_MAX_BYTES} (1 MiB) a ConfigMap may${onCluster}`,
      // At the `files` of the layer that wrote the first of them, not at that file.
      origin: withoutLast(where(`files.${files[0]![0]}`)),
      hint: "ship large files in the image, or on a volume",
    },
  ];
}

function withoutLast(origin: Origin): Origin {
  return origin.path && origin.path.length > 0 ? { ...origin, path: origin.path.slice(0, -1) } : origin;
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
