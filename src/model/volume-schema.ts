import { z } from "zod";
import { mountPath, quantity } from "./container-schema.js";

/**
 * The pod's own volumes (`volumes`), by name: a scratch directory
 * (`emptyDir`) or a PersistentVolumeClaim that already exists in the app's
 * namespace (`claim`). Never a hostPath: a pod that reads its node's disk
 * escapes what Pod Security and the namespace's guards promise.
 */
export const volumeSchema = z.strictObject({
  /** A scratch directory that lives as long as the pod: `{ sizeLimit?: "1Gi", memory?: true }` (`memory`: in RAM, counted against the memory limit). */
  emptyDir: z
    .strictObject({
      /** The most it may hold, a Kubernetes quantity ("1Gi"); the kubelet evicts the pod beyond it. */
      sizeLimit: quantity.optional(),
      /** Keep it in memory (tmpfs) instead of on the node's disk. */
      memory: z.boolean().optional(),
    })
    .optional(),
  /** An existing PersistentVolumeClaim in the app's namespace, by name (the env repo's Prerequisites name it). */
  claim: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, { message: "must be a PersistentVolumeClaim name" })
    .max(253)
    .optional(),
  /** Where the app's container mounts it; left out, only the sidecars and init containers that list it in `volumeMounts` do. */
  mountPath: mountPath.optional(),
  /** Mount it read-only (every container that mounts it). */
  readOnly: z.boolean().optional(),
});

export type VolumeSpec = z.infer<typeof volumeSchema>;
