import { z } from "zod";
import { dnsLabel } from "./names.js";

/**
 * Where the hub's Argo CD finds a spoke's credentials: the cluster
 * registration Secret (`argocd.argoproj.io/secret-type: cluster`) is never
 * written with them inline.
 */
export const hubCredentialsSchema = z.union([
  z.strictObject({
    /**
     * The key in an External Secrets store whose value is Argo CD's cluster
     * `config` (the JSON of bearerToken, tlsClientConfig, execProviderConfig
     * or awsAuthConfig): sluice writes an ExternalSecret that builds the
     * registration Secret from it in the hub's Argo CD namespace.
     */
    key: z
      .string()
      .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*(\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$/, {
        message: 'must be a store key such as "platform/clusters/prod-us-2": no leading "/", no empty, "." or ".." segments',
      })
      .refine((key) => !key.split("/").some((part) => part === "." || part === ".."), {
        message: 'must be a store key without "." or ".." segments',
      }),
    /** The property of the key that holds the `config` JSON. Default "config". */
    property: z.string().min(1).optional(),
    /** The store to read; default: the hub's `secretStore` (its cluster's, else its environment's), or the platform's only store. */
    store: dnsLabel.optional(),
  }),
  z.strictObject({
    /**
     * The name of a registration Secret the platform team creates itself in
     * the hub's Argo CD namespace (with the label, `name`, `server` and
     * `config`): sluice emits none and lists it under the prerequisites.
     */
    secret: dnsLabel,
  }),
]);

/**
 * A cluster whose Argo CD runs on another cluster, the hub: its roots and
 * Applications live in the hub's Argo CD namespace and deploy to the
 * cluster's `server`.
 */
export const managedBySchema = z.strictObject({
  /** The hub: a cluster of this platform that runs Argo CD for itself (it is not managed by another). */
  hub: z.string(),
  /** The cluster's credentials for the hub's Argo CD: `{ key, property = "config", store? }` in an External Secrets store, or `{ secret }` the platform creates. */
  credentials: hubCredentialsSchema,
  /**
   * The application controller shard that manages the cluster (`shard` in
   * its registration Secret), for a hub whose controller runs as several
   * replicas. Default: Argo CD's sharding algorithm chooses.
   */
  shard: z.number().int().min(0).optional(),
});

export type ManagedByInput = z.input<typeof managedBySchema>;
