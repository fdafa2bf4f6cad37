import { jsonPointer } from "../k8s/workloads.js";
import type { ResolvedApp, ResolvedOwnedField } from "./resolved.js";

/** The workload that runs an app's pods on its cluster: a StatefulSet, an Argo Rollout (progressive delivery by Argo Rollouts), or a Deployment. */
export function workloadKind(app: Pick<ResolvedApp, "kind" | "spec">): { readonly group: string; readonly kind: string } {
  if (app.kind === "statefulService") return { group: "apps", kind: "StatefulSet" };
  if (app.spec.progressive?.controller === "argo-rollouts") return { group: "argoproj.io", kind: "Rollout" };
  return { group: "apps", kind: "Deployment" };
}

/** The label Argo Rollouts adds to the selector of the Services it steers. */
const POD_TEMPLATE_HASH = "rollouts-pod-template-hash";

/**
 * The fields of an app's own objects that its progressive delivery
 * controller writes while a release moves, which the GitOps engine must
 * leave to it: Argo Rollouts steers the Services' selectors and the route's
 * backend weights; Flagger scales the Deployment it copies to zero. Empty
 * without a plan.
 */
export function controllerOwnedFields(app: ResolvedApp): ResolvedOwnedField[] {
  const plan = app.spec.progressive;
  if (!plan) return [];
  const field = (group: string, kind: string, name: string, pointers: string[], reason: string): ResolvedOwnedField => ({
    group,
    kind,
    name,
    pointers: pointers.sort(),
    managers: [],
    reason,
  });
  if (plan.controller === "flagger")
    return [field("apps", "Deployment", app.name, ["/spec/replicas"], "Flagger scales the Deployment it promotes from to zero")];
  const adopted = plan.adoptDeployment
    ? [field("apps", "Deployment", app.name, ["/spec/replicas"], "Argo Rollouts scales the Deployment its Rollout adopts down")]
    : [];
  const selector = jsonPointer(["spec", "selector", POD_TEMPLATE_HASH]);
  const steered = plan.strategy.kind === "blueGreen" ? [`${app.name}-preview`] : plan.traffic === "replicas" ? [] : [`${app.name}-canary`];
  const fields = [
    ...adopted,
    ...[app.name, ...steered].map((name) =>
      field("", "Service", name, [selector], "Argo Rollouts points the Service at one revision's pods"),
    ),
  ];
  if (plan.strategy.kind === "canary" && plan.traffic === "gateway")
    fields.push(
      field(
        "gateway.networking.k8s.io",
        "HTTPRoute",
        app.name,
        (app.spec.expose ? [0] : []).flatMap((rule) => [0, 1].map((backend) => `/spec/rules/${rule}/backendRefs/${backend}/weight`)),
        "Argo Rollouts' Gateway API plugin moves the canary's weight",
      ),
    );
  return fields;
}
