import type { Deployment } from "kubernetes-types/apps/v1";
import type { HorizontalPodAutoscaler } from "kubernetes-types/autoscaling/v2";
import type { PodDisruptionBudget } from "kubernetes-types/policy/v1";
import { isKind, type KubernetesObject, type ResolvedApp, type ResolvedProgressive } from "../../src/sdk.js";
import { analysisObjectName, metricTemplate } from "./analyses.js";
import { previewRoute } from "./preview.js";
import type { Canary } from "./types.js";

/** The label every pod of the app keeps on Flagger: it renames `app.kubernetes.io/name` on the primary's pods ("<app>-primary"). */
export const FLAGGER_STABLE_LABEL = "app.kubernetes.io/instance";

/**
 * An app's objects for Flagger: the Deployment stays (Flagger copies it to
 * "<app>-primary", which serves, and runs the new release in it only during
 * an analysis), without a replica count, which its autoscaler owns (one
 * pinned to the count when the app does not autoscale); the Service and the
 * HTTPRoute are left to Flagger, which creates and rewrites them whole; the
 * Ingress stays, for Flagger to clone; the PodDisruptionBudget selects on
 * the label Flagger leaves alone; a Canary and one MetricTemplate per analysis.
 */
export function flaggerObjects(app: ResolvedApp, objects: readonly KubernetesObject[], plan: ResolvedProgressive): KubernetesObject[] {
  const result: KubernetesObject[] = [];
  let autoscaled = false;
  for (const object of objects) {
    const own = object.metadata.name === app.name;
    if (own && isKind(object, "apps/v1", "Deployment")) {
      const { replicas: _replicas, ...spec } = object.spec ?? {};
      result.push({ ...object, spec } as Deployment & KubernetesObject);
    } else if (own && isKind(object, "v1", "Service")) continue;
    else if (own && isKind(object, "gateway.networking.k8s.io/v1", "HTTPRoute")) continue;
    else if (own && isKind(object, "policy/v1", "PodDisruptionBudget")) {
      result.push({
        ...object,
        spec: { ...object.spec, selector: { matchLabels: { [FLAGGER_STABLE_LABEL]: app.name } } },
      } satisfies PodDisruptionBudget);
    } else {
      if (own && isKind(object, "autoscaling/v2", "HorizontalPodAutoscaler")) autoscaled = true;
      result.push(object);
    }
  }
  if (!autoscaled) result.push(pinnedAutoscaler(app));
  if (plan.strategy.kind === "blueGreen" && plan.strategy.previewHost !== undefined)
    result.push(...previewRoute(app, objects, plan.strategy.previewHost, `${app.name}-canary`));
  result.push(canary(app, plan), ...plan.analyses.map((analysis) => metricTemplate(app, analysis)));
  return result;
}

/** An autoscaler that holds the app's replica count: Flagger sizes the primary from it, and the Deployment carries none. */
function pinnedAutoscaler(app: ResolvedApp): KubernetesObject {
  const replicas = Math.max(app.spec.replicas ?? 1, 1);
  return {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: { name: app.name },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: app.name },
      minReplicas: replicas,
      maxReplicas: replicas,
    },
  } satisfies HorizontalPodAutoscaler;
}

const SECONDS = { s: 1, m: 60, h: 3600 } as const;
const seconds = (duration: string) => Number(duration.slice(0, -1)) * SECONDS[duration.slice(-1) as keyof typeof SECONDS];
/** Whole seconds as Flagger's interval pattern takes them (^[0-9]+(m|s)). */
const flaggerInterval = (total: number) => (total % 60 === 0 ? `${total / 60}m` : `${total}s`);

function canary(app: ResolvedApp, plan: ResolvedProgressive): KubernetesObject {
  const expose = app.spec.expose;
  const portName = expose?.port ?? Object.keys(app.spec.ports)[0]!;
  const port = app.spec.ports[portName]!;
  const gateway = expose && "gateway" in expose.via ? expose.via.gateway : undefined;
  const sectionName = gateway && (expose!.tls ? gateway.listeners?.https : gateway.listeners?.http);
  const provider: Canary["spec"]["provider"] = gateway ? "gatewayapi:v1" : expose ? "nginx" : "kubernetes";
  // Flagger waits one interval per weight: the plan's pause (resolve made them equal), else its shortest measurement.
  const pause = plan.strategy.kind === "canary" ? plan.strategy.steps.find((step) => "pause" in step) : undefined;
  const interval =
    pause && "pause" in pause ? seconds(pause.pause) : Math.min(60, ...plan.analyses.map((analysis) => seconds(analysis.interval)));
  const failureLimit = Math.min(...plan.analyses.map((analysis) => analysis.failureLimit));
  const progress =
    plan.strategy.kind === "canary"
      ? { stepWeights: plan.strategy.steps.flatMap((step) => ("weight" in step ? [step.weight] : [])) }
      : { iterations: Math.max(1, ...plan.analyses.map((analysis) => analysis.count ?? 1)) };
  return {
    apiVersion: "flagger.app/v1beta1",
    kind: "Canary",
    metadata: { name: app.name },
    spec: {
      provider,
      targetRef: { apiVersion: "apps/v1", kind: "Deployment", name: app.name },
      autoscalerRef: { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", name: app.name },
      ...(provider === "nginx" ? { ingressRef: { apiVersion: "networking.k8s.io/v1", kind: "Ingress", name: app.name } } : {}),
      service: {
        port,
        portName,
        targetPort: portName,
        // Flagger's Services carry this one port, and with discovery the pods' others (a metrics port, say).
        ...(Object.keys(app.spec.ports).length > 1 ? { portDiscovery: true } : {}),
        ...(gateway
          ? {
              hosts: [expose!.host],
              gatewayRefs: [{ name: gateway.name, namespace: gateway.namespace, ...(sectionName ? { sectionName } : {}) }],
            }
          : {}),
      },
      analysis: {
        interval: flaggerInterval(interval),
        // Flagger rolls back at this many failed checks; an analysis fails past its failureLimit.
        threshold: Number.isFinite(failureLimit) ? failureLimit + 1 : 1,
        ...progress,
        ...(plan.analyses.length > 0
          ? {
              metrics: plan.analyses.map((analysis) => ({
                name: analysis.id,
                interval: analysis.interval,
                thresholdRange: {
                  ...(analysis.min !== undefined ? { min: analysis.min } : {}),
                  ...(analysis.max !== undefined ? { max: analysis.max } : {}),
                },
                templateRef: { name: analysisObjectName(app, analysis) },
              })),
            }
          : {}),
      },
    },
  } satisfies Canary;
}
