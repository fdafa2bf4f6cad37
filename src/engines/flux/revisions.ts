import { declaredEngine } from "../../model/hub.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import type { Origin } from "../../model/origin.js";
import type { PlatformInput } from "../../model/platform-schema.js";

/**
 * Flux must be told whether a revision is a branch or a tag (GitRepository
 * `ref.branch`, `ref.tag`, `ref.name`), Argo CD resolves either by name. The
 * platform's envRepo.revision is the branch sluice publishes to; an
 * environment's own plain name (the usual "prod-2026-11-20" is a tag) would
 * become `ref.branch`, which does not exist: the source fails to fetch and the
 * cluster stays at what it last applied. So on a Flux cluster an
 * environment's own revision is a commit or a full reference.
 */
export function fluxRevisions(input: PlatformInput, at: (...path: (string | number)[]) => Origin): Diagnostic[] {
  const branch = input.envRepo.revision ?? "main";
  return Object.entries(input.environments).flatMap(([name, environment]) => {
    const { revision } = environment;
    if (revision === undefined || revision === branch || isFullRevision(revision)) return [];
    const fluxClusters = Object.entries(input.clusters)
      .filter(([, cluster]) => cluster.environment === name && declaredEngine(cluster, input.engine) === "flux")
      .map(([cluster]) => cluster)
      .sort();
    if (fluxClusters.length === 0) return [];
    return [
      {
        code: "validate/flux-revision",
        message: `environment ${name} follows revision ${JSON.stringify(revision)}, which Flux (on ${fluxClusters.join(", ")}) cannot tell a branch from a tag by`,
        origin: at("environments", name, "revision"),
        hint: `write the full reference: "refs/tags/${revision}" for a tag, "refs/heads/${revision}" for a branch (Argo CD accepts both), or a 40-hex commit`,
      },
    ];
  });
}

/** A 40-hex commit or a full reference ("refs/tags/v1"): what Flux's GitRepository takes without guessing. */
function isFullRevision(revision: string): boolean {
  return /^[0-9a-f]{40}$/.test(revision) || revision.startsWith("refs/");
}
