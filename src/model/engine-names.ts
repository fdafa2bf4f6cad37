import type { z } from "zod";
import type { EngineDeclaration } from "../engines/declaration.js";
import { ENGINES } from "../engines/registry.js";

/**
 * The GitOps engines sluice renders for, by the name platforms and clusters
 * use, and their settings as the model carries them: derived from the
 * engines' declarations (src/engines/registry.ts), which load no renderer, so
 * that the schema and the model types know them without loading one.
 */
export type EngineName = keyof typeof ENGINES;

/** Every registered engine's declaration, in registration order. */
export const ENGINE_DECLARATIONS: readonly EngineDeclaration[] = Object.values(ENGINES);

export const ENGINE_NAMES = ENGINE_DECLARATIONS.map((declaration) => declaration.name) as readonly EngineName[];

/** Each engine's settings, parsed by its declaration (defaults filled in): `engineSettings.flux.gitSecret`. */
export type EngineSettings = { readonly [Name in EngineName]: Readonly<z.output<(typeof ENGINES)[Name]["settings"]>> };

/** The engines' settings in a platform its schema parsed, by engine name: what the model carries. */
export function engineSettingsIn(parsed: EngineSettings): EngineSettings {
  return Object.fromEntries(ENGINE_DECLARATIONS.map(({ name }) => [name, parsed[name as EngineName]])) as EngineSettings;
}
