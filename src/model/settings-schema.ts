import { z } from "zod";
import { scheduleProblem, timeZoneProblem } from "./cron.js";
import {
  containerName,
  envSchema,
  initContainerSchema,
  mountPath,
  portName,
  portsSchema,
  probeSchema,
  probesSchema,
  quantity,
  resourcesSchema,
  sidecarSchema,
} from "./container-schema.js";
import { filesSchema } from "./files-schema.js";
import { dnsLabel } from "./names.js";
import { securityContextSchema } from "./security-schema.js";
import { volumeSchema } from "./volume-schema.js";
import { exposeSchema } from "./exposure-schema.js";
import { identitySchema, placementSchema } from "./placement-schema.js";
import { secretSourceSchema, wholeSecretSchema } from "./secret-schema.js";
import { ownedFieldsSchema } from "./owned-fields-schema.js";
import { progressiveSchema } from "./progressive-schema.js";

/**
 * The workload settings that every layer may set: environment defaults,
 * cluster defaults, the app itself, and the app's per-environment and
 * per-cluster overrides. Every field is optional at every depth, so one schema
 * serves as both the full spec and its deep-partial override; completeness
 * (autoscaling has min and max, a probe has a kind) is checked after merging,
 * in resolve.
 */

export { mountPath, portName, probeSchema, quantity, resourcesSchema };

export const autoscalingSchema = z.strictObject({
  /** The fewest pods (the HPA's minReplicas). */
  min: z.number().int().min(1).optional(),
  /** The most pods (the HPA's maxReplicas), at least `min`. */
  max: z.number().int().min(1).optional(),
  /** Target average CPU utilisation, in percent of requests. */
  targetCPU: z.number().int().min(1).max(100).optional(),
});

/** A persistent volume per pod of a stateful service, mounted at `mountPath`. */
export const volumeClaimSchema = z.strictObject({
  /** Its size, a Kubernetes quantity such as "10Gi". */
  size: quantity.optional(),
  /** Where the container mounts it. */
  mountPath: mountPath.optional(),
  /** The StorageClass; default: the cluster's default class. */
  storageClass: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, { message: "must be a StorageClass name" })
    .optional(),
  /** How pods may mount it; default "ReadWriteOnce". */
  accessMode: z.enum(["ReadWriteOnce", "ReadWriteOncePod", "ReadOnlyMany", "ReadWriteMany"]).optional(),
});

