import type { CelRule } from "../../src/sdk.js";

/** Labels people and tools find workloads by: the platform lists them in `policy.requiredLabels`. */
export const requiredLabels = {
  id: "required-labels",
  description:
    "Every workload and Service carries the labels in the platform's `policy.requiredLabels` (default: app.kubernetes.io/name and app.kubernetes.io/part-of, which sluice sets).",
  severity: "error",
  on: "object",
  kinds: ["apps/Deployment", "apps/StatefulSet", "apps/DaemonSet", "argoproj.io/Rollout", "batch/CronJob", "Service"],
  variables: (context) => ({ labels: [...context.requiredLabels] }),
  check: "variables.labels.all(l, has(object.metadata.labels) && l in object.metadata.labels && object.metadata.labels[l] != '')",
  message: "the object lacks a required label",
  field: ".metadata.labels",
  hint: "add the labels listed in the platform's policy.requiredLabels to the object's metadata.labels",
} satisfies CelRule;
