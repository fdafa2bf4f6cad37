import { KNOWN_WORKLOADS, workloadTable } from "../k8s/workloads.js";
import path from "node:path";
import { SluiceError } from "../errors.js";
import { GitRepo } from "../git/git.js";
import { releaseOriginOf, type AppModel, type Model } from "../model/model.js";
import { LOCK_PATH } from "../model/plan.js";
import { inPartition } from "../model/partition.js";
import { childOrigin, formatOrigin, type Origin } from "../model/origin.js";
import type { PlanEntry } from "../model/plan.js";
import { pinpointAll } from "../locate/index.js";
import type { LazyPlan } from "../pipeline/plan-files.js";
import { attention, type Attention, type ClusterInfo } from "./attention.js";
import { moveNotes } from "./engine-moves.js";
import { compareObjects, textPatch, type FileChange, type ObjectChange } from "./changes.js";
import { MAX_FILE_BYTES, unreadable } from "./bounds.js";
import { clusterOf, isUnreadable, objectId, objectsIn, type TreeObject, type Unreadable } from "./objects.js";

export interface DiffBase {
  /** The ref as given, e.g. "HEAD" or "origin/main". */
  readonly ref: string;
  readonly commit: string;
  /** The env repo's directory inside its git repository ("" for its root). */
  readonly path: string;
}

/** One cluster's part of the diff, in rollout order. */
export interface ClusterDiff extends ClusterInfo {
  readonly added: number;
  readonly changed: number;
  readonly removed: number;
  readonly objects: readonly ObjectChange[];
}

export interface DiffResult {
  readonly base: DiffBase;
  /** True when the stacks compile to exactly what the base holds, object for object. */
  readonly same: boolean;
  readonly totals: { readonly added: number; readonly changed: number; readonly removed: number };
  readonly clusters: readonly ClusterDiff[];
  readonly attention: readonly Attention[];
  /** The env repo's own files (README, CODEOWNERS, the lock, kustomizations). */
  readonly files: readonly FileChange[];
  /** Files whose bytes differ although every object in them is the same: a change of layout, not of what runs. */
  readonly relaid: readonly string[];
  /** Set when only a partition's files were compared (see model/partition.ts): how it was asked for, and its clusters. */
  readonly partition?: { readonly label: string; readonly clusters: readonly string[] };
}

/**
 * Compares a compiled plan with the env repo as committed at a ref. Only
 * files whose git blob differs are read and parsed, so the cost follows the
 * change, not the fleet.
 */
