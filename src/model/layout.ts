/**
 * Where an app instance's files sit in the env repo, by the platform's
 * `envRepo.layout`:
 *
 * - "flat" (the default): apps/<app>/<cluster>/manifest.yaml and
 *   clusters/<cluster>/apps/<app>.yaml;
 * - "by-team": a fan-out level by team, apps/<team>/<app>/<cluster>/manifest.yaml
 *   and clusters/<cluster>/apps/<team>/<app>.yaml, so that no directory holds
 *   more entries than a team has apps (GitHub recommends at most 3,000 per
 *   directory; a fleet of 10,000 apps would put them all in apps/).
 *
 * Every other path is the same in both. Readers of paths (the lock's order,
 * the render cache, diff, partitions) find the app and the cluster from the
 * end of the path, so they need not know the layout.
 */
export const ENV_LAYOUTS = ["flat", "by-team"] as const;
export type EnvLayout = (typeof ENV_LAYOUTS)[number];

/** GitHub's recommended largest number of entries in one directory. */
export const MAX_DIRECTORY_ENTRIES = 3_000;

interface Placed {
  readonly envRepo: { readonly layout: EnvLayout };
}

interface AppRef {
  readonly name: string;
  readonly team: string;
}

/** apps/<app>/<cluster>, or apps/<team>/<app>/<cluster>: the directory of an instance's manifests. */
export function appDir(platform: Placed, app: AppRef, cluster: string): string {
  return platform.envRepo.layout === "by-team" ? `apps/${app.team}/${app.name}/${cluster}` : `apps/${app.name}/${cluster}`;
}

/** clusters/<cluster>/apps/<app>.yaml, or …/apps/<team>/<app>.yaml: the GitOps object that deploys an instance. */
export function appObjectPath(platform: Placed, app: AppRef, cluster: string): string {
  return platform.envRepo.layout === "by-team"
    ? `clusters/${cluster}/apps/${app.team}/${app.name}.yaml`
    : `clusters/${cluster}/apps/${app.name}.yaml`;
}

/**
 * The app instance a file of the env repo belongs to, in either layout:
 * apps/[<team>/]<app>/<cluster>/<file>, or an app's GitOps object
 * clusters/<cluster>/[<engine>/]apps/[<team>/]<app>.yaml; undefined for any other file.
 */
export function instanceOfFile(path: string): { readonly app: string; readonly cluster: string } | undefined {
  const parts = path.split("/");
  if (parts[0] === "apps" && parts.length >= 4) return { app: parts.at(-3)!, cluster: parts.at(-2)! };
  if (parts[0] === "clusters" && parts.length >= 4 && parts.includes("apps") && parts.at(-1) !== "kustomization.yaml") {
    const at = parts.indexOf("apps");
    // clusters/<cluster>/apps/…, or clusters/<cluster>/<engine>/apps/… while the cluster moves between engines.
    if ((at === 2 || at === 3) && parts.length - at <= 3 && parts.at(-1)!.endsWith(".yaml"))
      return { app: parts.at(-1)!.slice(0, -".yaml".length), cluster: parts[1]! };
  }
  return undefined;
}
