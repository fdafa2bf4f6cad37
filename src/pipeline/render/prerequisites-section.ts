import { engineOf } from "../../engines/index.js";
import type { Model } from "../../model/model.js";
import type { Prerequisite } from "../../model/prerequisite.js";
import type { RenderedObject } from "../../model/rendered.js";
import { clusterPrerequisites } from "./prerequisites.js";
import type { InstanceRef } from "../../model/instance-ref.js";

/**
 * out/README.md's Prerequisites: per engine, what each cluster needs that the
 * env repo does not install, with what breaks without it. Clusters that need
 * the same are one table, so a fleet of alike clusters reads as one list.
 */
export function prerequisitesSection(model: Model, fleetObjects: readonly RenderedObject[], instances: readonly InstanceRef[]): string[] {
  const { platform } = model;
  const groups = new Map<string, { engine: string; clusters: string[]; list: Prerequisite[] }>();
  for (const wave of platform.waves) {
    for (const name of wave.clusters) {
      const cluster = platform.clusters.find((c) => c.name === name)!;
      const list = clusterPrerequisites(model, cluster, fleetObjects, instances);
      // A spoke's Argo CD is its hub's.
      const engine = cluster.managedBy ? `${engineOf(cluster).title} of ${cluster.managedBy.hub}` : engineOf(cluster).title;
      const id = `${engine}\0${JSON.stringify(list)}`;
      const group = groups.get(id) ?? { engine, clusters: [], list };
      group.clusters.push(name);
      groups.set(id, group);
    }
  }
  const lines = [
    "## Prerequisites",
    "",
    'What each cluster needs that this repo does not install, from what the repo holds for it; "installed by" names the platform component that provides it there.',
    "",
  ];
  for (const { engine, clusters, list } of [...groups.values()].sort((a, b) => (a.engine < b.engine ? -1 : a.engine > b.engine ? 1 : 0))) {
    lines.push(
      `### ${engine}: ${clusters.map((c) => `\`${c}\``).join(", ")}`,
      "",
      "| what | name | namespace | why | installed by |",
      "|---|---|---|---|---|",
    );
    for (const item of list) {
      lines.push(
        `| ${item.what} | ${cell(item.name)} | ${item.namespace ? `\`${item.namespace}\`` : "—"} | ${cell(item.why)} | ${item.component ?? "—"} |`,
      );
    }
    lines.push("");
  }
  return lines;
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}
