import type { Blueprint } from "../../model/rendered.js";
import { DEFAULT_BLUEPRINT } from "../../model/blueprint-names.js";

/** Which blueprint renders each app: by the name it chose, else the default. */
export interface Blueprints {
  /** The blueprint of an app that chose `name` (undefined: it chose none). Validation has checked the name. */
  of(name: string | undefined): Blueprint;
  /** True for sluice's own blueprints, which are hashed with sluice's code. */
  builtIn(blueprint: Blueprint): boolean;
}

/**
 * The registry of one run: sluice's built-in blueprints (lib/blueprints) and
 * the platform's own, by name. `fallback` renders the apps that choose none
 * (the API's `blueprint` option); without it, they get "web-service".
 */
export function blueprintRegistry(
  builtIns: Readonly<Record<string, Blueprint>>,
  platform: Readonly<Record<string, Blueprint>>,
  fallback?: Blueprint,
): Blueprints {
  const byName = new Map<string, Blueprint>([...Object.entries(builtIns), ...Object.entries(platform)]);
  const own = new Set(Object.values(builtIns));
  const defaultBlueprint = fallback ?? byName.get(DEFAULT_BLUEPRINT)!;
  return {
    of(name) {
      if (name === undefined) return defaultBlueprint;
      const blueprint = byName.get(name);
      if (!blueprint) throw new Error(`blueprint ${JSON.stringify(name)} is not registered`);
      return blueprint;
    },
    builtIn: (blueprint) => own.has(blueprint),
  };
}
