import type { Container, EnvVar, Probe, VolumeMount } from "kubernetes-types/core/v1";
import type { KubernetesObject, ResolvedContainer, ResolvedProbe, ResolvedSettings } from "../../src/sdk.js";
import { filesMounts } from "./files.js";

/**
 * The containers of the app's pod beside its own: sidecars, rendered as
 * native sidecars (init containers with `restartPolicy: Always`, which start
 * before the others, keep running, and stop when a Job's main container has
 * ended — Kubernetes 1.29), then the init containers in the order written.
 * Every one is hardened like the app's own.
 */

/** The container securityContext every container of the pod gets. */
export function containerSecurityContext(): NonNullable<Container["securityContext"]> {
  return { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } };
}

/** The pod's `initContainers`: the sidecars first (they must run before the init containers that may need them), then the init containers. */
export function initContainers(spec: ResolvedSettings, volumeMounts: (container: ResolvedContainer) => VolumeMount[]): Container[] {
  return [
    ...spec.sidecars.map((sidecar) => container(sidecar, true, volumeMounts(sidecar))),
    ...spec.initContainers.map((init) => container(init, false, volumeMounts(init))),
  ];
}

function container(spec: ResolvedContainer, sidecar: boolean, volumeMounts: readonly VolumeMount[]): Container {
  const mounts = [...filesMounts(spec.files), ...volumeMounts];
  const env: EnvVar[] = [
    ...Object.entries(spec.env).map(([name, value]): EnvVar => ({ name, value })),
    ...Object.entries(spec.secretEnv).map(
      ([name, ref]): EnvVar => ({ name, valueFrom: { secretKeyRef: { name: ref.secretName, key: ref.key } } }),
    ),
  ].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    name: spec.name,
    image: spec.image,
    imagePullPolicy: "IfNotPresent",
    ...(sidecar ? { restartPolicy: "Always" } : {}),
    ...(spec.command ? { command: [...spec.command] } : {}),
    ...(spec.args ? { args: [...spec.args] } : {}),
    ...(Object.keys(spec.ports).length > 0
      ? { ports: Object.entries(spec.ports).map(([name, port]) => ({ name, containerPort: port, protocol: "TCP" })) }
      : {}),
    ...(env.length > 0 ? { env } : {}),
    ...(mounts.length > 0 ? { volumeMounts: mounts } : {}),
    ...(Object.keys(spec.resources).length > 0 ? { resources: structuredClone(spec.resources) } : {}),
    ...(spec.probes.readiness ? { readinessProbe: probe(spec.probes.readiness) } : {}),
    ...(spec.probes.liveness ? { livenessProbe: probe(spec.probes.liveness) } : {}),
    ...(spec.probes.startup ? { startupProbe: probe(spec.probes.startup) } : {}),
    securityContext: containerSecurityContext(),
  };
}

export function probe(spec: ResolvedProbe): Probe {
  const action = spec.exec
    ? { exec: { command: [...spec.exec] } }
    : spec.tcp
      ? { tcpSocket: { port: spec.port! } }
      : { httpGet: { path: spec.http!, port: spec.port! } };
  const timing = (["initialDelaySeconds", "periodSeconds", "timeoutSeconds", "failureThreshold"] as const).filter(
    (key) => spec[key] !== undefined,
  );
  return { ...action, ...Object.fromEntries(timing.map((key) => [key, spec[key]])) };
}

/** A container's field → its setting under `sidecars.<name>` or `initContainers.<name>`. */
const FIELDS: Readonly<Record<string, string>> = {
  command: "command",
  volumeMounts: "volumeMounts",
  args: "args",
  ports: "ports",
  env: "env",
  resources: "resources",
  readinessProbe: "probes.readiness",
  livenessProbe: "probes.liveness",
  startupProbe: "probes.startup",
};

/**
 * settingOf for the pod's `initContainers` under `template`: which sidecar or
 * init container a field is of (by its name in the rendered object), and
 * which of its settings made it; the image of one that runs the app's image
 * is the release.
 */
export function initContainerSetting(template: string): (object: KubernetesObject, rest: readonly (string | number)[]) => string {
  const podPath = [...template.split("."), "spec"];
  return (object, rest) => {
    const pod = podPath.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], object) as
      | { containers?: Container[]; initContainers?: Container[] }
      | undefined;
    const entry = pod?.initContainers?.[Number(rest[0])];
    if (!entry) return "initContainers";
    const base = `${entry.restartPolicy === "Always" ? "sidecars" : "initContainers"}.${entry.name}`;
    const field = rest[1];
    if (field === undefined) return base;
    if (field === "image") return entry.image === pod?.containers?.[0]?.image ? "release" : `${base}.image`;
    if (field === "env" && typeof rest[2] === "number") {
      const variable = entry.env?.[rest[2]]?.name;
      return variable === undefined ? `${base}.env` : `${base}.env.${variable}`;
    }
    return Object.hasOwn(FIELDS, field) ? `${base}.${FIELDS[field]}` : base;
  };
}
