import { engineNamed } from "../../engines/index.js";
import type { FreezeWindow } from "../../model/freeze-schema.js";
import type { Model } from "../../model/model.js";

/**
 * out/README.md's Freeze windows: each window, the clusters it holds, and
 * what enforces it on each engine, since the engines differ (Argo CD has sync
 * windows, Flux has nothing of the kind). Only in a fleet that has windows,
 * so other env repos' READMEs do not change.
 */
export function freezeSection({ platform }: Model): string[] {
  const windows = new Map<string, { window: FreezeWindow; clusters: string[] }>();
  for (const cluster of platform.clusters) {
    for (const window of cluster.freeze) {
      const key = JSON.stringify([window.declaredOn, window.origin.path]);
      const entry = windows.get(key) ?? windows.set(key, { window, clusters: [] }).get(key)!;
      entry.clusters.push(cluster.name);
    }
  }
  if (windows.size === 0) return [];
  const frozen = platform.clusters.filter((cluster) => cluster.freeze.length > 0);
  const on = (engine: string) =>
    frozen
      .filter((cluster) => cluster.engine === engine)
      .map((cluster) => `\`${cluster.name}\``)
      .join(", ");
  const lines = [
    "## Freeze windows",
    "",
    "No release enters a wave while one of its clusters is in a freeze window: `sluice gates` (on the pull request) and `sluice promote` refuse it, naming the window and when it ends, unless a person forces it with `--force --reason`, which the promotion's commit records (`Sluice-Forced`). A cluster's windows add to its environment's.",
    "",
    "| declared on | clusters | when | reason | sync by hand |",
    "|---|---|---|---|---|",
  ];
  for (const { window, clusters } of windows.values()) {
    const { timing } = window;
    const when =
      timing.kind === "recurring"
        ? `from \`${timing.schedule}\` (${timing.timeZone ?? "UTC"}) for ${timing.duration}`
        : `${timing.from} to ${timing.until}, once`;
    lines.push(
      `| ${window.declaredOn.kind} ${window.declaredOn.name} | ${clusters.map((c) => `\`${c}\``).join(", ")} | ${when} | ${window.reason.replace(/\|/g, "\\|")} | ${window.manualSync ? "allowed on Argo CD" : "no"} |`,
    );
  }
  lines.push("");
  const argo = on("argocd");
  const flux = on("flux");
  if (argo)
    lines.push(
      `- ${engineNamed("argocd").title} (${argo}): each team's AppProject (\`clusters/<cluster>/projects/<team>.yaml\`) holds the windows as \`deny\` sync windows, so Argo CD syncs none of the team's Applications while one is open, even a release forced past the gate; a window with \`manualSync\` lets a person sync by hand. The cluster's root and the platform components are not held. Argo CD reads a window's time zone at the zone's offset of the moment it checks, so around a daylight-saving change it may open or close an hour apart from the gate.`,
    );
  if (flux)
    lines.push(
      `- ${engineNamed("flux").title} (${flux}): Flux has no sync windows, and nothing on the cluster enforces these. The gate refuses a promotion before it merges; a change merged during a window anyway (forced, or merged past the failing check) is applied at the next reconcile. To hold a cluster by hand: \`flux suspend kustomization --all -n <namespace>\`, and \`flux resume\` after.`,
    );
  if ([...windows.values()].some(({ window }) => window.timing.kind === "once"))
    lines.push(
      "- A one-off window reaches Argo CD as the cron of its start (UTC) and its length: Argo CD's schedules have no year, so it repeats on the same date every year. Remove it from the stack once it has ended.",
    );
  lines.push("");
  return lines;
}
