import { createRequire } from "node:module";
import { toYaml } from "../k8s/yaml.js";
import type { Origin } from "../model/origin.js";
import { fieldChanges, type FieldChange } from "./fields.js";
import type { TreeObject } from "./objects.js";

/** What happens to one object on one cluster. */
export interface ObjectChange {
  readonly change: "added" | "changed" | "removed";
  readonly cluster: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  /** The file it is in now (or was in, when removed). */
  readonly file: string;
  /** Set when the object is in another file than before: a move alone is no change. */
  readonly movedFrom?: string;
  readonly fields: readonly FieldChange[];
  /** Unified diff of the object's YAML, hunks only. */
  readonly patch: string;
  readonly before?: TreeObject["object"];
  readonly after?: TreeObject["object"];
  /** The stack line that produced it, when it still comes from the stacks. */
  readonly origin?: Origin;
}

/** A file of the env repo that holds no deployed objects (README, CODEOWNERS, the lock, kustomizations). */
export interface FileChange {
  readonly change: "added" | "changed" | "removed";
  readonly file: string;
  readonly patch: string;
}

/**
 * Matches objects by identity (cluster, apiVersion, kind, namespace, name)
 * across files, so that an object that moved is compared with itself: a
 * change of layout shows no change of what runs.
 */
export function compareObjects(
  before: readonly TreeObject[],
  after: readonly TreeObject[],
  originOf: (object: TreeObject) => Origin | undefined,
): ObjectChange[] {
  const old = new Map(before.map((o) => [o.id, o]));
  const now = new Map(after.map((o) => [o.id, o]));
  const changes: ObjectChange[] = [];
  for (const [id, current] of now) {
    const previous = old.get(id);
    const origin = originOf(current);
    const common = { cluster: current.cluster, apiVersion: current.apiVersion, kind: current.kind, ...(current.namespace !== undefined ? { namespace: current.namespace } : {}), name: current.name, file: current.file, ...(origin ? { origin } : {}) };
    if (!previous) {
      changes.push({ change: "added", ...common, fields: [], patch: patch(undefined, current.object), after: current.object });
      continue;
    }
    const fields = fieldChanges(previous.object, current.object);
    if (fields.length === 0) continue;
    changes.push({
      change: "changed",
      ...common,
      ...(previous.file !== current.file ? { movedFrom: previous.file } : {}),
      fields,
      patch: patch(previous.object, current.object),
      before: previous.object,
      after: current.object,
    });
  }
  for (const [id, previous] of old) {
    if (now.has(id)) continue;
    changes.push({
      change: "removed",
      cluster: previous.cluster,
      apiVersion: previous.apiVersion,
      kind: previous.kind,
      ...(previous.namespace !== undefined ? { namespace: previous.namespace } : {}),
      name: previous.name,
      file: previous.file,
      fields: [],
      patch: patch(previous.object, undefined),
      before: previous.object,
    });
  }
  return changes.sort(byIdentity);
}

/** The hunks of a unified diff between two texts, without file headers. */
export function textPatch(before: string, after: string): string {
  const { hunks } = differ().structuredPatch("before", "after", before, after, "", "", { context: 3 });
  return hunks.map((hunk) => [`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`, ...hunk.lines].join("\n")).join("\n");
}

function patch(before: TreeObject["object"] | undefined, after: TreeObject["object"] | undefined): string {
  return textPatch(before ? toYaml(before) : "", after ? toYaml(after) : "");
}

let loaded: typeof import("diff") | undefined;
/** The diff library, loaded on first use: the public surface (which stacks import) must not pay for it. */
function differ(): typeof import("diff") {
  loaded ??= createRequire(import.meta.url)("diff") as typeof import("diff");
  return loaded;
}

const ORDER = { removed: 0, changed: 1, added: 2 } as const;
function byIdentity(a: ObjectChange, b: ObjectChange): number {
  const key = (c: ObjectChange) => [c.cluster, ORDER[c.change], c.kind, c.namespace ?? "", c.name].join("\0");
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}
