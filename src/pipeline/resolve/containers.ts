import type { Diagnostic } from "../../model/diagnostic.js";
import type { Origin } from "../../model/origin.js";
import type { ResolvedContainer, ResolvedSettings } from "../../model/resolved.js";
import type { SidecarSpec } from "../../model/container-schema.js";
import type { Settings } from "../../model/settings-schema.js";
import type { Provenance } from "./merge.js";
import { resolveProbes } from "./probes.js";
import { CONTAINER_LISTS } from "./secrets.js";

interface ContainerContext {
  readonly app: string;
  /** The app's image at the wave's release. */
  readonly imageRef: string;
  /** The app container's ports: a port name or number is the pod's once. */
  readonly ports: Readonly<Record<string, number>>;
  readonly containerEnv: ReadonlyMap<string, Pick<ResolvedSettings, "env" | "secretEnv">>;
  readonly provenance: Provenance;
  readonly where: (path: string) => Origin;
  readonly onCluster: string;
}

const WHAT = { sidecars: "sidecar", initContainers: "init container" } as const;

/**
 * The sidecars and init containers, merged (a later layer's entry for the
 * same name merges into the earlier one key by key), in the order written: a
 * platform layer's first. A container without `image` runs the app's image at
 * the wave's release. Names are unique in the pod, and so are port names and
 * numbers (the pod's containers share one network namespace).
 */
export function resolveContainers(
  merged: Settings,
  context: ContainerContext,
  diagnostics: Diagnostic[],
): Pick<ResolvedSettings, "sidecars" | "initContainers"> {
  const { where, onCluster } = context;
  const portNames = new Map<string, string>(Object.keys(context.ports).map((name) => [name, "the app"]));
  const portNumbers = new Map<number, string>(Object.entries(context.ports).map(([name, port]) => [port, `the app's port ${name}`]));
  const resolved = { sidecars: [] as ResolvedContainer[], initContainers: [] as ResolvedContainer[] };
  for (const list of CONTAINER_LISTS) {
    for (const [name, container] of Object.entries(merged[list] ?? {})) {
      const path = `${list}.${name}`;
      const what = `${WHAT[list]} ${name}`;
      if (name === context.app) {
        diagnostics.push({
          code: "resolve/container-name",
          message: `the ${what} has the app's own name, which its main container has${onCluster}`,
          origin: where(path),
          hint: `name it for what it does, e.g. "${name}-proxy"`,
        });
        continue;
      }
      if (list === "initContainers" && Object.hasOwn(merged.sidecars ?? {}, name)) {
        diagnostics.push({
          code: "resolve/container-name",
          message: `${name} is both a sidecar and an init container; container names are unique in the pod${onCluster}`,
          origin: where(path),
          hint: "rename one of them",
        });
        continue;
      }
      const ports = list === "sidecars" ? ((container as SidecarSpec).ports ?? {}) : {};
      for (const [portName, port] of Object.entries(ports)) {
        const clash = portNames.get(portName) ?? portNumbers.get(port);
        if (clash !== undefined) {
          const which = portNames.has(portName) ? `the name ${JSON.stringify(portName)}` : `port ${port}`;
          diagnostics.push({
            code: "resolve/container-port",
            message: `the ${what} declares ${which}, which ${clash} has: the pod's containers share its ports${onCluster}`,
            origin: where(`${path}.ports.${portName}`),
            hint: "give it another name and number",
          });
        }
        portNames.set(portName, `the ${what}`);
        portNumbers.set(port, `the ${what}'s port ${portName}`);
      }
      const volumeMounts = container.volumeMounts ?? {};
      for (const volume of Object.keys(volumeMounts)) {
        if (Object.hasOwn(merged.volumes ?? {}, volume) || Object.hasOwn(merged.volumeClaims ?? {}, volume)) continue;
        const known = [...Object.keys(merged.volumes ?? {}), ...Object.keys(merged.volumeClaims ?? {})].sort();
        diagnostics.push({
          code: "resolve/unknown-volume",
          message: `the ${what} mounts volume ${JSON.stringify(volume)}, which the pod does not have${onCluster}`,
          origin: where(`${path}.volumeMounts.${volume}`),
          hint: `mount one of: ${known.join(", ") || "(none: declare it in volumes)"}`,
        });
      }
      const files = container.files ?? [];
      // Its files' directories and its volumes: one mount per directory.
      const taken = new Set(files.map((file) => file.slice(0, file.lastIndexOf("/"))));
      for (const [volume, mountPath] of Object.entries(volumeMounts)) {
        if (taken.has(mountPath))
          diagnostics.push({
            code: "resolve/mount-path",
            message: `the ${what} mounts volume ${volume} at ${mountPath}, where it already mounts something${onCluster}`,
            origin: where(`${path}.volumeMounts.${volume}`),
            hint: "give each mount a directory of its own",
          });
        taken.add(mountPath);
      }
      const unknown = files.filter((file) => !Object.hasOwn(merged.files ?? {}, file));
      if (unknown.length > 0)
        diagnostics.push({
          code: "resolve/unknown-file",
          message: `the ${what} mounts ${unknown.join(", ")}, which the app's files do not hold${onCluster}`,
          origin: where(`${path}.files`),
          hint: `list paths of the app's files: ${Object.keys(merged.files ?? {}).join(", ") || "(none: declare them in files)"}`,
        });
      const env = context.containerEnv.get(path) ?? { env: {}, secretEnv: {} };
      const probes =
        list === "sidecars"
          ? resolveProbes(
              (container as SidecarSpec).probes,
              ports,
              { path: `${path}.probes`, whose: `the ${what}'s `, portsWhose: `the ${what}'s `, declarer: `the ${what}` },
              context.provenance,
              where,
              onCluster,
              diagnostics,
            )
          : {};
      resolved[list].push({
        name,
        image: container.image ?? context.imageRef,
        appImage: container.image === undefined,
        ...(container.command ? { command: container.command } : {}),
        ...(container.args ? { args: container.args } : {}),
        ...env,
        resources: container.resources ?? {},
        ports,
        probes,
        files,
        volumeMounts,
      });
    }
  }
  return resolved;
}
