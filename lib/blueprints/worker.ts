import type { Blueprint, KubernetesObject, ResolvedApp } from "../../src/sdk.js";
import { podObjects, podSettings, settingFrom } from "./pod.js";
import { companionSettings, deployment, replicaGuards } from "./service.js";

/**
 * A worker: a Deployment that serves nobody — no ports, no Service — such as
 * a queue consumer. It may autoscale, and gets a PodDisruptionBudget from two
 * pods on, as a service does; its probes, if any, run a command (`exec`) or
 * name a port number.
 */
export const worker: Blueprint = {
  name: "worker",
  kind: "worker",
  render(app: ResolvedApp): KubernetesObject[] {
    return [...podObjects(app), deployment(app), ...replicaGuards(app, "Deployment")];
  },
  settingOf: settingFrom({
    Deployment: [...podSettings("spec.template"), ["spec.replicas", "replicas"]],
    ...companionSettings(),
  }),
};