export const settingsShape = {
  /** Pod count (default 1); absent while autoscaling owns it. */
  replicas: z.number().int().min(0, { message: "must be 0 or more" }).optional(),
  /** `false` switches off autoscaling that a lower layer turned on. */
  autoscaling: z.union([z.literal(false), autoscalingSchema]).optional(),
  /** Named container ports; every one is also exposed by the Service. */
  ports: portsSchema.optional(),
  /**
   * Environment variables: a string is a plain value and goes into the app's
   * ConfigMap; `secret(name, key)` reads one key of a declared secret.
   */
  env: envSchema.optional(),
  /** Whole secrets whose every key becomes an environment variable: `[secret("checkout-api")]`. */
  envFrom: z.array(wholeSecretSchema).optional(),
  /**
   * Config files by absolute path → text: `{ "/etc/checkout/config.yaml": "…" }`.
   * One ConfigMap `<app>-files`; each file's directory is mounted read-only
   * (whole: put a file in a directory of its own), and a change rolls the pods.
   */
  files: filesSchema.optional(),
  /** Whole secrets mounted read-only as files, by directory: `{ "/etc/checkout/tls": secret("checkout-tls") }`. */
  secretFiles: z.record(mountPath, wholeSecretSchema).optional(),
  /**
   * The secrets this layer declares, by the name `secret()` uses. A later
   * layer (an environment or cluster override) replaces a declaration whole.
   */
  secrets: z.record(dnsLabel, secretSourceSchema).optional(),
  /** The store an `externalSecret` without `store` reads: one of the platform's `secretStores`. */
  secretStore: dnsLabel.optional(),
  /** `{ requests, limits }` of `cpu`, `memory`, `ephemeral-storage` (Kubernetes quantities). */
  resources: resourcesSchema.optional(),
  /** `{ readiness?, liveness?, startup? }`, each a Probe. */
  probes: probesSchema.optional(),
  /** The container's command (its entrypoint), replacing the image's. */
  command: z.array(z.string()).optional(),
  /** The container's arguments. */
  args: z.array(z.string()).optional(),
  /**
   * Containers beside the app's, by name, for the pod's whole life (a log
   * shipper, a proxy): `{ "log-shipper": { image: "…@sha256:…", resources } }`.
   * Native sidecars: they start first and end with a Job's pod (Kubernetes 1.29).
   */
  sidecars: z.record(containerName, sidecarSchema).optional(),
  /** Containers that run to completion, in the order written, before the app's starts: `{ "wait-db": { command: [...] } }`. */
  initContainers: z.record(containerName, initContainerSchema).optional(),
  /**
   * Changes to the pods' hardened security context, within the namespace's Pod Security level:
   * `{ runAsUser, runAsGroup, fsGroup, runAsNonRoot, readOnlyRootFilesystem, capabilities: { add }, seccompProfile }`.
   */
  securityContext: securityContextSchema.optional(),
  /** Where the pods run: `{ nodeSelector, tolerations, spread, priorityClass }`. */
  placement: placementSchema.optional(),
  /** The cloud identity of the pods: `{ aws: { roleArn } }`, `{ gcp: { serviceAccount } }` or `{ azure: { clientId } }`. */
  identity: identitySchema.optional(),
  /** cronJob: when it runs, five cron fields ("30 2 * * *") or a descriptor ("@daily"), in `timeZone`. */
  schedule: z
    .string()
    .superRefine((schedule, ctx) => {
      const problem = scheduleProblem(schedule);
      if (problem) ctx.addIssue({ code: "custom", message: `the schedule ${JSON.stringify(schedule)} ${problem}` });
    })
    .optional(),
  /** cronJob: the time zone of `schedule`, from the tz database ("Europe/Berlin"); default: the kube-controller-manager's, usually UTC. */
  timeZone: z
    .string()
    .superRefine((zone, ctx) => {
      const problem = timeZoneProblem(zone);
      if (problem) ctx.addIssue({ code: "custom", message: `${JSON.stringify(zone)} ${problem}` });
    })
    .optional(),
  /** cronJob: what happens when a run is due while the last one still runs: "Forbid" (the default here: skip it), "Allow" or "Replace". */
  concurrencyPolicy: z.enum(["Forbid", "Allow", "Replace"]).optional(),
  /** cronJob: how many finished Jobs to keep: `{ successful: 3, failed: 1 }` (Kubernetes' defaults). */
  historyLimits: z
    .strictObject({
      successful: z.number().int().min(0).optional(),
      failed: z.number().int().min(0).optional(),
    })
    .optional(),
  /** cronJob: `true` stops new runs (per environment: `environments: { dev: { suspend: true } }`). */
  suspend: z.boolean().optional(),
  /** cronJob, job: seconds a run may take before it is stopped and counted failed. */
  activeDeadlineSeconds: z.number().int().min(1).optional(),
  /** cronJob, job: retries before a run counts as failed (Kubernetes' default 6). */
  backoffLimit: z.number().int().min(0).optional(),
  /**
   * The pod's volumes, by name: a scratch directory or an existing claim, mounted at `mountPath`:
   * `{ cache: { emptyDir: { sizeLimit: "1Gi" }, mountPath: "/var/cache/app" }, shared: { claim: "team-data", mountPath: "/data" } }`.
   */
  volumes: z.record(dnsLabel, volumeSchema).optional(),
  /** statefulService: a persistent volume per pod, by name: `{ data: { size: "10Gi", mountPath: "/var/lib/data" } }`. */
  volumeClaims: z.record(dnsLabel, volumeClaimSchema).optional(),
  /** statefulService: "OrderedReady" (the default: one pod at a time, in order) or "Parallel". */
  podManagementPolicy: z.enum(["OrderedReady", "Parallel"]).optional(),
  /**
   * service: serve it from outside, through what the platform's `exposure` names on the cluster:
   * `{ host: "shop.example.com", path?: "/", port?: "http", tls?: true }`, per environment and cluster
   * (an app's own setting, not the platform's); `false` stops it in a later layer.
   */
  expose: z.union([z.literal(false), exposeSchema]).optional(),
  /**
   * Fields of the app's objects that another controller owns, which the GitOps engine leaves to it:
   * `[{ kind: "Deployment", paths: ["spec.template.metadata.annotations.sidecar.istio.io/inject"], reason?: "…" }]`,
   * `{ kind, name?, managers: ["vpa-recommender"] }` (Argo CD only). Paths are checked against the kind's schema.
   * An app's own setting, per environment and cluster (a later layer replaces the list whole), not the platform's.
   */
  ownedFields: ownedFieldsSchema.optional(),
  /**
   * service: progressive delivery of each release inside a cluster, by the controller the platform runs there
   * (`progressiveDelivery`): `{ canary: { steps: [{ weight: 10, pause: "5m" }, { analysis: "error-rate" }, { weight: 50 }] } }`
   * or `{ blueGreen: { previewExposure?, autoPromote?, analysis? } }`. At the app's top level it applies in production
   * environments only; under `environments` or `clusters` it applies there. A later layer replaces it whole; `false` stops it.
   */
  progressive: progressiveSchema.optional(),
};

export const settingsSchema = z.strictObject(settingsShape);

export type Settings = z.input<typeof settingsSchema>;
/** The settings a platform's environment or cluster defaults: all but an app's own `expose`, `ownedFields` and `progressive`. */
export type PlatformSettings = Omit<Settings, "expose" | "ownedFields" | "progressive">;
export type ResourcesSpec = z.infer<typeof resourcesSchema>;
export type ProbeSpec = z.infer<typeof probeSchema>;
export type AutoscalingSpec = z.infer<typeof autoscalingSchema>;
export type VolumeClaimSpec = z.infer<typeof volumeClaimSchema>;
