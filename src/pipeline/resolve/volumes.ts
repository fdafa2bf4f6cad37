import type { Diagnostic } from "../../model/diagnostic.js";
import type { Origin } from "../../model/origin.js";
import type { ResolvedVolume } from "../../model/resolved.js";
import type { Settings } from "../../model/settings-schema.js";
import type { Provenance } from "./merge.js";

const SOURCES = ["emptyDir", "claim"] as const;

/**
 * The app's volumes, merged, each with the source of the highest layer that
 * names one (a cluster that mounts a claim where the environment had a
 * scratch directory replaces it); a name the pod already uses (a volume
 * claim of a stateful service, the files' or a secret's volume) is refused.
 */
export function resolveVolumes(
  merged: Settings,
  context: { readonly app: string; readonly provenance: Provenance; readonly where: (path: string) => Origin; readonly onCluster: string },
  diagnostics: Diagnostic[],
): Record<string, ResolvedVolume> {
  const { provenance, where, onCluster } = context;
  const volumes: Record<string, ResolvedVolume> = {};
  const secretVolumes = new Set(Object.values(merged.secretFiles ?? {}).map((whole) => `${context.app}-${whole.secret}`));
  for (const [name, volume] of Object.entries(merged.volumes ?? {})) {
    const path = `volumes.${name}`;
    const taken = Object.hasOwn(merged.volumeClaims ?? {}, name)
      ? "a volume claim of the same name"
      : name.startsWith("files-")
        ? 'the files\' volumes (named "files-…")'
        : secretVolumes.has(name)
          ? "the volume of a secret in secretFiles"
          : undefined;
    if (taken !== undefined) {
      diagnostics.push({
        code: "resolve/volume-name",
        message: `volume ${name} has the name of ${taken}: volume names are unique in the pod${onCluster}`,
        origin: where(path),
        hint: "give the volume another name",
      });
      continue;
    }
    const layerOf = (source: (typeof SOURCES)[number]) => {
      if (volume[source] === undefined) return -1;
      let top = -1;
      for (const [key, at] of provenance)
        if (key === `${path}.${source}` || key.startsWith(`${path}.${source}.`)) top = Math.max(top, at.layer);
      return top;
    };
    const named = SOURCES.filter((source) => volume[source] !== undefined);
    if (named.length === 0) {
      diagnostics.push({
        code: "resolve/volume-source",
        message: `volume ${name} needs one of emptyDir or claim${onCluster}`,
        origin: where(path),
        hint: `write volumes: { ${name}: { emptyDir: {}, mountPath: "/var/cache/${name}" } } or { claim: "<PersistentVolumeClaim>", mountPath: … }`,
      });
      continue;
    }
    const top = named.reduce((best, source) => (layerOf(source) > layerOf(best) ? source : best));
    if (named.length > 1 && layerOf(named[0]!) === layerOf(named[1]!)) {
      diagnostics.push({
        code: "resolve/volume-source",
        message: `volume ${name} names both emptyDir and claim in one layer${onCluster}`,
        origin: where(`${path}.${top}`),
        hint: "keep one of them",
      });
      continue;
    }
    const { mountPath, readOnly } = volume;
    volumes[name] = {
      ...(top === "claim" ? { claim: volume.claim! } : { emptyDir: { ...volume.emptyDir } }),
      ...(mountPath !== undefined ? { mountPath } : {}),
      ...(readOnly ? { readOnly } : {}),
    };
  }
  return volumes;
}
