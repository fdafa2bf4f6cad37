import { APP_KINDS, type AppKind } from "./app-kinds.js";

/**
 * The blueprints sluice ships: one per app kind, named after it
 * (lib/blueprints/index.ts must register each, or it does not compile). An
 * app is rendered by the blueprint of its kind unless it chooses one its
 * platform registers with `blueprints`.
 */
export const BUILT_IN_BLUEPRINTS: readonly AppKind[] = APP_KINDS;

export type BuiltInBlueprintName = AppKind;