export async function diffPlan(
  root: string,
  model: Model,
  lazy: LazyPlan,
  options: { readonly envDir: string; readonly base?: string; readonly envRepo?: string },
): Promise<DiffResult> {
  const ref = options.base ?? "HEAD";
  const repo = await GitRepo.at(options.envRepo ? path.resolve(root, options.envRepo) : options.envDir);
  const commit = await repo.commit(ref);
  const prefix = options.envRepo ? model.platform.envRepo.path : path.relative(repo.root, options.envDir).split(path.sep).join("/");
  if (prefix.startsWith("..")) throw new SluiceError(`${options.envDir} is outside the git repository ${repo.root}.`, []);
  const tree = await repo.tree(commit, prefix);
  if (tree.size === 0) {
    throw new SluiceError(`There is no env repo at ${ref} (${prefix || "the repository root"} holds no files there).`, [
      {
        code: "diff/no-env-repo",
        message: `${ref} has no ${prefix ? `${prefix}/` : "files"}`,
        hint: "commit the output of `sluice synth` first, or compare with another ref (--base) or a clone of the env repo (--env-repo)",
      },
    ]);
  }

  const planned = new Map(lazy.files.map((file) => [file.path, file]));
  const differing = lazy.files.filter((file) => tree.get(file.path) !== file.blob).map((file) => file.path);
  // Only files the base's lock says sluice generated can leave: synth never deletes another's file.
  const owned = await ownedAt(repo, tree);
  const gone = [...tree.keys()]
    // A partition's plan speaks for its own clusters' files alone.
    .filter(
      (file) => !planned.has(file) && inPartition(lazy.partition, file) && (owned === undefined || owned.has(file) || file === LOCK_PATH),
    )
    .sort();
  const now = new Map(lazy.materialize(differing).map((file) => [file.path, file]));
  // Sizes first: a file past MAX_FILE_BYTES at the base is never read, however large.
  const baseBlobs = [...differing, ...gone].flatMap((file) => (tree.has(file) ? [tree.get(file)!] : []));
  const sizes = await repo.sizes(baseBlobs);
  const was = await repo.blobs(baseBlobs.filter((blob) => (sizes.get(blob) ?? 0) <= MAX_FILE_BYTES));

  const before: TreeObject[] = [];
  const after: TreeObject[] = [];
  const files: FileChange[] = [];
  const objectFiles: string[] = [];
  for (const file of [...differing, ...gone].sort()) {
    const blob = tree.get(file);
    const old = blob === undefined ? undefined : (was.get(blob) ?? "");
    const current = now.get(file)?.content;
    const change = old === undefined ? "added" : current === undefined ? "removed" : "changed";
    const skip = (reason: string) => files.push({ change, file, patch: "", skipped: reason });
    const baseProblem = old === undefined ? undefined : unreadable(old, sizes.get(blob!) ?? Buffer.byteLength(old));
    const nowProblem = current === undefined ? undefined : unreadable(current, Buffer.byteLength(current));
    if (baseProblem || nowProblem) {
      skip(baseProblem ? `at ${ref} it ${baseProblem}` : `as the stacks compile it, it ${nowProblem}`);
      continue;
    }
    const oldObjects = old === undefined ? [] : objectsIn(file, old);
    const newObjects = current === undefined ? [] : objectsIn(file, current);
    if (isUnreadable(oldObjects) || isUnreadable(newObjects)) {
      skip(
        isUnreadable(oldObjects)
          ? `at ${ref} it ${oldObjects.unreadable}`
          : `as the stacks compile it, it ${(newObjects as Unreadable).unreadable}`,
      );
      continue;
    }
    if (oldObjects === undefined || newObjects === undefined) {
      // A partition's diff shows the lock's lines of its own files, not every partition's.
      const view = (text: string | undefined) => (file === LOCK_PATH && text !== undefined ? lockLinesOf(lazy.partition, text) : text);
      const [was, is] = [view(old), view(current)];
      if (was !== undefined && is !== undefined && was === is) continue;
      files.push({ change, file, ...textPatch(was ?? "", is ?? "") });
      continue;
    }
    before.push(...oldObjects);
    after.push(...newObjects);
    objectFiles.push(file);
  }

  const origins = originIndex(now);
  // An Application an ApplicationSet makes was declared where its app is, as its own file's is under "per-app".
  const apps = new Map(model.apps.map((app) => [app.name, app.origin]));
  const appOf = (object: TreeObject) => object.object.metadata.labels?.["sluice.dev/app"];
  const info = clusterInfo(model, before, after);
  const changes = pinpointChanges(
    root,
    compareObjects(before, after, (object) => origins.get(object.id) ?? (object.generatedBy ? apps.get(appOf(object) ?? "") : undefined)),
    info,
    model.apps,
  );
  const notes = [
    ...moveNotes(model),
    ...attention(changes, info, { ...KNOWN_WORKLOADS, ...workloadTable(model.platform.customResources) }),
  ];
  const clusters = [...info.values()].flatMap((cluster): ClusterDiff[] => {
    const objects = changes.filter((c) => c.cluster === cluster.name);
    if (objects.length === 0) return [];
    const count = (kind: ObjectChange["change"]) => objects.filter((c) => c.change === kind).length;
    return [{ ...cluster, added: count("added"), changed: count("changed"), removed: count("removed"), objects }];
  });
  const total = (kind: ObjectChange["change"]) => changes.filter((c) => c.change === kind).length;
  const touched = new Set(changes.flatMap((c) => [c.file, ...(c.movedFrom ? [c.movedFrom] : [])]));
  return {
    base: { ref, commit, path: prefix },
    same: changes.length === 0 && files.length === 0,
    totals: { added: total("added"), changed: total("changed"), removed: total("removed") },
    clusters,
    attention: notes,
    files,
    relaid: objectFiles.filter((file) => !touched.has(file)),
    ...(lazy.partition ? { partition: { label: lazy.partition.label, clusters: [...lazy.partition.clusters].sort() } } : {}),
  };
}

