import { createHash } from "node:crypto";
import type {
  ConfigMap,
  Container,
  EnvFromSource,
  EnvVar,
  PodTemplateSpec,
  ServiceAccount,
  Volume,
  VolumeMount,
} from "kubernetes-types/core/v1";
// sluice's SDK, imported by path so that it is the very module the engine runs, compiled or not.
import { podLabels, selectorLabels, type KubernetesObject, type ResolvedApp } from "../../src/sdk.js";
import { containerSecurityContext, initContainerSetting, initContainers, probe } from "./containers.js";
import { filesConfigMap, filesHash, filesMounts, filesVolumes, hasFiles } from "./files.js";
import { appVolumeMounts, appVolumes, containerVolumeMounts } from "./volumes.js";

/**
 * What every built-in blueprint's pod is made of: the app's ServiceAccount,
 * a ConfigMap of its plain environment variables, and the pod template with
 * its one container. Each kind puts the template into its own workload.
 */

export function serviceAccount(app: ResolvedApp): KubernetesObject {
  const annotations = identityAnnotations(app.spec.identity);
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: app.name, ...(annotations ? { annotations } : {}) },
    // Pods get an API token only when they ask for one.
    automountServiceAccountToken: false,
  } satisfies ServiceAccount;
}

export function hasEnv(app: ResolvedApp): boolean {
  return Object.keys(app.spec.env).length > 0;
}

export function configMap(app: ResolvedApp): KubernetesObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name: app.name }, data: { ...app.spec.env } } satisfies ConfigMap;
}

/** The ServiceAccount and, when the app has them, the ConfigMaps of its plain environment variables and of its files. */
export function podObjects(app: ResolvedApp): KubernetesObject[] {
  return [serviceAccount(app), ...(hasEnv(app) ? [configMap(app)] : []), ...(hasFiles(app) ? [filesConfigMap(app)] : [])];
}

export interface PodOptions {
  /** Jobs end: their pods are not restarted in place ("Never"). Long-running workloads leave it unset (Always). */
  readonly restartPolicy?: "Never" | "OnFailure";
  /** Extra mounts of the container (a stateful service's volumes). */
  readonly volumeMounts?: readonly VolumeMount[];
}

/** The pod template: the app's labels, its container, and what it mounts. */
export function podTemplate(app: ResolvedApp, options: PodOptions = {}): PodTemplateSpec {
  const { spec } = app;
  const env = hasEnv(app);
  const secretEnv: EnvVar[] = Object.keys(spec.secretEnv)
    .sort()
    .map((name) => ({ name, valueFrom: { secretKeyRef: { name: spec.secretEnv[name]!.secretName, key: spec.secretEnv[name]!.key } } }));
  const envFrom: EnvFromSource[] = [
    ...(env ? [{ configMapRef: { name: app.name } }] : []),
    ...spec.envFrom.map((secretName) => ({ secretRef: { name: secretName } })),
  ];
  const secrets = secretVolumes(spec.secretFiles);
  const volumes = [...secrets.volumes, ...filesVolumes(app), ...appVolumes(app)];
  const mounts = [
    ...secrets.volumeMounts,
    ...filesMounts(Object.keys(spec.files)),
    ...appVolumeMounts(app),
    ...(options.volumeMounts ?? []),
  ];
  // What the app changes of the hardened defaults; resolve refused what the namespace's Pod Security level would.
  const own = spec.securityContext ?? {};
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
    ...(mounts.length > 0 ? { volumeMounts: mounts } : {}),
    ...(Object.keys(spec.resources).length > 0 ? { resources: structuredClone(spec.resources) } : {}),
    ...(spec.probes.readiness ? { readinessProbe: probe(spec.probes.readiness) } : {}),
    ...(spec.probes.liveness ? { livenessProbe: probe(spec.probes.liveness) } : {}),
    ...(spec.probes.startup ? { startupProbe: probe(spec.probes.startup) } : {}),
    securityContext: {
      ...containerSecurityContext(),
      ...(own.readOnlyRootFilesystem !== undefined ? { readOnlyRootFilesystem: own.readOnlyRootFilesystem } : {}),
      ...(own.capabilities?.add?.length ? { capabilities: { add: [...own.capabilities.add], drop: ["ALL"] } } : {}),
    },
  };
  const beside = initContainers(spec, (container) => containerVolumeMounts(container, spec.volumes));
  const placement = spec.placement ?? {};
  return {
    metadata: {
      // Azure's webhook gives a pod its identity only when the pod asks for it.
      labels: spec.identity?.azure ? { ...podLabels(app), "azure.workload.identity/use": "true" } : podLabels(app),
      // ConfigMap changes do not restart pods by themselves; a changed hash in the pod template does.
      ...(env || hasFiles(app)
        ? {
            annotations: {
              ...(env ? { "sluice.dev/config-sha256": configHash(spec.env) } : {}),
              ...(hasFiles(app) ? { "sluice.dev/files-sha256": filesHash(spec.files) } : {}),
            },
          }
        : {}),
    },
    spec: {
      serviceAccountName: app.name,
      ...(options.restartPolicy ? { restartPolicy: options.restartPolicy } : {}),
      ...(placement.priorityClass ? { priorityClassName: placement.priorityClass } : {}),
      ...(placement.nodeSelector && Object.keys(placement.nodeSelector).length > 0 ? { nodeSelector: { ...placement.nodeSelector } } : {}),
      ...(placement.tolerations?.length ? { tolerations: placement.tolerations.map((toleration) => ({ ...toleration })) } : {}),
      ...(placement.spread?.length
        ? {
            topologySpreadConstraints: placement.spread.map((spread) => ({
              topologyKey: spread.topologyKey,
              maxSkew: spread.maxSkew ?? 1,
              whenUnsatisfiable: spread.whenUnsatisfiable ?? "DoNotSchedule",
              labelSelector: { matchLabels: selectorLabels(app) },
            })),
          }
        : {}),
      securityContext: {
        runAsNonRoot: own.runAsNonRoot ?? true,
        ...(own.runAsUser !== undefined ? { runAsUser: own.runAsUser } : {}),
        ...(own.runAsGroup !== undefined ? { runAsGroup: own.runAsGroup } : {}),
        ...(own.fsGroup !== undefined ? { fsGroup: own.fsGroup } : {}),
        seccompProfile:
          own.seccompProfile?.type === "Localhost"
            ? { type: "Localhost", localhostProfile: own.seccompProfile.localhostProfile! }
            : { type: own.seccompProfile?.type ?? "RuntimeDefault" },
      },
      containers: [container],
      ...(beside.length > 0 ? { initContainers: beside } : {}),
      ...(volumes.length > 0 ? { volumes } : {}),
    },
  };
}

