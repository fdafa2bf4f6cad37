import type { PlatformModel } from "../../model/model.js";
import type { FluxGitRepository } from "./types.js";

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
 * The helm-controller's own account, which Flux's install binds to
 * cluster-admin (ClusterRoleBinding cluster-reconciler) like
 * kustomize-controller's: what the platform's HelmReleases run as. Without it,
 * --default-service-account=default would run them as flux-system's
 * `default` account, which may do nothing.
 */
export const HELM_CONTROLLER_ACCOUNT = "helm-controller";
/**
 * How often a failed install or upgrade of a component is retried, with
 * remediation (uninstall, rollback) between attempts. Flux's default is 0: one
 * transient failure (a webhook not ready yet, an image pull timing out) would
 * leave the release failed until someone resets it.
 */
export const HELM_RETRIES = 3;

/**
 * The env repo as a Flux GitRepository, following the environment's
 * revision: a commit when it is one, a full reference ("refs/tags/v1") as
 * written, otherwise a branch.
 */
export function envRepoSource(
  platform: PlatformModel,
  namespace: string,
  revision: string,
  labels: Record<string, string>,
  only: { ignore?: string } = {},
) {
  const ref = /^[0-9a-f]{40}$/.test(revision)
    ? { commit: revision }
    : revision.startsWith("refs/")
      ? { name: revision }
      : { branch: revision };
  return {
    apiVersion: SOURCE_API,
    kind: "GitRepository",
    metadata: { name: ENV_REPO, namespace, labels },
    spec: {
      interval: "1m",
      url: platform.envRepo.url,
      ref,
      ...(platform.engineSettings.flux.gitSecret ? { secretRef: { name: platform.engineSettings.flux.gitSecret } } : {}),
      ...(only.ignore !== undefined ? { ignore: only.ignore } : {}),
    },
  } satisfies FluxGitRepository;
}

export function repoPath(platform: Pick<PlatformModel, "envRepo">, path: string): string {
  return `./${platform.envRepo.path ? `${platform.envRepo.path}/` : ""}${path}`;
}

/**
 * A GitRepository `ignore` (gitignore syntax) that keeps only the given
 * directories ("./apps/a/c"): at each level, everything is excluded, then the
 * directories on the way are let back in. Git cannot re-include a file whose
 * parent directory is excluded, hence one level at a time; and later lines
 * win, so each level follows the one above it.
 */
export function onlyPaths(paths: readonly string[]): string {
  type Tree = Map<string, Tree | "keep">;
  const root: Tree = new Map();
  for (const path of paths) {
    const segments = path.replace(/^\.\//, "").split("/");
    let node = root;
    segments.forEach((segment, index) => {
      if (index === segments.length - 1) {
        node.set(segment, "keep");
        return;
      }
      const next = node.get(segment);
      if (next === "keep") return;
      const child = next ?? new Map<string, Tree | "keep">();
      node.set(segment, child);
      node = child;
    });
  }
  const lines: string[] = [];
  const walk = (tree: Tree, prefix: string) => {
    lines.push(`${prefix}/*`);
    const names = [...tree.keys()].sort();
    for (const name of names) lines.push(`!${prefix}/${name}/`);
    for (const name of names) {
      const child = tree.get(name)!;
      if (child !== "keep") walk(child, `${prefix}/${name}`);
    }
  };
  walk(root, "");
  return `${lines.join("\n")}\n`;
}