/** The lock's text without the lines of files outside the partition (one line per file, as plan.ts writes it); all of it without a partition. */
function lockLinesOf(partition: LazyPlan["partition"], text: string): string {
  if (!partition) return text;
  return text
    .split("\n")
    .filter((line) => {
      const entry = /^ {4}("(?:[^"\\]|\\.)*"): \{/.exec(line);
      if (!entry) return true;
      try {
        return inPartition(partition, JSON.parse(entry[1]!) as string);
      } catch {
        return true;
      }
    })
    .join("\n");
}

/** The files the lock in a committed env repo names, or undefined without a readable lock (then every file counts). */
async function ownedAt(repo: GitRepo, tree: ReadonlyMap<string, string>): Promise<ReadonlySet<string> | undefined> {
  const blob = tree.get(LOCK_PATH);
  if (blob === undefined || ((await repo.sizes([blob])).get(blob) ?? 0) > MAX_FILE_BYTES) return undefined;
  try {
    const lock = JSON.parse((await repo.blobs([blob])).get(blob) ?? "") as { files?: Record<string, unknown> };
    return lock.files && typeof lock.files === "object" ? new Set(Object.keys(lock.files)) : undefined;
  } catch {
    return undefined;
  }
}

/** Where each object now planned in these files was declared (not yet pinned to a line). */
function originIndex(files: ReadonlyMap<string, PlanEntry>): Map<string, Origin> {
  const origins = new Map<string, Origin>();
  for (const file of files.values()) {
    const cluster = clusterOf(file.path);
    if (cluster === undefined) continue;
    for (const object of file.objects)
      origins.set(objectId(cluster, object.apiVersion, object.kind, object.namespace, object.name), object.origin);
  }
  return origins;
}

/**
 * Moves each change's origin to the line that caused it, where that is known
 * better than the object's: a new image in an object the blueprint generated
 * comes from the app's release for the cluster's wave. Each stack file is
 * parsed once, however many changes point into it.
 */
function pinpointChanges(
  root: string,
  changes: readonly ObjectChange[],
  clusters: ReadonlyMap<string, ClusterInfo>,
  apps: readonly AppModel[],
): ObjectChange[] {
  const declaredAt = new Map(apps.map((app) => [formatOrigin(app.origin), app]));
  const refined = changes.map((change) => {
    const wave = clusters.get(change.cluster)?.wave;
    const generated = change.origin && !change.origin.path?.length;
    const released = change.fields.some((field) => /containers\[[^\]]+\]\.image$/.test(field.path));
    if (!generated || !released || !wave) return change.origin;
    // The release is written in the app's stack or in its release file for the wave.
    const app = declaredAt.get(formatOrigin(change.origin!));
    return app ? releaseOriginOf(app, wave) : childOrigin(change.origin!, "release", wave);
  });
  const pinned = pinpointAll(
    root,
    refined.map((origin) => ({ code: "", message: "", ...(origin ? { origin } : {}) })),
  );
  return changes.map((change, i) => (pinned[i]!.origin ? { ...change, origin: pinned[i]!.origin! } : change));
}

/**
 * Every cluster of the platform in rollout order, then any cluster the base
 * has that the platform no longer declares. Production is what the
 * environment declares (by default, a name starting with "prod"); prune is
 * the environment's sync policy.
 */
function clusterInfo(model: Model, ...objects: (readonly TreeObject[])[]): Map<string, ClusterInfo> {
  const { platform } = model;
  const info = new Map<string, ClusterInfo>();
  for (const wave of platform.waves) {
    for (const name of wave.clusters) {
      const cluster = platform.clusters.find((c) => c.name === name)!;
      const environment = platform.environments.find((e) => e.name === cluster.environment)!;
      info.set(name, {
        name,
        wave: wave.name,
        environment: environment.name,
        production: environment.production,
        // What a cluster moving between engines lets go of is deleted by nobody (model/move-schema.ts).
        prune: environment.sync.prune && !cluster.move,
      });
    }
  }
  for (const object of objects.flat()) {
    // A cluster the platform dropped: where its Argo CD still runs and prunes,
    // an empty path means deleting everything, so count it as deletions.
    if (!info.has(object.cluster)) info.set(object.cluster, { name: object.cluster, production: false, prune: true });
  }
  return info;
}
