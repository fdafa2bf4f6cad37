import type { Volume, VolumeMount } from "kubernetes-types/core/v1";
import type { ResolvedApp, ResolvedContainer } from "../../src/sdk.js";

/**
 * The app's `volumes` in its pod: a scratch directory (emptyDir, in memory
 * if asked) or an existing PersistentVolumeClaim, each mounted into the
 * app's container at its `mountPath`, and into the sidecars and init
 * containers that list it in their `volumeMounts`.
 */

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function appVolumes(app: ResolvedApp): Volume[] {
  return Object.entries(app.spec.volumes)
    .sort(([a], [b]) => byName(a, b))
    .map(([name, volume]): Volume => {
      if (volume.claim !== undefined)
        return { name, persistentVolumeClaim: { claimName: volume.claim, ...(volume.readOnly ? { readOnly: true } : {}) } };
      const { sizeLimit, memory } = volume.emptyDir ?? {};
      return { name, emptyDir: { ...(memory ? { medium: "Memory" } : {}), ...(sizeLimit !== undefined ? { sizeLimit } : {}) } };
    });
}

/** The app container's mounts of the volumes that name a `mountPath`. */
export function appVolumeMounts(app: ResolvedApp): VolumeMount[] {
  return Object.entries(app.spec.volumes)
    .filter(([, volume]) => volume.mountPath !== undefined)
    .sort(([a], [b]) => byName(a, b))
    .map(([name, volume]) => ({ name, mountPath: volume.mountPath!, ...(volume.readOnly ? { readOnly: true } : {}) }));
}

/** A sidecar's or init container's mounts, by volume name (the app's volumes, or a stateful service's volume claims). */
export function containerVolumeMounts(container: ResolvedContainer, volumes: ResolvedApp["spec"]["volumes"]): VolumeMount[] {
  return Object.entries(container.volumeMounts)
    .sort(([a], [b]) => byName(a, b))
    .map(([name, mountPath]) => ({
      name,
      mountPath,
      ...(Object.hasOwn(volumes, name) && volumes[name]!.readOnly ? { readOnly: true } : {}),
    }));
}
