import { createHash } from "node:crypto";
import type { Deployment } from "kubernetes-types/apps/v1";
import type { HorizontalPodAutoscaler } from "kubernetes-types/autoscaling/v2";
import type {
  ConfigMap,
  Container,
  EnvFromSource,
  EnvVar,
  Probe,
  Service,
  ServiceAccount,
  Volume,
  VolumeMount,
} from "kubernetes-types/core/v1";
import type { PodDisruptionBudget } from "kubernetes-types/policy/v1";
// sluice's SDK (what `import ... from "sluice"` or "sluice/sdk" gives a user's
// own blueprint), imported by path so that it is the very module the engine
// runs, compiled or not.
import { podLabels, selectorLabels, type Blueprint, type KubernetesObject, type ResolvedApp, type ResolvedProbe } from "../../src/sdk.js";

/**
 * The default workload: a Deployment with a ServiceAccount, a ConfigMap for
 * plain environment variables (secrets are read from their own Secrets, by
 * reference), a Service for its ports, a PodDisruptionBudget
 * once it runs two or more pods, and a HorizontalPodAutoscaler when it
 * autoscales. Built only on sluice's public API, as a team's own blueprint
 * would be.
 */
export const webService: Blueprint = {
  name: "web-service",
  render(app: ResolvedApp): KubernetesObject[] {
    const { spec } = app;
    const objects: KubernetesObject[] = [serviceAccount(app)];
    const hasEnv = Object.keys(spec.env).length > 0;
    if (hasEnv) objects.push(configMap(app));
    objects.push(deployment(app, hasEnv));
    if (Object.keys(spec.ports).length > 0) objects.push(service(app));
    const minPods = spec.autoscaling ? spec.autoscaling.min : (spec.replicas ?? 1);
    if (minPods >= 2) objects.push(podDisruptionBudget(app));
    if (spec.autoscaling) objects.push(horizontalPodAutoscaler(app));
    return objects;
  },
  settingOf(object: KubernetesObject, field: readonly (string | number)[]): string | undefined {
    const path = field.join(".");
    const table = Object.hasOwn(SETTINGS, object.kind) ? SETTINGS[object.kind]! : [];
    return table.find(([prefix]) => path === prefix || path.startsWith(`${prefix}.`))?.[1];
  },
};

const CONTAINER = "spec.template.spec.containers.0";

/** Which setting each field of the objects above comes from, by kind: the longest prefix first. */
const SETTINGS: Readonly<Record<string, readonly (readonly [string, string])[]>> = {
  Deployment: [
    [`${CONTAINER}.image`, "release"],
    [`${CONTAINER}.resources`, "resources"],
    [`${CONTAINER}.readinessProbe`, "probes.readiness"],
    [`${CONTAINER}.livenessProbe`, "probes.liveness"],
    [`${CONTAINER}.startupProbe`, "probes.startup"],
    [`${CONTAINER}.ports`, "ports"],
    [`${CONTAINER}.env`, "env"],
    [`${CONTAINER}.envFrom`, "envFrom"],
    [`${CONTAINER}.command`, "command"],
    [`${CONTAINER}.args`, "args"],
    ["spec.template.spec.volumes", "secretFiles"],
    ["spec.replicas", "replicas"],
  ],
  HorizontalPodAutoscaler: [
    ["spec.minReplicas", "autoscaling.min"],
    ["spec.maxReplicas", "autoscaling.max"],
    ["spec.metrics", "autoscaling.targetCPU"],
  ],
  ConfigMap: [["data", "env"]],
  Service: [["spec.ports", "ports"]],
  PodDisruptionBudget: [["spec", "replicas"]],
};

function serviceAccount(app: ResolvedApp): KubernetesObject {
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: app.name },
    // Pods get an API token only when they ask for one.
    automountServiceAccountToken: false,
  } satisfies ServiceAccount;
}

function configMap(app: ResolvedApp): KubernetesObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name: app.name }, data: { ...app.spec.env } } satisfies ConfigMap;
}