/**
 * A row of a settingOf table: a field prefix and its setting, or a function
 * of the object and the rest of the field's path that names the setting.
 */
export type SettingRow = readonly [string, string | ((object: KubernetesObject, rest: readonly (string | number)[]) => string)];

/** Which setting each field of the pod template's containers comes from, under `template` (the path to the pod template). */
export function podSettings(template: string): SettingRow[] {
  const container = `${template}.spec.containers.0`;
  return [
    [`${container}.image`, "release"],
    [`${container}.resources`, "resources"],
    [`${container}.readinessProbe`, "probes.readiness"],
    [`${container}.livenessProbe`, "probes.liveness"],
    [`${container}.startupProbe`, "probes.startup"],
    [`${container}.ports`, "ports"],
    [`${container}.env`, "env"],
    [`${container}.envFrom`, "envFrom"],
    [`${container}.command`, "command"],
    [`${container}.args`, "args"],
    [`${container}.securityContext`, "securityContext"],
    [`${template}.spec.securityContext`, "securityContext"],
    [`${template}.spec.initContainers`, initContainerSetting(template)],
    [`${template}.spec.volumes`, volumeSetting(template)],
    [`${template}.spec.nodeSelector`, "placement.nodeSelector"],
    [`${template}.spec.tolerations`, "placement.tolerations"],
    [`${template}.spec.topologySpreadConstraints`, "placement.spread"],
    [`${template}.spec.priorityClassName`, "placement.priorityClass"],
  ];
}

/** settingOf for the pod's volumes under `template`: a ConfigMap's are the files', a Secret's the secretFiles', the others the app's volumes. */
function volumeSetting(template: string): (object: KubernetesObject, rest: readonly (string | number)[]) => string {
  const volumes = [...template.split("."), "spec", "volumes"];
  return (object, rest) => {
    const volume = [...volumes, Number(rest[0])].reduce<unknown>(
      (node, key) => (node as Record<string | number, unknown> | undefined)?.[key],
      object,
    ) as Volume | undefined;
    if (volume?.configMap) return "files";
    if (volume?.secret) return "secretFiles";
    return volume ? `volumes.${volume.name}` : "volumes";
  };
}

/** The ServiceAccount annotations that give the pods their cloud identity, each cloud's own. */
function identityAnnotations(identity: ResolvedApp["spec"]["identity"]): Record<string, string> | undefined {
  if (identity?.aws) return { "eks.amazonaws.com/role-arn": identity.aws.roleArn };
  if (identity?.gcp) return { "iam.gke.io/gcp-service-account": identity.gcp.serviceAccount };
  if (identity?.azure)
    return {
      "azure.workload.identity/client-id": identity.azure.clientId,
      ...(identity.azure.tenantId ? { "azure.workload.identity/tenant-id": identity.azure.tenantId } : {}),
    };
  return undefined;
}

/** A blueprint's settingOf from a table of (field prefix, setting) by kind: the longest prefix first. */
export function settingFrom(
  table: Readonly<Record<string, readonly SettingRow[]>>,
): (object: KubernetesObject, field: readonly (string | number)[]) => string | undefined {
  return (object, field) => {
    const path = field.join(".");
    const rows = Object.hasOwn(table, object.kind) ? table[object.kind]! : [];
    const row = rows.find(([prefix]) => path === prefix || path.startsWith(`${prefix}.`));
    if (!row) return undefined;
    const [prefix, setting] = row;
    return typeof setting === "string" ? setting : setting(object, field.slice(prefix.split(".").length));
  };
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

function configHash(env: Readonly<Record<string, string>>): string {
  const canonical = JSON.stringify(
    Object.keys(env)
      .sort()
      .map((key) => [key, env[key]]),
  );
  return createHash("sha256").update(canonical).digest("hex").slice(0, 16);
}
