/**
 * A render thread (see render-threads.ts): builds the model from the loaded
 * stacks the main thread handed it — the same validation, so the same model —
 * then renders the parts it is given, one message each, and answers each with
 * its PartResult and the milliseconds per stage.
 */
import { parentPort, workerData } from "node:worker_threads";
import { builtInBlueprints } from "../lib/blueprints/index.js";
import { builtInRules } from "../lib/rules/index.js";
import type { LoadedStacks } from "./pipeline/load/index.js";
import { type GatherOptions, validate } from "./pipeline/validate/index.js";
import { blueprintRegistry } from "./pipeline/render/index.js";
import { instanceInputs } from "./pipeline/resolve/index.js";
import { scanLiterals } from "./pipeline/inspect/index.js";
import { buildPolicy } from "./policy/policy.js";
import { type PartContext, type PartInstance, renderPart } from "./pipeline/render-part.js";
import type { PartRequest, WorkerAnswer } from "./render-threads.js";

const { root, loaded, releases, keepContent } = workerData as {
  readonly root: string;
  readonly loaded: LoadedStacks;
  readonly releases: GatherOptions;
  readonly keepContent: boolean;
};

const timings: Record<string, number> = {};
const model = validate(root, loaded, builtInRules, undefined, releases);
const context: PartContext = {
  model,
  blueprints: blueprintRegistry(builtInBlueprints, model.platform.blueprints, undefined),
  policy: buildPolicy(model.platform, builtInRules),
  waived: scanLiterals(model).waived,
  keepContent,
  time: (stage, run) => {
    const start = performance.now();
    try {
      return run();
    } finally {
      timings[stage] = (timings[stage] ?? 0) + performance.now() - start;
    }
  },
};
const inputOf = instanceInputs(root, model);
const apps = new Map(model.apps.map((app) => [app.name, app]));
const clusters = new Map(model.platform.clusters.map((cluster) => [cluster.name, cluster]));

parentPort!.on("message", ({ index, part }: { index: number; part: readonly PartRequest[] }) => {
  let answer: WorkerAnswer;
  try {
    const instances = part.map(({ app, cluster, key }): PartInstance => {
      const appModel = apps.get(app)!;
      const clusterModel = clusters.get(cluster)!;
      return { app: appModel, cluster: clusterModel, input: inputOf(appModel, clusterModel)!, key };
    });
    for (const stage of Object.keys(timings)) delete timings[stage];
    const result = renderPart(context, instances, { resolveFailed: false, inspectFailed: false });
    answer = { index, result, timings: { ...timings } };
  } catch (error) {
    // The main thread renders the part itself, and reports what it finds.
    answer = { index, failed: error instanceof Error ? error.message : String(error) };
  }
  parentPort!.postMessage(answer);
});
parentPort!.postMessage({ ready: true });
