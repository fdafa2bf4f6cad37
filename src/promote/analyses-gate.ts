import { isSluiceError } from "../errors.js";
import type { AppModel, Model, WaveModel } from "../model/model.js";
import { own } from "../model/own.js";
import { instanceNeeds, resolve } from "../pipeline/resolve/index.js";

/**
 * Why an app's release may not leave `previous` for a wave whose gate wants
 * analyses, or undefined: on every cluster of `previous` that runs the app,
 * its progressive plan must run at least one analysis, as the stacks render
 * it. A check of the env repo before the merge: whether the analyses passed
 * on the clusters is the controller's to say, and sluice reads no cluster.
 */
export function analysesMissing(root: string, model: Model, app: AppModel, previous: WaveModel): string | undefined {
  const clusters = new Set(previous.clusters);
  try {
    const instances = resolve(root, { ...model, apps: [app] }, (candidate, cluster) => candidate === app && clusters.has(cluster.name));
    const bare = instances.filter((instance) => (instance.spec.progressive?.analyses.length ?? 0) === 0).map((i) => i.cluster.name);
    if (instances.length === 0) return `${app.name} does not run in ${previous.name}`;
    if (bare.length === 0) return undefined;
    return `no analysis judges ${app.name} in ${previous.name} on ${bare.join(", ")}: the gate wants the release checked by its analyses there first`;
  } catch (error) {
    if (!isSluiceError(error)) throw error;
    return error.diagnostics[0]?.message ?? error.message;
  }
}

/** Per cluster of a wave that runs the app, the controller and strategy its releases move by, when they move progressively. */
export function progressiveOn(
  model: Model,
  app: AppModel,
  wave: WaveModel,
): { readonly cluster: string; readonly controller: string; readonly strategy: "canary" | "blueGreen" }[] {
  return model.platform.clusters
    .filter((cluster) => wave.clusters.includes(cluster.name))
    .flatMap((cluster) => {
      const progressive = instanceNeeds(model.platform, app, cluster).progressive;
      if (!progressive) return [];
      const strategy = blueGreenIn(app, cluster.name, cluster.environment) ? "blueGreen" : "canary";
      return [{ cluster: cluster.name, controller: progressive.controller, strategy }];
    });
}

function blueGreenIn(app: AppModel, cluster: string, environment: string): boolean {
  const layers = [own(app.clusterOverrides, cluster), own(app.environmentOverrides, environment), app.settings];
  const plan = layers.find((layer) => layer?.progressive !== undefined)?.progressive;
  return plan !== undefined && plan !== false && plan.blueGreen !== undefined;
}
