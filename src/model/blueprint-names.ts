/**
 * The names of the blueprints sluice ships (lib/blueprints/index.ts registers
 * each under its name here). An app chooses one of these or one its platform
 * registers with `blueprints`; an app that chooses none gets the default.
 */
export const BUILT_IN_BLUEPRINTS = ["web-service"] as const;

export type BuiltInBlueprintName = (typeof BUILT_IN_BLUEPRINTS)[number];

/** The blueprint of an app that names none (unless the API's `blueprint` option says otherwise). */
export const DEFAULT_BLUEPRINT: BuiltInBlueprintName = "web-service";
