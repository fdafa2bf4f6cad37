import { SluiceError } from "../../errors.js";
import { argoHome } from "../../model/hub.js";
import type { Model } from "../../model/model.js";
import { own } from "../../model/own.js";
import type { Partition, PartitionSpec } from "../../model/partition.js";
import { closestName } from "../../model/spelling.js";

/**
 * The partition a run was asked for, checked against the platform: every
 * named cluster must be one, and `i/n` is the i-th of the groups
 * `partitionGroups` makes. Throws SluiceError (exit 2) otherwise.
 */
export function choosePartition(model: Model, spec: PartitionSpec): Partition {
  const names = model.platform.clusters.map((cluster) => cluster.name);
  if ("clusters" in spec) {
    const known = new Set(names);
    const unknown = spec.clusters.filter((name) => !known.has(name));
    if (unknown.length > 0) {
      throw new SluiceError(`--clusters names ${unknown.length === 1 ? "a cluster" : "clusters"} the platform does not declare.`, [
        ...unknown.map((name) => {
          const near = closestName(name, names);
          return {
            code: "partition/unknown-cluster",
            message: `there is no cluster ${JSON.stringify(name)} in ${model.platform.origin.file}`,
            hint: near ? `did you mean ${near}?` : `the clusters are: ${names.join(", ")}`,
          };
        }),
      ]);
    }
    return { clusters: new Set(spec.clusters), label: [...new Set(spec.clusters)].sort().join(","), layout: model.platform.envRepo.layout };
  }
  const { index, count } = spec;
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 1 || index > count) {
    throw new SluiceError(`--partition ${index}/${count} is not one of ${count} groups.`, [
      {
        code: "partition/out-of-range",
        message: `a partition is i/n with 1 ≤ i ≤ n, e.g. 2/4; got ${index}/${count}`,
        hint: "give each CI job one of 1/n … n/n, as `sluice ci --partitions n` does",
      },
    ]);
  }
  return { clusters: new Set(partitionGroups(model, count)[index - 1]), label: `${index}/${count}`, layout: model.platform.envRepo.layout };
}

/**
 * The fleet's clusters in `count` groups of about equal work, the same on
 * every machine: a hub goes with its spokes (one job checks everything one
 * Argo CD reads), and the largest units go first, each to the lightest group
 * so far. A unit weighs the app instances on its clusters, plus one for the
 * cluster's own files. Groups may be empty when there are fewer units than groups.
 */
export function partitionGroups(model: Model, count: number): string[][] {
  const { platform } = model;
  const onWave = new Map<string, number>();
  for (const app of model.apps)
    for (const wave of platform.waves)
      if (own(app.release, wave.name) !== undefined) onWave.set(wave.name, (onWave.get(wave.name) ?? 0) + 1);
  const units = new Map<string, { clusters: string[]; weight: number }>();
  for (const cluster of platform.clusters) {
    const home = argoHome(cluster);
    const unit = units.get(home) ?? { clusters: [], weight: 0 };
    unit.clusters.push(cluster.name);
    unit.weight += 1 + (onWave.get(cluster.wave) ?? 0);
    units.set(home, unit);
  }
  const ordered = [...units].sort(([a, x], [b, y]) => y.weight - x.weight || (a < b ? -1 : a > b ? 1 : 0));
  const groups = Array.from({ length: count }, () => ({ clusters: [] as string[], weight: 0 }));
  for (const [, unit] of ordered) {
    const lightest = groups.reduce((best, group) => (group.weight < best.weight ? group : best), groups[0]!);
    lightest.clusters.push(...unit.clusters);
    lightest.weight += unit.weight;
  }
  return groups.map((group) => group.clusters.sort());
}