function deployment(app: ResolvedApp, hasEnv: boolean): KubernetesObject {
  const { spec } = app;
  const secretEnv: EnvVar[] = Object.keys(spec.secretEnv)
    .sort()
    .map((name) => ({ name, valueFrom: { secretKeyRef: { name: spec.secretEnv[name]!.secretName, key: spec.secretEnv[name]!.key } } }));
  const envFrom: EnvFromSource[] = [
    ...(hasEnv ? [{ configMapRef: { name: app.name } }] : []),
    ...spec.envFrom.map((secretName) => ({ secretRef: { name: secretName } })),
  ];
  const { volumes, volumeMounts } = secretVolumes(spec.secretFiles);
  const container: Container = {
    name: app.name,
    image: app.imageRef,
    imagePullPolicy: "IfNotPresent",
    ...(spec.command ? { command: [...spec.command] } : {}),
    ...(spec.args ? { args: [...spec.args] } : {}),
    ...(Object.keys(spec.ports).length > 0
      ? { ports: Object.entries(spec.ports).map(([name, port]) => ({ name, containerPort: port, protocol: "TCP" })) }
      : {}),
    ...(secretEnv.length > 0 ? { env: secretEnv } : {}),
    ...(envFrom.length > 0 ? { envFrom } : {}),
    ...(volumeMounts.length > 0 ? { volumeMounts } : {}),
    ...(Object.keys(spec.resources).length > 0 ? { resources: structuredClone(spec.resources) } : {}),
    ...(spec.probes.readiness ? { readinessProbe: probe(spec.probes.readiness) } : {}),
    ...(spec.probes.liveness ? { livenessProbe: probe(spec.probes.liveness) } : {}),
    ...(spec.probes.startup ? { startupProbe: probe(spec.probes.startup) } : {}),
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
  };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: app.name },
    spec: {
      // With autoscaling the HPA owns the count; writing it here would make
      // every sync fight the autoscaler.
      ...(spec.autoscaling ? {} : { replicas: spec.replicas ?? 1 }),
      selector: { matchLabels: selectorLabels(app) },
      template: {
        metadata: {
          labels: podLabels(app),
          // ConfigMap changes do not restart pods by themselves; a changed
          // hash in the pod template does.
          ...(hasEnv ? { annotations: { "sluice.dev/config-sha256": configHash(spec.env) } } : {}),
        },
        spec: {
          serviceAccountName: app.name,
          securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
          containers: [container],
          ...(volumes.length > 0 ? { volumes } : {}),
        },
      },
    },
  } satisfies Deployment;
}

/**
 * One read-only volume per Secret mounted as files, named after the Secret
 * (unique in the pod), and one mount per directory, in path order.
 */
function secretVolumes(files: Readonly<Record<string, string>>): { volumes: Volume[]; volumeMounts: VolumeMount[] } {
  const directories = Object.keys(files).sort();
  const secretNames = [...new Set(directories.map((directory) => files[directory]!))].sort();
  return {
    volumes: secretNames.map((secretName) => ({ name: volumeName(secretName), secret: { secretName } })),
    volumeMounts: directories.map((mountPath) => ({ name: volumeName(files[mountPath]!), mountPath, readOnly: true })),
  };
}

/** A volume name is a DNS label of at most 63 characters; a Secret name may be longer. */
function volumeName(secretName: string): string {
  if (secretName.length <= 63) return secretName;
  const digest = createHash("sha256").update(secretName).digest("hex").slice(0, 8);
  return `${secretName.slice(0, 54).replace(/-+$/, "")}-${digest}`;
}

function probe(spec: ResolvedProbe): Probe {
  const action = spec.tcp ? { tcpSocket: { port: spec.port } } : { httpGet: { path: spec.http!, port: spec.port } };
  const timing = (["initialDelaySeconds", "periodSeconds", "timeoutSeconds", "failureThreshold"] as const).filter(
    (key) => spec[key] !== undefined,
  );
  return { ...action, ...Object.fromEntries(timing.map((key) => [key, spec[key]])) };
}

function service(app: ResolvedApp): KubernetesObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: app.name },
    spec: {
      type: "ClusterIP",
      selector: selectorLabels(app),
      ports: Object.entries(app.spec.ports).map(([name, port]) => ({ name, port, targetPort: name, protocol: "TCP" })),
    },
  } satisfies Service;
}

function podDisruptionBudget(app: ResolvedApp): KubernetesObject {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name: app.name },
    spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(app) } },
  } satisfies PodDisruptionBudget;
}

function horizontalPodAutoscaler(app: ResolvedApp): KubernetesObject {
  const autoscaling = app.spec.autoscaling!;
  return {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: { name: app.name },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: app.name },
      minReplicas: autoscaling.min,
      maxReplicas: autoscaling.max,
      metrics: [
        {
          type: "Resource",
          resource: { name: "cpu", target: { type: "Utilization", averageUtilization: autoscaling.targetCPU } },
        },
      ],
    },
  } satisfies HorizontalPodAutoscaler;
}

function configHash(env: Readonly<Record<string, string>>): string {
  const canonical = JSON.stringify(
    Object.keys(env)
      .sort()
      .map((key) => [key, env[key]]),
  );
  return createHash("sha256").update(canonical).digest("hex").slice(0, 16);
}
