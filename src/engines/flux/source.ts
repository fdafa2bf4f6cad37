import type { PlatformModel } from "../../model/model.js";

export const SOURCE_API = "source.toolkit.fluxcd.io/v1";
export const KUSTOMIZE_API = "kustomize.toolkit.fluxcd.io/v1";
export const HELM_API = "helm.toolkit.fluxcd.io/v2";
/** The GitRepository of the env repo, in every namespace that holds Kustomizations (cross-namespace source references are off in a multi-tenant install). */
export const ENV_REPO = "env-repo";
export const INTERVAL = "10m";
export const RETRY_INTERVAL = "2m";
export const TIMEOUT = "5m";
/** The kustomize-controller's own account: what the root and the components run as; teams never do. */
export const CONTROLLER_ACCOUNT = "kustomize-controller";

/**
 * The env repo as a Flux GitRepository, following the environment's
 * revision: a commit when it is one, a full reference ("refs/tags/v1") as
 * written, otherwise a branch.
 */
export function envRepoSource(platform: PlatformModel, namespace: string, revision: string, labels: Record<string, string>) {
  const ref = /^[0-9a-f]{40}$/.test(revision) ? { commit: revision } : revision.startsWith("refs/") ? { name: revision } : { branch: revision };
  return {
    apiVersion: SOURCE_API,
    kind: "GitRepository",
    metadata: { name: ENV_REPO, namespace, labels },
    spec: {
      interval: "1m",
      url: platform.envRepo.url,
      ref,
      ...(platform.flux.gitSecret ? { secretRef: { name: platform.flux.gitSecret } } : {}),
    },
  };
}

export function repoPath(platform: PlatformModel, path: string): string {
  return `./${platform.envRepo.path ? `${platform.envRepo.path}/` : ""}${path}`;
}
