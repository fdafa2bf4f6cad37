import type { ClusterModel } from "../model/model.js";
import { argoCd } from "./argocd/argocd.js";
import type { Engine } from "./engine.js";
import { flux } from "./flux/flux.js";

/**
 * Every engine sluice renders for, by the name platforms and clusters use:
 * the one place an engine is registered. The schema's `engine` values and
 * their type come from these keys.
 */
const ENGINES = {
  argocd: argoCd,
  flux,
} as const satisfies Record<string, Engine>;

export type EngineName = keyof typeof ENGINES;
export const ENGINE_NAMES = Object.keys(ENGINES) as [EngineName, ...EngineName[]];

export function engineNamed(name: EngineName): Engine {
  return ENGINES[name];
}

/** The engine a cluster runs. */
export function engineOf(cluster: Pick<ClusterModel, "engine">): Engine {
  return ENGINES[cluster.engine];
}

export type { ClusterInput, Engine } from "./engine.js";
