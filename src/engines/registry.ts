import type { EngineName } from "../model/engine-names.js";
import { argoCd } from "./argocd/argocd.js";
import type { Engine } from "./engine.js";
import { flux } from "./flux/flux.js";

/**
 * Every engine sluice renders for, keyed by its name in the model
 * (src/model/engine-names.ts): the one place an engine is registered. The
 * record type requires an engine for every name and refuses a key that is
 * not a name, so a name without an engine, or an engine without a name,
 * does not compile. Everything else (index.ts: lookups, the list the stages,
 * prerequisites and diff iterate) is derived from this table, which is why a
 * test can add an engine by mocking this module alone
 * (test/engine-conformance.test.ts).
 */
export const ENGINES: { readonly [name in EngineName]: Engine } = {
  argocd: argoCd,
  flux,
};
