import type { ClusterModel, EngineName } from "../model/model.js";
import { argoCd } from "./argocd/argocd.js";
import type { Engine } from "./engine.js";
import { flux } from "./flux/flux.js";

/** Every engine sluice renders for, by the name platforms and clusters use. */
const ENGINES: Readonly<Record<EngineName, Engine>> = {
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
