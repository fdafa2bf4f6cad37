import { z } from "zod";
import { scheduleProblem, timeZoneProblem } from "./cron.js";
import { dnsLabel, dnsLabelProblem, ENV_VAR_NAME_MAX, envVarName } from "./names.js";
import { exposeSchema } from "./exposure-schema.js";
import { identitySchema, placementSchema } from "./placement-schema.js";
import { secretKeySchema, secretSourceSchema, wholeSecretSchema } from "./secret-schema.js";

/**
 * The workload settings that every layer may set: environment defaults,
 * cluster defaults, the app itself, and the app's per-environment and
 * per-cluster overrides. Every field is optional at every depth, so one schema
 * serves as both the full spec and its deep-partial override; completeness
 * (autoscaling has min and max, a probe has a kind) is checked after merging,
 * in resolve.
 */

export const quantity = z.string().regex(/^[0-9]+(\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti|Pi|Ei|M|G|T|P|E)?$/, {
  message: 'must be a Kubernetes quantity such as "250m", "1", "128Mi" or "2Gi"',
});

const resourceList = z.strictObject({
  cpu: quantity.optional(),
  memory: quantity.optional(),
  "ephemeral-storage": quantity.optional(),
});

export const resourcesSchema = z.strictObject({
  requests: resourceList.optional(),
  limits: resourceList.optional(),
});

export const portName = z.string().superRefine((name, ctx) => {
  const problem = dnsLabelProblem(name);
  if (problem) ctx.addIssue({ code: "custom", message: `port name ${JSON.stringify(name)} ${problem}` });
  else if (name.length > 15) ctx.addIssue({ code: "custom", message: `port name ${JSON.stringify(name)} is longer than 15 characters` });
});

export const probeSchema = z.strictObject({
  /** Run this command in the container: the probe passes when it exits 0 (for an app without ports). */
  exec: z.array(z.string()).min(1, { message: "name the command to run" }).optional(),
  /** HTTP GET on this path. */
  http: z.string().startsWith("/", { message: 'must be a path starting with "/"' }).optional(),
  /** TCP connect instead of HTTP. */
  tcp: z.literal(true).optional(),
  /** Port name from `ports`, or a number; defaults to the first port. */
  port: z.union([z.string(), z.number().int().min(1).max(65535)]).optional(),
  /** Seconds before the first probe. */
  initialDelaySeconds: z.number().int().min(0).optional(),
  /** Seconds between probes. */
  periodSeconds: z.number().int().min(1).optional(),
  /** Seconds a probe may take. */
  timeoutSeconds: z.number().int().min(1).optional(),
  /** Failures in a row that count as failed. */
  failureThreshold: z.number().int().min(1).optional(),
});

const mountPath = z.string().regex(/^\/(?!.*(^|\/)\.\.?(\/|$))[^:]*[^/:]$/, {
  message: 'must be an absolute directory path without "..", ":" or a trailing "/", e.g. "/etc/checkout/tls"',
});

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
  ports: z.record(portName, z.number().int().min(1).max(65535)).optional(),
  /**
   * Environment variables: a string is a plain value and goes into the app's
   * ConfigMap; `secret(name, key)` reads one key of a declared secret.
   */
  env: z
    .record(
      z
        .string()
        .regex(envVarName, { message: 'may hold only letters, digits, "_", "-" and ".", and must not start with a digit' })
        .max(ENV_VAR_NAME_MAX, {
          message: `is longer than ${ENV_VAR_NAME_MAX} characters, the most a key of the app's ConfigMap may have`,
        }),
      z.union([z.string(), secretKeySchema], {
        error: 'must be a string, or secret("<name>", "<key>") for a value that is a secret',
      }),
    )
    .optional(),
  /** Whole secrets whose every key becomes an environment variable: `[secret("checkout-api")]`. */
  envFrom: z.array(wholeSecretSchema).optional(),
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
  probes: z
    .strictObject({
      readiness: probeSchema.optional(),
      liveness: probeSchema.optional(),
      startup: probeSchema.optional(),
    })
    .optional(),
  /** The container's command (its entrypoint), replacing the image's. */
  command: z.array(z.string()).optional(),
  /** The container's arguments. */
  args: z.array(z.string()).optional(),
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
};

export const settingsSchema = z.strictObject(settingsShape);

export type Settings = z.input<typeof settingsSchema>;
/** The settings a platform's environment or cluster defaults: all but an app's own `expose`. */
export type PlatformSettings = Omit<Settings, "expose">;
export type ResourcesSpec = z.infer<typeof resourcesSchema>;
export type ProbeSpec = z.infer<typeof probeSchema>;
export type AutoscalingSpec = z.infer<typeof autoscalingSchema>;
export type VolumeClaimSpec = z.infer<typeof volumeClaimSchema>;
