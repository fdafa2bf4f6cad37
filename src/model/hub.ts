import type { ClusterModel, PlatformModel } from "./model.js";

/**
 * Hub and spokes: a cluster is managed by its own Argo CD (or Flux), in-cluster,
 * or by the Argo CD of another cluster, its hub (`managedBy`). A spoke's
 * Argo CD objects live in the hub's Argo CD namespace, so their names carry
 * the spoke's name; what is applied to the spoke itself (its namespaces,
 * their guards, the admission policies, the platform's objects) sits in a
 * directory of its own, which a separate Application deploys to the spoke.
 */

/** The directory under clusters/<spoke>/ whose objects are applied to the spoke itself, not to the hub. */
export const SPOKE_DIR = "spoke";

type Managed = Pick<ClusterModel, "name" | "managedBy">;

/** The cluster whose Argo CD holds this cluster's Applications: its hub, or itself. */
export function argoHome(cluster: Managed): string {
  return cluster.managedBy?.hub ?? cluster.name;
}

/** The spokes a hub manages, by name. */
export function spokesOf(platform: Pick<PlatformModel, "clusters">, hub: string): ClusterModel[] {
  return platform.clusters.filter((cluster) => cluster.managedBy?.hub === hub);
}

/**
 * An Argo CD object's name for one cluster: as it is in a cluster's own Argo
 * CD ("checkout-api", "root"), or with the spoke's name after it in a hub's
 * ("checkout-api-prod-us-2", "root-prod-us-2"), where every spoke's objects
 * share one namespace.
 */
export function argoName(name: string, cluster: Managed): string {
  return cluster.managedBy ? `${name}-${cluster.name}` : name;
}

/** Where the objects applied to the cluster itself are: clusters/<cluster>, or a spoke's clusters/<cluster>/spoke. */
export function onClusterDir(cluster: Managed): string {
  return cluster.managedBy ? `clusters/${cluster.name}/${SPOKE_DIR}` : `clusters/${cluster.name}`;
}

/** The file of a spoke's root Application, in its hub's directory (which the hub's own root applies). */
export function spokeRootPath(cluster: Managed & { readonly managedBy: NonNullable<ClusterModel["managedBy"]> }): string {
  return `clusters/${cluster.managedBy.hub}/spokes/${cluster.name}.yaml`;
}

/**
 * The cluster a file under clusters/ is applied to, or undefined for other
 * files: a spoke's Argo CD objects go to its hub's Argo CD, its spoke/
 * directory to the spoke itself, any other cluster's files to that cluster.
 */
export function appliedTo(path: string, hubOf: (cluster: string) => string | undefined): string | undefined {
  const parts = path.split("/");
  if (parts[0] !== "clusters" || parts.length < 3) return undefined;
  const cluster = parts[1]!;
  const hub = hubOf(cluster);
  return hub === undefined || parts[2] === SPOKE_DIR ? cluster : hub;
}

/** A cluster's engine as declared: its own, else Argo CD for a spoke (its hub's Argo CD manages it), else the platform's. */
export function declaredEngine<E extends string>(
  cluster: { readonly engine?: E | undefined; readonly managedBy?: unknown },
  platformEngine: E,
): E | "argocd" {
  return cluster.engine ?? (cluster.managedBy ? "argocd" : platformEngine);
}

/**
 * The environment as a cluster's engines see it: while a cluster adopts a new
 * engine, neither engine prunes nor deletes in cascade, so no app is ever
 * owned by two engines that would delete it (see move-schema.ts).
 */
export function engineEnvironment<E extends { readonly sync: { readonly prune: boolean } }>(
  environment: E,
  cluster: Pick<ClusterModel, "move">,
): E {
  return cluster.move?.step === "adopt" ? { ...environment, sync: { ...environment.sync, prune: false } } : environment;
}
