import { isKind, type KubernetesObject, type ResolvedApp } from "../../src/sdk.js";
import { argoRolloutsObjects } from "./argo-rollouts.js";
import { flaggerObjects } from "./flagger.js";

export { GATEWAY_PLUGIN } from "./argo-rollouts.js";
export { FLAGGER_STABLE_LABEL } from "./flagger.js";
export { analysisObjectName } from "./analyses.js";

/**
 * An app's objects as its progressive plan on the cluster has them (see
 * ResolvedProgressive): the blueprint's, changed for the controller that
 * runs the plan there, or as they are when the app has none. Applied to
 * what any blueprint renders, so the pod template the controller runs is
 * always exactly the blueprint's.
 */
export function progressiveObjects(app: ResolvedApp, objects: readonly KubernetesObject[]): KubernetesObject[] {
  const plan = app.spec.progressive;
  if (!plan) return [...objects];
  if (!objects.some((object) => object.metadata.name === app.name && isKind(object, "apps/v1", "Deployment")))
    throw new Error(
      `app ${app.name} moves its releases progressively, but its blueprint renders no Deployment named ${app.name} for ${plan.controller} to run`,
    );
  return plan.controller === "argo-rollouts" ? argoRolloutsObjects(app, objects, plan) : flaggerObjects(app, objects, plan);
}
