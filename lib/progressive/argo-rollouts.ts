import type { HorizontalPodAutoscaler } from "kubernetes-types/autoscaling/v2";
import type { Deployment } from "kubernetes-types/apps/v1";
import type { Service } from "kubernetes-types/core/v1";
import type { HTTPRoute } from "../../src/k8s/gateway-api.js";
import { isKind, type KubernetesObject, type ResolvedApp, type ResolvedProgressive } from "../../src/sdk.js";
import { analysisObjectName, analysisTemplate } from "./analyses.js";
import { previewRoute } from "./preview.js";
import type { Rollout, RolloutAnalysis, RolloutCanaryStep } from "./types.js";

/** The Gateway API traffic router plugin's name, as Argo Rollouts' `trafficRouterPlugins` registers it. */
export const GATEWAY_PLUGIN = "argoproj-labs/gatewayAPI";

/**
 * An app's objects for Argo Rollouts: its Deployment becomes a Rollout with
 * the very same pod template, selector and replica count (only apiVersion,
 * kind and the strategy change); the Service is the stable (or active) one
 * and a copy of it the canary (or preview) one; the HTTPRoute sends to both,
 * weighted; the autoscaler scales the Rollout; one AnalysisTemplate per
 * analysis the plan runs.
 */
export function argoRolloutsObjects(app: ResolvedApp, objects: readonly KubernetesObject[], plan: ResolvedProgressive): KubernetesObject[] {
  const names = { canary: `${app.name}-canary`, preview: `${app.name}-preview` };
  const routed = plan.strategy.kind === "canary" && plan.traffic !== "replicas";
  const result: KubernetesObject[] = [];
  for (const object of objects) {
    const own = object.metadata.name === app.name;
    if (own && isKind(object, "apps/v1", "Deployment")) {
      // Adopting, the Deployment stays as it was until the Rollout has taken its pods over.
      if (plan.adoptDeployment) result.push(object);
      result.push(rolloutOf(app, object, plan));
    } else if (own && isKind(object, "v1", "Service")) {
      result.push(object);
      if (routed) result.push(renamed(object, names.canary));
      if (plan.strategy.kind === "blueGreen") result.push(renamed(object, names.preview));
    } else if (own && routed && plan.traffic === "gateway" && isKind(object, "gateway.networking.k8s.io/v1", "HTTPRoute"))
      result.push(weightedRoute(object as unknown as HTTPRoute & KubernetesObject, names.canary));
    else if (own && isKind(object, "autoscaling/v2", "HorizontalPodAutoscaler")) result.push(scalingRollout(object, plan.adoptDeployment));
    else result.push(object);
  }
  if (plan.strategy.kind === "blueGreen" && plan.strategy.previewHost !== undefined)
    result.push(...previewRoute(app, objects, plan.strategy.previewHost, names.preview));
  result.push(...plan.analyses.map((analysis) => analysisTemplate(app, analysis)));
  return result;
}

function rolloutOf(app: ResolvedApp, deployment: Deployment & KubernetesObject, plan: ResolvedProgressive): KubernetesObject {
  // Everything a Rollout shares with a Deployment, as the blueprint wrote it; a Deployment's own strategy does not apply.
  const { strategy: _strategy, paused: _paused, template, ...spec }: Partial<NonNullable<Deployment["spec"]>> = deployment.spec ?? {};
  const templates = (ids: readonly string[]): RolloutAnalysis => ({
    templates: ids.map((id) => ({ templateName: analysisObjectName(app, { id }) })),
  });
  let strategy: Rollout["spec"]["strategy"];
  if (plan.strategy.kind === "canary") {
    const steps: RolloutCanaryStep[] = plan.strategy.steps.map((step) =>
      "weight" in step
        ? { setWeight: step.weight }
        : "pause" in step
          ? { pause: step.pause === "manual" ? {} : { duration: step.pause } }
          : { analysis: templates([step.analysis]) },
    );
    strategy = {
      canary: {
        ...(plan.traffic === "replicas"
          ? {}
          : {
              canaryService: `${app.name}-canary`,
              stableService: app.name,
              trafficRouting:
                plan.traffic === "gateway"
                  ? { plugins: { [GATEWAY_PLUGIN]: { httpRoute: app.name, namespace: app.namespace } } }
                  : { nginx: { stableIngress: app.name } },
            }),
        steps,
        ...(plan.strategy.background.length > 0 ? { analysis: templates(plan.strategy.background) } : {}),
      },
    };
  } else {
    strategy = {
      blueGreen: {
        activeService: app.name,
        previewService: `${app.name}-preview`,
        autoPromotionEnabled: plan.strategy.autoPromote,
        ...(plan.strategy.analyses.length > 0 ? { prePromotionAnalysis: templates(plan.strategy.analyses) } : {}),
      },
    };
  }
  if (plan.adoptDeployment) {
    // The Deployment's pods, scaled down as the Rollout's become ready (Argo Rollouts' "progressively").
    return {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Rollout",
      metadata: deployment.metadata,
      spec: {
        ...(spec.replicas !== undefined ? { replicas: spec.replicas } : {}),
        ...(spec.selector ? { selector: spec.selector } : {}),
        workloadRef: { apiVersion: "apps/v1", kind: "Deployment", name: app.name, scaleDown: "progressively" },
        strategy,
      },
    } satisfies Rollout;
  }
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Rollout",
    metadata: deployment.metadata,
    spec: { ...spec, ...(template ? { template } : {}), strategy },
  } satisfies Rollout;
}

function renamed(service: KubernetesObject, name: string): KubernetesObject {
  return { ...(structuredClone(service) as Service & KubernetesObject), metadata: { ...service.metadata, name } };
}

/**
 * The app's route with its one rule sending to the stable and the canary
 * Service, all to the stable one until a canary runs: the Gateway API plugin
 * moves the weights of these two backends, and only of these.
 */
function weightedRoute(route: HTTPRoute & KubernetesObject, canary: string): KubernetesObject {
  const rules = (route.spec.rules ?? []).map((rule) => {
    const stable = rule.backendRefs?.[0];
    if (!stable) return rule;
    return {
      ...rule,
      backendRefs: [
        { ...stable, weight: 100 },
        { ...stable, name: canary, weight: 0 },
      ],
    };
  });
  return { ...route, spec: { ...route.spec, rules } } satisfies HTTPRoute;
}

/**
 * The autoscaler, scaling the Rollout. While the Rollout adopts a
 * Deployment it is pinned to its maximum: an autoscaler on a Rollout with a
 * workloadRef misreads its pods' metrics (Argo Rollouts #3825), and at the
 * maximum the step never runs short of pods.
 */
function scalingRollout(hpa: KubernetesObject, adopting: true | undefined): KubernetesObject {
  const autoscaler = hpa as HorizontalPodAutoscaler & KubernetesObject;
  const spec = autoscaler.spec!;
  return {
    ...autoscaler,
    spec: {
      ...spec,
      scaleTargetRef: { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", name: spec.scaleTargetRef.name },
      ...(adopting ? { minReplicas: spec.maxReplicas } : {}),
    },
  } satisfies HorizontalPodAutoscaler;
}
