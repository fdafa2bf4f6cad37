import type { Diagnostic } from "../../model/diagnostic.js";
import { MAX_DIRECTORY_ENTRIES } from "../../model/layout.js";
import type { AppModel, PlatformModel } from "../../model/model.js";
import { childOrigin } from "../../model/origin.js";
import { own } from "../../model/own.js";

/**
 * The env repo's directories that grow with the fleet, each held under
 * MAX_DIRECTORY_ENTRIES (GitHub recommends no more per directory; its web
 * view stops listing at 1,000, and a pull request's file tree slows with
 * them): apps/ and each cluster's apps/ in the platform's layout, the
 * clusters, each cluster's namespaces. Errors at the platform's envRepo
 * (or teams, clusters) line, naming the fix.
 */
export function layoutProblems(platform: PlatformModel, apps: readonly AppModel[]): Diagnostic[] {
  const limit = MAX_DIRECTORY_ENTRIES;
  const problems: Diagnostic[] = [];
  const tooMany = (dir: string, count: number, at: readonly string[], hint: string) =>
    problems.push({
      code: "layout/directory-too-large",
      message: `out/${dir} would hold ${count.toLocaleString("en-US")} entries; GitHub recommends at most ${limit.toLocaleString("en-US")} per directory`,
      origin: childOrigin(platform.origin, ...at),
      hint,
    });
  const byTeam = new Map<string, AppModel[]>();
  for (const app of apps) byTeam.set(app.team, [...(byTeam.get(app.team) ?? []), app]);
  // The most apps any one cluster runs: a cluster's apps/ holds at most those.
  const onCluster = (list: readonly AppModel[]) =>
    Math.max(0, ...platform.clusters.map((cluster) => list.filter((app) => own(app.release, cluster.wave) !== undefined).length));

  // The first of a layout's directories past the limit, with its own count (a cluster's apps/ also holds its kustomization.yaml).
  const first = (dirs: readonly (readonly [string, number])[]) => dirs.find(([, count]) => count > limit);
  if (platform.envRepo.layout === "flat") {
    const over = first([
      ["apps/", apps.length],
      ["clusters/<cluster>/apps/", onCluster(apps) + 1],
    ]);
    if (over)
      tooMany(
        over[0],
        over[1],
        ["envRepo"],
        'add a directory level by team: envRepo: { layout: "by-team", … } (apps/<team>/<app>/ and clusters/<cluster>/apps/<team>/); one synth moves the files',
      );
  } else {
    for (const [team, list] of [...byTeam].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const over = first([
        [`apps/${team}/`, list.length],
        [`clusters/<cluster>/apps/${team}/`, onCluster(list) + 1],
      ]);
      if (over)
        tooMany(
          over[0],
          over[1],
          ["teams", team],
          `split team ${team} (${list.length.toLocaleString("en-US")} apps) into teams of at most ${(limit - 1).toLocaleString("en-US")} apps each`,
        );
    }
    if (byTeam.size + 1 > limit) tooMany("clusters/<cluster>/apps/", byTeam.size + 1, ["teams"], "group the teams into fewer, larger ones");
  }
  if (platform.clusters.length > limit)
    tooMany("clusters/", platform.clusters.length, ["clusters"], "run one platform per region, each with its own env repo");
  const namespaces = platform.teams.reduce((sum, team) => sum + team.namespaces.length, 0);
  if (namespaces + 1 > limit)
    tooMany("clusters/<cluster>/namespaces/", namespaces + 1, ["teams"], "give the teams fewer namespaces, or split the platform");
  return problems;
}
