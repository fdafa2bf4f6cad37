import { platformLabels } from "../../k8s/labels.js";
import type { KubernetesObject } from "../../k8s/object.js";
import { argoName, onClusterDir, spokeRootPath } from "../../model/hub.js";
import type { ClusterModel, EnvironmentModel, ManagedBy, PlatformModel } from "../../model/model.js";
import { PLATFORM_PROJECT } from "../../model/names.js";
import type { RenderedObject } from "../../model/rendered.js";
import { syncPolicy } from "./sync-policy.js";
import type { ArgoApplication } from "./types.js";

/** Where a cluster's own Argo CD deploys: the cluster it runs on. */
export const IN_CLUSTER = "https://kubernetes.default.svc";
export const ARGO_API = "argoproj.io/v1alpha1";
/** Paths (relative to the source path, `;`-separated) whose changes alone regenerate an Application's manifests. */
export const GENERATE_PATHS = "argocd.argoproj.io/manifest-generate-paths";
/** The label that makes a Secret in Argo CD's namespace a cluster registration. */
export const CLUSTER_SECRET_TYPE = { "argocd.argoproj.io/secret-type": "cluster" } as const;
// Namespaces and AppProjects must exist before the Applications that use them.
export const BEFORE_APPS = { "argocd.argoproj.io/sync-wave": "-1" };

type Spoke = ClusterModel & { readonly managedBy: ManagedBy };

/** The server an Application for the cluster deploys to: in-cluster, or the spoke's API server from its hub. */
export function destinationServer(cluster: Pick<ClusterModel, "server" | "managedBy">): string {
  return cluster.managedBy ? cluster.server : IN_CLUSTER;
}

/** The name of the registration Secret of a spoke in its hub's Argo CD namespace. */
export function clusterSecretName(cluster: Spoke): string {
  return "secret" in cluster.managedBy.credentials ? cluster.managedBy.credentials.secret : `cluster-${cluster.name}`;
}

export function sourcePath(platform: Pick<PlatformModel, "envRepo">, path: string): string {
  return platform.envRepo.path ? `${platform.envRepo.path}/${path}` : path;
}

/**
 * A spoke's objects in its hub, besides its apps' and components'
 * Applications: its root, in the hub's directory so that the hub's own root
 * applies it (following the hub's revision), which applies
 * clusters/<spoke>/ into the hub's Argo CD namespace at the spoke's own
 * revision; the registration of the spoke built from its credentials; and
 * clusters/<spoke>/spoke.yaml, the Application that applies what the spoke
 * itself holds (namespaces, guards, admission policies, the platform's
 * objects, under clusters/<spoke>/spoke/) to the spoke, before its apps.
 */
export function renderSpoke(platform: PlatformModel, cluster: Spoke, environment: EnvironmentModel): RenderedObject[] {
  const namespace = platform.engineSettings.argocd.namespace;
  const sources = [platform.origin.file];
  const labels = {
    ...cluster.labels,
    "sluice.dev/cluster": cluster.name,
    "sluice.dev/environment": cluster.environment,
  };
  const root = rootApplication(platform, cluster, environment, `clusters/${cluster.name}`);
  const onSpoke = {
    apiVersion: ARGO_API,
    kind: "Application",
    metadata: {
      name: argoName("platform", cluster),
      namespace,
      labels: { ...labels, ...platformLabels(argoName("platform", cluster), PLATFORM_PROJECT) },
      annotations: { ...BEFORE_APPS, [GENERATE_PATHS]: "." },
    },
    spec: {
      project: PLATFORM_PROJECT,
      source: { repoURL: platform.envRepo.url, targetRevision: environment.revision, path: sourcePath(platform, onClusterDir(cluster)) },
      // Its objects name their namespaces; one that did not would land where the root's do.
      destination: { server: cluster.server, namespace },
      syncPolicy: syncPolicy(environment.sync, []),
    },
  } satisfies ArgoApplication;
  const registration = registrationOf(platform, cluster);
  return [
    ...(registration ? [{ path: spokeRootPath(cluster), object: registration, origin: cluster.managedBy.origin, sources }] : []),
    { path: spokeRootPath(cluster), object: root, origin: cluster.origin, sources },
    { path: `clusters/${cluster.name}/spoke.yaml`, object: onSpoke, origin: cluster.origin, sources },
  ];
}

/**
 * The spoke's registration Secret in the hub's Argo CD namespace, written by
 * the External Secrets Operator from the store key that holds Argo CD's
 * cluster `config`: the name and server are the platform's, the credentials
 * never pass through the env repo. None when the platform creates the Secret.
 */
function registrationOf(platform: PlatformModel, cluster: Spoke): KubernetesObject | undefined {
  const { credentials, shard } = cluster.managedBy;
  if (!("key" in credentials)) return undefined;
  const name = clusterSecretName(cluster);
  return {
    apiVersion: "external-secrets.io/v1",
    kind: "ExternalSecret",
    metadata: {
      name,
      namespace: platform.engineSettings.argocd.namespace,
      labels: { ...platformLabels(name, PLATFORM_PROJECT), "sluice.dev/cluster": cluster.name },
      // Registered before the spoke's root syncs Applications that deploy to it.
      annotations: BEFORE_APPS,
    },
    spec: {
      refreshInterval: platform.secrets.refreshInterval,
      secretStoreRef: { name: credentials.store.name, kind: credentials.store.kind },
      target: {
        name,
        creationPolicy: "Owner",
        template: {
          engineVersion: "v2",
          metadata: { labels: { ...CLUSTER_SECRET_TYPE, "sluice.dev/cluster": cluster.name } },
          data: {
            name: cluster.name,
            server: cluster.server,
            config: "{{ .config }}",
            ...(shard !== undefined ? { shard: String(shard) } : {}),
          },
        },
      },
      data: [{ secretKey: "config", remoteRef: { key: credentials.key, property: credentials.property } }],
    },
  };
}

/**
 * A cluster's root app-of-apps, in Argo CD's namespace where it runs: "root"
 * for a cluster's own Argo CD (clusters/<cluster>/root.yaml), "root-<spoke>"
 * in a hub's. It applies `dir` into that namespace, in the root's own
 * project; `dir` refers to nothing outside itself.
 */
export function rootApplication(
  platform: PlatformModel,
  cluster: ClusterModel,
  environment: EnvironmentModel,
  dir: string,
): KubernetesObject {
  const name = argoName("root", cluster);
  return {
    apiVersion: ARGO_API,
    kind: "Application",
    metadata: {
      name,
      namespace: platform.engineSettings.argocd.namespace,
      labels: {
        ...cluster.labels,
        ...platformLabels(name, PLATFORM_PROJECT),
        "sluice.dev/cluster": cluster.name,
        "sluice.dev/environment": cluster.environment,
      },
      annotations: { "sluice.dev/cluster-server": cluster.server, [GENERATE_PATHS]: "." },
    },
    spec: {
      project: PLATFORM_PROJECT,
      source: { repoURL: platform.envRepo.url, targetRevision: environment.revision, path: sourcePath(platform, dir) },
      destination: { server: IN_CLUSTER, namespace: platform.engineSettings.argocd.namespace },
      syncPolicy: syncPolicy(environment.sync, []),
    },
  } satisfies ArgoApplication;
}
