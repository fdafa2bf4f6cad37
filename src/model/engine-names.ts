/**
 * The GitOps engines sluice renders for, by the name platforms and clusters
 * use. The names live in the model, below the engines, so that the schema
 * and the model types know them without loading a renderer;
 * src/engines/index.ts registers one engine per name, and fails to compile
 * when a name has no engine or an engine no name.
 */
export const ENGINE_NAMES = ["argocd", "flux"] as const;

export type EngineName = (typeof ENGINE_NAMES)[number];
