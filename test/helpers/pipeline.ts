import type { Blueprint, KubernetesObject } from "sluice";
import { service } from "../../lib/blueprints/service.js";
import { builtInBlueprints } from "../../lib/blueprints/index.js";
import { blueprintRegistry } from "../../src/pipeline/render/index.js";
import type { Model } from "../../src/model/model.js";
import type { Lock, PlannedFile } from "../../src/model/plan.js";
import type { Origin } from "../../src/model/origin.js";
import { planFiles } from "../../src/pipeline/plan-files.js";
import { buildPolicy } from "../../src/policy/policy.js";
import { documents } from "./policies.js";

/**
 * The file plan of a model, through the pipeline synth runs (resolve → render
 * → check → emit), without caches, policy rules or admission objects.
 */
export function planModel(model: Model, blueprint: Blueprint = service): { files: PlannedFile[]; lock: Lock } {
  const lazy = planFiles("/nowhere", model, {
    blueprints: blueprintRegistry(builtInBlueprints, model.platform.blueprints, blueprint),
    policy: { ...buildPolicy(model.platform, []), admission: "none" },
    today: "2026-01-01",
    time: (_stage, run) => run(),
  });
  return { files: lazy.materialize(lazy.files.map((file) => file.path)), lock: lazy.lock };
}

export interface PlannedObjectOf {
  readonly path: string;
  readonly object: KubernetesObject;
  readonly origin: Origin;
  readonly sources: readonly string[];
}

/**
 * A plan's objects (read back from each file's YAML, with the origin the plan
 * records for each) and its documents (README, CODEOWNERS): what render made.
 */
export function renderedOf(plan: { readonly files: readonly PlannedFile[] }): {
  objects: PlannedObjectOf[];
  documents: { path: string; content: string }[];
} {
  const objects = plan.files.flatMap((file) =>
    file.objects.length === 0
      ? []
      : documents(file.content).map((object, index) => ({
          path: file.path,
          object,
          origin: file.objects[index]!.origin,
          sources: file.sources,
        })),
  );
  const docs = plan.files
    .filter((file) => file.path === "README.md" || file.path === "CODEOWNERS")
    .map(({ path, content }) => ({ path, content }));
  return { objects, documents: docs };
}
