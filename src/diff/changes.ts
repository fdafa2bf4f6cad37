import { createRequire } from "node:module";
import { toYaml } from "../k8s/yaml.js";
import type { Origin } from "../model/origin.js";
import { MAX_FIELDS, MAX_PATCH_EDITS } from "./bounds.js";
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
  /** Set on an Application an ApplicationSet makes: "ApplicationSet <namespace>/<name>" (see objects.ts). */
  readonly generatedBy?: string;
  /** The changed fields, at most MAX_FIELDS of them (see `moreFields`). */
  readonly fields: readonly FieldChange[];
  /** How many changed fields there are beyond `fields`: counted, not listed. */
  readonly moreFields?: number;
  /** Unified diff of the object's YAML, hunks only; "" when left out (see `patchSkipped`). */
  readonly patch: string;
  /** Why the YAML diff was left out (too many changed lines to compute it in reasonable time). */
  readonly patchSkipped?: string;
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
  /** Why the file was not compared (binary, too large, not YAML, an alias bomb): then `patch` is "". */
  readonly skipped?: string;
  /** Why `patch` is "" although the file was compared (too many changed lines). */
  readonly patchSkipped?: string;
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
    const common = {
      cluster: current.cluster,
      apiVersion: current.apiVersion,
      kind: current.kind,
      ...(current.namespace !== undefined ? { namespace: current.namespace } : {}),
      name: current.name,
      file: current.file,
      ...(current.generatedBy ? { generatedBy: current.generatedBy } : {}),
      ...(origin ? { origin } : {}),
    };
    if (!previous) {
      changes.push({ change: "added", ...common, fields: [], ...patch(undefined, current.object), after: current.object });
      continue;
    }
    const { fields, total } = fieldChanges(previous.object, current.object, MAX_FIELDS);
    if (total === 0) continue;
    changes.push({
      change: "changed",
      ...common,
      ...(previous.file !== current.file ? { movedFrom: previous.file } : {}),
      fields,
      ...(total > fields.length ? { moreFields: total - fields.length } : {}),
      ...patch(previous.object, current.object),
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
      ...(previous.generatedBy ? { generatedBy: previous.generatedBy } : {}),
      fields: [],
      ...patch(previous.object, undefined),
      before: previous.object,
    });
  }
  return changes.sort(byIdentity);
}

/**
 * The hunks of a unified diff between two texts, without file headers; "" and
 * `skipped` when more than MAX_PATCH_EDITS lines are removed and added (a
 * changed line is one of each), where the line diff would take minutes.
 */
export function textPatch(before: string, after: string): { patch: string; patchSkipped?: string } {
  const result = differ().structuredPatch("before", "after", before, after, "", "", { context: 3, maxEditLength: MAX_PATCH_EDITS });
  if (result === undefined) return { patch: "", patchSkipped: `more than ${MAX_PATCH_EDITS.toLocaleString("en")} lines removed and added` };
  return {
    patch: result.hunks
      .map((hunk) => [`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`, ...hunk.lines].join("\n"))
      .join("\n"),
  };
}

function patch(
  before: TreeObject["object"] | undefined,
  after: TreeObject["object"] | undefined,
): { patch: string; patchSkipped?: string } {
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
