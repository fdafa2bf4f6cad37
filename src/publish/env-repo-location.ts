import path from "node:path";

/**
 * The env repo as git should clone it: a URL (`https://…`, `ssh://…`,
 * `file://…`) or scp-like address (`git@host:platform/env.git`) as given, a
 * local path resolved against the project root, as `sluice diff --env-repo`
 * resolves it. The clone runs in a temporary directory, where a relative path
 * would name something else.
 */
export function envRepoLocation(envRepo: string, root: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(envRepo)) return envRepo;
  // git's own rule: a colon before any slash makes an scp-like address (not a Windows drive letter).
  const colon = envRepo.indexOf(":");
  const slash = envRepo.search(/[/\\]/);
  if (colon > 1 && (slash === -1 || colon < slash)) return envRepo;
  return path.resolve(root, envRepo);
}
