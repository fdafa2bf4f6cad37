import type { KubernetesObject } from "../k8s/object.js";
import { childOrigin, type Origin } from "../model/origin.js";
import type { Blueprint } from "../model/rendered.js";
import type { ResolvedApp } from "../model/resolved.js";

/** Where a rendered object came from: the app's raw objects, a secret declaration, or the blueprint. */
export interface ObjectSource {
  readonly object: KubernetesObject;
  readonly origin: Origin;
}

/**
 * The stack line to change for a field of a rendered object: inside the raw
 * object where the app wrote it; for an object the blueprint made, the
 * setting that produced the field (asked of the blueprint), at the layer
 * that won — the app, its environment or cluster override, or the
 * platform's default; otherwise the object's own origin.
 */
export function fieldOrigin(app: ResolvedApp, source: ObjectSource, field: readonly (string | number)[], blueprint: Blueprint): Origin {
  const { origin } = source;
  if (origin.path?.[0] === "objects" && sameCall(origin, app.origin)) return childOrigin(origin, ...field);
  if (!sameCall(origin, app.origin) || (origin.path?.length ?? 0) > 0) return origin;
  const setting = blueprint.settingOf?.(asBlueprintMadeIt(source.object), field);
  return setting === undefined ? app.origin : settingOrigin(app, setting);
}

/**
 * Where a setting (a dotted path such as "resources.limits" or
 * "probes.readiness") is written for this instance: the layer that set it,
 * or — when nothing set it — the place to add it: the most specific layer
 * that set something next to it, or the app itself.
 */
export function settingOrigin(app: ResolvedApp, setting: string): Origin {
  if (setting === "release") return app.releaseOrigin;
  if (setting === "image") return childOrigin(app.origin, "image");
  const provenance = app.provenance;
  if (Object.hasOwn(provenance, setting)) return provenance[setting]!;
  const depth = setting.split(".").length;
  const below = Object.keys(provenance).filter((key) => key.startsWith(`${setting}.`));
  if (below.length > 0) {
    // The app's own layers first: that is where its owner adds the missing piece.
    const mine = below.filter((key) => sameCall(provenance[key]!, app.origin));
    const key = (mine.length > 0 ? mine : below).sort()[0]!;
    const found = provenance[key]!;
    const extra = key.split(".").length - depth;
    return { ...found, path: (found.path ?? []).slice(0, (found.path?.length ?? 0) - extra) };
  }
  const parent = setting.lastIndexOf(".");
  return parent > 0 ? settingOrigin(app, setting.slice(0, parent)) : app.origin;
}

/**
 * The object as the blueprint rendered it: an Argo Rollout that progressive
 * delivery made of the blueprint's Deployment has the Deployment's fields at
 * the same paths, and so the same settings behind them.
 */
function asBlueprintMadeIt(object: KubernetesObject): KubernetesObject {
  return object.kind === "Rollout" && object.apiVersion === "argoproj.io/v1alpha1"
    ? { ...object, apiVersion: "apps/v1", kind: "Deployment" }
    : object;
}

function sameCall(a: Origin, b: Origin): boolean {
  return a.file === b.file && a.line === b.line && a.column === b.column;
}
