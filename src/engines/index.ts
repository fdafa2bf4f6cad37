import type { z } from "zod";
import type { EngineName } from "../model/engine-names.js";
import type { ClusterModel } from "../model/model.js";
import { type EngineDeclaration, settingsOf } from "./declaration.js";
import type { Engine, EngineRenderer } from "./engine.js";
import { ENGINES } from "./registry.js";

/** The registry as the stages see it: each declaration's `load` must give a renderer, or this does not compile. */
const REGISTERED: { readonly [Name in EngineName]: EngineDeclaration<Name, z.ZodType, EngineRenderer> } = ENGINES;

/**
 * The renderers, loaded once, when the stages first import this module (a
 * top-level await): the model and the SDK load only the declarations.
 */
const loaded: readonly Engine[] = await Promise.all(
  Object.values(REGISTERED).map(async (declaration): Promise<Engine> => {
    const renderer = await declaration.load();
    return {
      ...renderer,
      name: declaration.name,
      title: declaration.title,
      namespace: (platform) => declaration.namespace(settingsOf(declaration, platform)),
    };
  }),
);

const byName = new Map(loaded.map((engine) => [engine.name, engine]));

/** Every registered engine (registry.ts), in registration order: what the stages, prerequisites and diff iterate. */
export const ENGINE_LIST: readonly Engine[] = loaded;

export function engineNamed(name: EngineName): Engine {
  return byName.get(name)!;
}

/** The engine a cluster runs. */
export function engineOf(cluster: Pick<ClusterModel, "engine">): Engine {
  return engineNamed(cluster.engine);
}

export type { ClusterInput, Engine, EngineController, EngineRenderer } from "./engine.js";
