import type { InstanceRule } from "../../src/sdk.js";

/** How many pods an app may run in production before a release should reach them a step at a time. */
export const PROGRESSIVE_ABOVE = 4;

/**
 * A release that reaches many pods at once reaches every user at once: in
 * production, a service that runs more pods than the platform's threshold
 * (`policy.progressiveAbove`, default 4) moves its releases through a canary
 * or blue-green, judged by analyses, where its cluster runs a controller.
 */
export const progressiveDelivery = {
  id: "progressive-delivery",
  description:
    "In production, a service that runs more pods than policy.progressiveAbove (default 4) moves its releases progressively (a canary or blue-green).",
  severity: "off",
  production: "warn",
  on: "instance",
  hint: 'give the app a plan: progressive: { canary: { steps: [{ weight: 10, pause: "5m" }, { analysis: "<name>" }, { weight: 50 }] } }',
  check({ app, context }) {
    if (app.kind !== "service" || app.spec.progressive) return [];
    const above = context.progressiveAbove ?? PROGRESSIVE_ABOVE;
    const { autoscaling, replicas = 1 } = app.spec;
    const pods = autoscaling ? autoscaling.min : replicas;
    if (pods <= above) return [];
    return [
      {
        message: `${autoscaling ? `autoscales from ${pods}` : `runs ${pods}`} pods in production and every release reaches them all at once${app.cluster.progressiveDelivery ? "" : ` (cluster ${app.cluster.name} runs no progressive delivery controller: ask the platform team for one)`}`,
        setting: autoscaling ? "autoscaling.min" : "replicas",
      },
    ];
  },
} satisfies InstanceRule;
