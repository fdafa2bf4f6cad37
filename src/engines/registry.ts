import { argocd } from "./argocd/declaration.js";
import { flux } from "./flux/declaration.js";

/**
 * Every engine sluice renders for, by its name in stacks: the one place an
 * engine is registered, as its folder's declaration (declaration.ts, which
 * loads no renderer). Everything else is derived from this table: the
 * platform schema's `engine` choices and settings keys, the model's types,
 * the CLI's `--engine` choices, the reserved namespaces, and the list the
 * stages, prerequisites and diff iterate (index.ts, which loads the
 * renderers) — which is why a test adds an engine by mocking this module
 * alone (test/engine-conformance.test.ts).
 */
export const ENGINES = {
  argocd,
  flux,
} as const;
