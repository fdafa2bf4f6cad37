import type { EngineName } from "../model/engine-names.js";
import type { ClusterModel } from "../model/model.js";
import { argoCd } from "./argocd/argocd.js";
import type { Engine } from "./engine.js";
import { flux } from "./flux/flux.js";

/**
 * Every engine sluice renders for, keyed by its name in the model
 * (src/model/engine-names.ts): the one place an engine is registered. The
 * record type requires an engine for every name and refuses a key that is
 * not a name, so a name without an engine, or an engine without a name,
 * does not compile.
 */
const ENGINES: { readonly [name in EngineName]: Engine } = {
  argocd: argoCd,
  flux,
};

export function engineNamed(name: EngineName): Engine {
  return ENGINES[name];
}

/** The engine a cluster runs. */
export function engineOf(cluster: Pick<ClusterModel, "engine">): Engine {
  return ENGINES[cluster.engine];
}

export type { ClusterInput, Engine } from "./engine.js";
