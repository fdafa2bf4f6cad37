import { z } from "zod";

/**
 * Where an app's pods run and who they are to the cloud: the scheduling
 * constraints of the pod (`placement`) and its workload identity
 * (`identity`), settings of every kind that environments and clusters may
 * change like any other.
 */

/** A label key as Kubernetes takes it: an optional DNS-subdomain prefix and a name of at most 63 characters. */
const labelKey = z
  .string()
  .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/, {
    message: 'must be a label key such as "node.kubernetes.io/instance-type" or "pool"',
  });
const labelValue = z.string().regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/, {
  message: "must be a label value: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
});

export const tolerationSchema = z.strictObject({
  /** The taint's key; leave it out with operator "Exists" to tolerate every taint. */
  key: labelKey.optional(),
  /** "Equal" (the default: the taint's value must be `value`) or "Exists". */
  operator: z.enum(["Equal", "Exists"]).optional(),
  value: labelValue.optional(),
  /** The effect tolerated; every effect when left out. */
  effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]).optional(),
  /** With NoExecute: how long the pod stays once the taint appears. */
  tolerationSeconds: z.number().int().min(0).optional(),
});

export const spreadSchema = z.strictObject({
  /** The node label whose values the pods spread over: "topology.kubernetes.io/zone", "kubernetes.io/hostname". */
  topologyKey: labelKey,
  /** How many more pods one domain may have than another; default 1. */
  maxSkew: z.number().int().min(1).optional(),
  /** "DoNotSchedule" (the default) or "ScheduleAnyway". */
  whenUnsatisfiable: z.enum(["DoNotSchedule", "ScheduleAnyway"]).optional(),
});

export const placementSchema = z.strictObject({
  /** Node labels a node must have: `{ "node.kubernetes.io/instance-type": "m7i.large" }`. */
  nodeSelector: z.record(labelKey, labelValue).optional(),
  /** Taints the pods tolerate (a later layer replaces the list). */
  tolerations: z.array(tolerationSchema).optional(),
  /** Spread the app's pods over zones or nodes (a later layer replaces the list). */
  spread: z.array(spreadSchema).optional(),
  /** The PriorityClass of the pods; `system-` classes are Kubernetes' own and refused. */
  priorityClass: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, { message: "must be a PriorityClass name" })
    .refine((name) => !name.startsWith("system-"), {
      message: "is one of Kubernetes' own classes, which the API server allows only in kube-system",
    })
    .optional(),
});

/**
 * The cloud identity the pods take through their ServiceAccount: one of
 * AWS (IRSA), Google (GKE Workload Identity) or Azure (Workload Identity). A
 * layer that names another cloud replaces the identity (clusters in two clouds).
 */
export const identitySchema = z
  .strictObject({
    /** EKS IAM roles for service accounts: the role's ARN. */
    aws: z
      .strictObject({
        roleArn: z.string().regex(/^arn:aws[a-z-]*:iam::[0-9]{12}:role\/[\w+=,.@/-]{1,512}$/, {
          message: 'must be an IAM role ARN such as "arn:aws:iam::123456789012:role/payments"',
        }),
      })
      .optional(),
    /** GKE Workload Identity: the Google service account's email. */
    gcp: z
      .strictObject({
        serviceAccount: z.string().regex(/^[a-z][-a-z0-9]{4,28}[a-z0-9]@[a-z][-a-z0-9]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com$/, {
          message: 'must be a Google service account such as "payments@acme-prod.iam.gserviceaccount.com"',
        }),
      })
      .optional(),
    /** Azure Workload Identity: the managed identity's or app registration's client ID (and tenant, if not the cluster's). */
    azure: z
      .strictObject({
        clientId: z.uuid({ message: "must be a client ID (a UUID)" }),
        tenantId: z.uuid({ message: "must be a tenant ID (a UUID)" }).optional(),
      })
      .optional(),
  })
  .refine((identity) => Object.values(identity).filter((cloud) => cloud !== undefined).length <= 1, {
    message: "names more than one cloud: write one of aws, gcp or azure (a cluster in another cloud overrides it)",
  });

export type PlacementSpec = z.infer<typeof placementSchema>;
export type IdentitySpec = z.infer<typeof identitySchema>;

/**
 * The identity of the highest layer that names one: an identity is never
 * merged across layers (each names one cloud whole), so a cluster in another
 * cloud replaces the environment's. What resolve renders and what the env
 * repo's Prerequisites list both come from here.
 */
export function topIdentity(layers: readonly ({ readonly identity?: IdentitySpec | undefined } | undefined)[]): IdentitySpec | undefined {
  for (let i = layers.length - 1; i >= 0; i--) {
    const identity = layers[i]?.identity;
    if (identity !== undefined) return identity;
  }
  return undefined;
}
