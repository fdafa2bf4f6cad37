import { SERVING_WORKLOADS, type CelRule } from "../../src/sdk.js";

// Long-running workloads (the table marks them); a Job's container serves nobody once it is done.
const SERVING_KINDS = [...SERVING_WORKLOADS];

/** A container that serves (declares a port) gets traffic only when it says it can take it. */
export const readinessProbe = {
  id: "readiness-probe",
  description:
    "Every serving container (one with ports) of a long-running workload (Deployment, StatefulSet, DaemonSet, ReplicationController, Argo Rollout) has a readiness probe.",
  severity: "error",
  on: "container",
  kinds: SERVING_KINDS,
  check: "!has(container.ports) || size(container.ports) == 0 || has(container.readinessProbe)",
  message: "the container serves on a port but has no readiness probe, so it gets traffic before it can take it",
  field: ".readinessProbe",
  hint: 'set probes: { readiness: { http: "/ready" } }',
} satisfies CelRule;

/** A hung process that still holds its port is restarted only if something asks whether it lives. */
export const livenessProbe = {
  id: "liveness-probe",
  description:
    "Every serving container (one with ports) of a long-running workload (Deployment, StatefulSet, DaemonSet, ReplicationController, Argo Rollout) has a liveness probe.",
  severity: "error",
  on: "container",
  kinds: SERVING_KINDS,
  check: "!has(container.ports) || size(container.ports) == 0 || has(container.livenessProbe)",
  message: "the container serves on a port but has no liveness probe, so a hung process is never restarted",
  field: ".livenessProbe",
  hint: 'set probes: { liveness: { http: "/healthz" } }',
} satisfies CelRule;
