import { z } from "zod";
import { dnsLabel, dnsLabelProblem, ENV_VAR_NAME_MAX, envVarName } from "./names.js";
import { filePath } from "./files-schema.js";
import { secretKeySchema } from "./secret-schema.js";

/**
 * What a container is made of, for the app's own container (the settings in
 * settings-schema.ts) and for the containers beside it (`sidecars` and
 * `initContainers`): resources, ports, probes, environment, mounts, and a
 * foreign image pinned by digest.
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

/** Named container ports: name → number. */
export const portsSchema = z.record(portName, z.number().int().min(1).max(65535));

/** A container's probes: `{ readiness?, liveness?, startup? }`, each a Probe. */
export const probesSchema = z.strictObject({
  readiness: probeSchema.optional(),
  liveness: probeSchema.optional(),
  startup: probeSchema.optional(),
});

export const mountPath = z.string().regex(/^\/(?!.*(^|\/)\.\.?(\/|$))[^:]*[^/:]$/, {
  message: 'must be an absolute directory path without "..", ":" or a trailing "/", e.g. "/etc/checkout/tls"',
});

/**
 * Environment variables: a string is a plain value; `secret(name, key)` reads
 * one key of a declared secret.
 */
export const envSchema = z.record(
  z
    .string()
    .regex(envVarName, { message: 'may hold only letters, digits, "_", "-" and ".", and must not start with a digit' })
    .max(ENV_VAR_NAME_MAX, {
      message: `is longer than ${ENV_VAR_NAME_MAX} characters, the most a key of the app's ConfigMap may have`,
    }),
  z.union([z.string(), secretKeySchema], {
    error: 'must be a string, or secret("<name>", "<key>") for a value that is a secret',
  }),
);

/**
 * An image that is not the app's, pinned by digest: "repository:tag@sha256:<digest>"
 * or "repository@sha256:<digest>". A tag alone can be moved to other bytes,
 * and nothing (no release, no promote) would say so.
 */
export const pinnedImage = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]*(:[0-9]+)?(\/[a-z0-9]+([._-]+[a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?@sha256:[0-9a-f]{64}$/, {
    message:
      'must be pinned by digest, "<repository>:<tag>@sha256:<64 hex digits>" or "<repository>@sha256:<64 hex digits>": a tag alone can move; leave image out to run the app\'s own image at its release',
  });

/**
 * A container's name: a DNS label, unique in the pod. Names of digits only
 * are refused: JavaScript orders such keys first, not in the order written,
 * and init containers run in that order.
 */
export const containerName = dnsLabel.refine((name) => !/^[0-9]+$/.test(name), {
  message: "must hold a letter: init containers run in the order written, which a name of digits only would not keep",
});

const containerShape = {
  /**
   * The image, pinned by digest ("repository:tag@sha256:…"); left out, the
   * app's own image at the wave's release, which `release` and `promote` move.
   */
  image: pinnedImage.optional(),
  /** The container's command (its entrypoint), replacing the image's. */
  command: z.array(z.string()).optional(),
  /** The container's arguments. */
  args: z.array(z.string()).optional(),
  /** Its environment variables: a plain string, or `secret(name, key)` of a secret the app declares. */
  env: envSchema.optional(),
  /** `{ requests, limits }` of `cpu`, `memory`, `ephemeral-storage`. */
  resources: resourcesSchema.optional(),
  /** The pod's volumes it mounts (its `volumes`, or a stateful service's `volumeClaims`), by name → directory: `{ cache: "/var/cache/app" }`. */
  volumeMounts: z.record(dnsLabel, mountPath).optional(),
  /** Files of the app's `files` it mounts too, by path, at the same paths (it sees every file of their directories). */
  files: z.array(filePath).optional(),
};

/** A container that runs beside the app's for the pod's whole life (a native sidecar: it also ends with a Job's pod). */
export const sidecarSchema = z.strictObject({
  ...containerShape,
  /** Named container ports (the Service exposes only the app's own). */
  ports: portsSchema.optional(),
  /** `{ readiness?, liveness?, startup? }` on the sidecar's own ports. */
  probes: probesSchema.optional(),
});

/**
 * A container that runs to completion before the app's starts, in the order
 * written (lower layers' first). No ports and no probes: it serves nobody, and
 * the API server refuses probes on it.
 */
export const initContainerSchema = z.strictObject(containerShape);

export type SidecarSpec = z.infer<typeof sidecarSchema>;
export type InitContainerSpec = z.infer<typeof initContainerSchema>;
