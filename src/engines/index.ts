import type { EngineName } from "../model/engine-names.js";
import type { ClusterModel } from "../model/model.js";
import type { Engine } from "./engine.js";
import { ENGINES } from "./registry.js";

/** Every registered engine (registry.ts), in registration order: what the stages, prerequisites and diff iterate. */
export const ENGINE_LIST: readonly Engine[] = Object.values(ENGINES);

export function engineNamed(name: EngineName): Engine {
  return ENGINES[name];
}

/** The engine a cluster runs. */
export function engineOf(cluster: Pick<ClusterModel, "engine">): Engine {
  return ENGINES[cluster.engine];
}

export type { ClusterInput, Engine, EngineController } from "./engine.js";
