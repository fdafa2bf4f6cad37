import type { EnvLayout } from "./layout.js";

/**
 * A partition of the env repo: the files of some clusters, which one run
 * renders, writes and checks (`--clusters`, `--partition i/n`), and the env
 * repo's own files (README, CODEOWNERS, the lock), which every partition
 * renders from the whole model. Each file belongs to the cluster whose
 * directory holds it, so partitions never share a file but the lock, whose
 * lines they merge. A hub's directory holds its spokes' roots: those are the
 * hub's.
 */
export interface Partition {
  /** The clusters whose files this run renders and checks. */
  readonly clusters: ReadonlySet<string>;
  /** How it was asked for, to name it in reports: "2/4", or the cluster names. */
  readonly label: string;
  /** The env repo's layout: how deep under apps/ a cluster's directory is (see layout.ts). */
  readonly layout: EnvLayout;
}

/** How a partition is asked for: by cluster names, or as group `index` (1-based) of `count`. */
export type PartitionSpec = { readonly clusters: readonly string[] } | { readonly index: number; readonly count: number };

/** The top directories whose files sit in a directory named after their cluster, one level above the file. */
const PER_CLUSTER = new Set(["apps", "components", "previews"]);

/**
 * The cluster a file of the env repo belongs to: clusters/<cluster>/…,
 * apps/<app>/<cluster>/…, components/<name>/<cluster>/…,
 * previews/<app>/<cluster>/…; undefined for the env repo's own files.
 */
export function clusterOfFile(path: string): string | undefined {
  // By the slashes, not split: a partition's run asks this of every line of a fleet's lock.
  const first = path.indexOf("/");
  if (first === -1) return undefined;
  const top = path.slice(0, first);
  if (top === "clusters") {
    const second = path.indexOf("/", first + 1);
    return second === -1 ? undefined : path.slice(first + 1, second);
  }
  if (!PER_CLUSTER.has(top)) return undefined;
  const last = path.lastIndexOf("/");
  const before = path.lastIndexOf("/", last - 1);
  // At least four parts: <top>/…/<cluster>/<file>.
  return before > first ? path.slice(before + 1, last) : undefined;
}

/** Whether a file is the partition's (every file is, without one). */
export function inPartition(partition: Partition | undefined, path: string): boolean {
  if (!partition) return true;
  const cluster = clusterOfFile(path);
  return cluster === undefined || partition.clusters.has(cluster);
}

/**
 * Whether a directory of the env repo can hold files of the partition: a
 * listing of out/ skips another partition's cluster directories without
 * reading them.
 */
export function mayHoldPartition(partition: Partition | undefined, dir: string): boolean {
  if (!partition) return true;
  const parts = dir.split("/");
  if (parts[0] === "clusters" && parts.length === 2) return partition.clusters.has(parts[1]!);
  const depth = parts[0] === "apps" && partition.layout === "by-team" ? 4 : 3;
  if (PER_CLUSTER.has(parts[0]!) && parts.length === depth) return partition.clusters.has(parts.at(-1)!);
  return true;
}

/** Whether a file or directory of the env repo lies in a cluster directory of another partition. */
export function beyondPartition(partition: Partition | undefined, path: string): boolean {
  if (!partition) return false;
  // Its first two, three and four parts (as many as it has), each as a directory.
  let end = path.indexOf("/");
  for (let depth = 2; depth <= 4 && end !== -1; depth++) {
    const next = path.indexOf("/", end + 1);
    if (!mayHoldPartition(partition, next === -1 ? path : path.slice(0, next))) return true;
    end = next;
  }
  return false;
}
