import type { AppKind } from "../../model/app-kinds.js";
import type { Blueprint } from "../../model/rendered.js";

/** Which blueprint renders each app: by the name it chose, else its kind's. */
export interface Blueprints {
  /** The blueprint of an app (validation has checked the name it chose). */
  of(app: { readonly kind: AppKind; readonly blueprint?: string | undefined }): Blueprint;
  /** True for sluice's own blueprints, which are hashed with sluice's code. */
  builtIn(blueprint: Blueprint): boolean;
}

/**
 * The registry of one run: sluice's built-in blueprints (lib/blueprints, one
 * per kind, named after it) and the platform's own, by name. `fallback`
 * renders the service apps that choose none (the API's `blueprint` option);
 * without it, an app that chooses none gets its kind's built-in blueprint.
 */
export function blueprintRegistry(
  builtIns: { readonly [K in AppKind]: Blueprint },
  platform: Readonly<Record<string, Blueprint>>,
  fallback?: Blueprint,
): Blueprints {
  const byName = new Map<string, Blueprint>([...Object.entries(builtIns), ...Object.entries(platform)]);
  const own = new Set<Blueprint>(Object.values(builtIns));
  return {
    of({ kind, blueprint: name }) {
      if (name === undefined) return kind === "service" && fallback ? fallback : builtIns[kind];
      const blueprint = byName.get(name);
      if (!blueprint) throw new Error(`blueprint ${JSON.stringify(name)} is not registered`);
      return blueprint;
    },
    builtIn: (blueprint) => own.has(blueprint),
  };
}
