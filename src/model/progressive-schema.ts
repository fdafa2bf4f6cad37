import { z } from "zod";
import { dnsLabel } from "./names.js";

/**
 * Progressive delivery: an app's release moves inside a cluster a step at a
 * time (a canary) or side by side (blue-green), judged by analyses the
 * platform declares once. The platform says per environment or cluster which
 * controller runs it (`progressiveDelivery`: Argo Rollouts or Flagger) and
 * where its metrics are; it declares the analyses once for the fleet
 * (`analyses`); an app says how its release moves (`progressive`). One plan,
 * rendered for whichever controller the cluster runs (lib/progressive).
 */

/** The controllers sluice renders a plan for. */
export const PROGRESSIVE_CONTROLLERS = ["argo-rollouts", "flagger"] as const;
export type ProgressiveController = (typeof PROGRESSIVE_CONTROLLERS)[number];

/** A duration in one unit: "30s", "5m", "1h", "1d". */
export const stepDuration = z
  .string()
  .regex(/^[1-9][0-9]*[smhd]$/, { message: 'must be a duration in one unit, such as "30s", "5m", "1h" or "1d"' });

/** An analysis argument's name, as `{{args.<name>}}` reads it. */
export const argName = z
  .string()
  .regex(/^[a-zA-Z][a-zA-Z0-9]*$/, { message: "must be an argument name: letters and digits, starting with a letter" });

/** The types an analysis argument may have. */
export const ARG_TYPES = ["number", "string", "duration"] as const;
export type ArgType = (typeof ARG_TYPES)[number];

const argValue = z.union([z.number(), z.string()]);

/** An analysis as an app names it: by name, or by name with values for its arguments. */
export const analysisRefSchema = z.union([
  dnsLabel,
  z.strictObject({
    /** One of the platform's `analyses`. */
    name: dnsLabel,
    /** Values for the analysis's arguments, each of its declared type: `{ maxErrorRate: 0.02 }`. */
    args: z.record(argName, argValue).optional(),
  }),
]);
export type AnalysisRef = z.infer<typeof analysisRefSchema>;

const canaryStepSchema = z
  .strictObject({
    /** The share of traffic (or of pods, replica-based) the new release gets at this step, 1–100; each step's above the last. */
    weight: z.number().int().min(1, { message: "must be 1 to 100" }).max(100, { message: "must be 1 to 100" }).optional(),
    /** How long to wait at this step ("5m"), or "manual": until someone promotes it. */
    pause: z.union([stepDuration, z.literal("manual")]).optional(),
    /** An analysis that must pass before the next step. */
    analysis: analysisRefSchema.optional(),
  })
  .refine((step) => step.weight !== undefined || step.pause !== undefined || step.analysis !== undefined, {
    message: "a step needs a weight, a pause or an analysis",
  });

export const canarySchema = z
  .strictObject({
    /** The steps, in order: `[{ weight: 10, pause: "5m" }, { analysis: "error-rate" }, { weight: 50, pause: "10m" }]`; full traffic after the last. */
    steps: z.array(canaryStepSchema).min(1, { message: "a canary needs at least one step" }),
    /** Analyses that run for the whole canary, from its first step. */
    background: z.array(analysisRefSchema).min(1).optional(),
    /**
     * `true`: no traffic router; the weight is approximated by how many pods
     * run the new release (Argo Rollouts only). Otherwise the canary needs the
     * app exposed through a Gateway API Gateway or ingress-nginx on the cluster.
     */
    replicaBased: z.literal(true).optional(),
  })
  .superRefine((canary, ctx) => {
    let last = 0;
    canary.steps.forEach((step, index) => {
      if (step.weight === undefined) return;
      if (step.weight <= last)
        ctx.addIssue({
          code: "custom",
          path: ["steps", index, "weight"],
          message: `weights must increase from step to step: ${step.weight} comes after ${last}`,
        });
      last = Math.max(last, step.weight);
    });
    if (last === 0) ctx.addIssue({ code: "custom", path: ["steps"], message: "a canary needs at least one step with a weight" });
  });

export const blueGreenSchema = z.strictObject({
  /** A second host that serves the new release before it takes the traffic, for people to try: `{ host: "preview.shop.example.com" }`. */
  previewExposure: z.strictObject({ host: z.string().min(1) }).optional(),
  /** `false`: the new release takes the traffic only when someone promotes it. Default true (after the analyses pass). */
  autoPromote: z.boolean().optional(),
  /** Analyses of the new release that must pass before it takes the traffic. */
  analysis: z.array(analysisRefSchema).min(1).optional(),
});

/**
 * service: how a release moves inside a cluster: `{ canary: { steps } }` or
 * `{ blueGreen: {} }`; `false` turns it off in a later layer. Written at the
 * app's top level it applies in production environments only; written under
 * `environments` or `clusters` it applies there. A later layer replaces it whole.
 */
export const progressiveSchema = z.union([
  z.literal(false),
  z
    .strictObject({
      canary: canarySchema.optional(),
      blueGreen: blueGreenSchema.optional(),
      /**
       * Argo Rollouts: the first step of moving a running app onto the plan. The Rollout adopts the app's
       * Deployment (`workloadRef`, `scaleDown: progressively`): it scales the Deployment down as its own pods
       * become ready, never doubling them and never leaving the app without any. Merge the plan without it
       * once the Rollout is Healthy; Flagger adopts a Deployment by itself and ignores it.
       */
      adoptDeployment: z.literal(true).optional(),
    })
    .refine((plan) => (plan.canary === undefined) !== (plan.blueGreen === undefined), {
      message: "say one strategy: { canary: { steps } } or { blueGreen: {} }",
    }),
]);
export type ProgressiveInput = z.input<typeof progressiveSchema>;

/** Every analysis a plan names, in its steps, its background and its blue-green promotion, in that order. */
export function planAnalysisRefs(plan: Exclude<ProgressiveInput, false>): AnalysisRef[] {
  return [
    ...(plan.canary?.steps.flatMap((step) => (step.analysis !== undefined ? [step.analysis] : [])) ?? []),
    ...(plan.canary?.background ?? []),
    ...(plan.blueGreen?.analysis ?? []),
  ];
}
export type ProgressivePlan = Exclude<z.infer<typeof progressiveSchema>, false>;

/** `{{args.<name>}}`: a number written as an argument's. */
const argReference = z
  .string()
  .regex(/^\{\{args\.[a-zA-Z][a-zA-Z0-9]*\}\}$/, { message: 'must be a number or an argument, "{{args.<name>}}"' });

/** A Go-parsable interval in whole seconds or minutes ("30s", "1m", "5m"): both controllers read it. */
const interval = z
  .string()
  .regex(/^[1-9][0-9]*[sm]$/, { message: 'must be whole seconds or minutes, such as "30s" or "1m" (Flagger takes no other unit)' });

export const analysisSchema = z
  .strictObject({
    /** The metric provider it queries: a name in the cluster's `progressiveDelivery.metrics`. */
    metric: dnsLabel,
    /**
     * The query, written once for every cluster: `{{namespace}}`, `{{app}}`,
     * `{{canaryService}}`, `{{stableService}}` and `{{interval}}` are filled in per
     * app and cluster, `{{args.<name>}}` with the app's value of an argument.
     */
    query: z.string().min(1),
    /** The arguments apps give it, by name, each a type or `{ type, default }`: `{ maxErrorRate: { type: "number", default: 0.01 } }`. */
    args: z
      .record(argName, z.union([z.enum(ARG_TYPES), z.strictObject({ type: z.enum(ARG_TYPES), default: argValue.optional() })]))
      .optional(),
    /** The query's result passes at or below this: a number or "{{args.<name>}}". */
    max: z.union([z.number(), argReference]).optional(),
    /** The query's result passes at or above this. */
    min: z.union([z.number(), argReference]).optional(),
    /** How often it is measured: "1m" (the default), "30s". */
    interval: interval.optional(),
    /** How many measurements a step's analysis takes before it passes. Default 5. */
    count: z.number().int().min(1).optional(),
    /** How many failed measurements it tolerates before the release is rolled back. Default 1. */
    failureLimit: z.number().int().min(0).optional(),
  })
  .refine((analysis) => analysis.max !== undefined || analysis.min !== undefined, {
    message: "say when it passes: max, min or both",
  });
export type AnalysisInput = z.input<typeof analysisSchema>;

const secretName = dnsLabel;

/** A metric provider: where the controllers read the measurements, and the Secret (in each app's namespace) that authenticates them. */
export const metricProviderSchema = z.union([
  z.strictObject({
    prometheus: z.strictObject({
      /** The Prometheus API's address: "http://prometheus.monitoring:9090". */
      address: z.url({ message: "must be the Prometheus address, e.g. http://prometheus.monitoring:9090" }),
      /** A Secret with a bearer `token`, in each namespace of apps that use it. Default: no authentication. */
      secret: secretName.optional(),
    }),
  }),
  z.strictObject({
    datadog: z.strictObject({
      /** The Datadog API's address. Default "https://api.datadoghq.com". */
      address: z.url().optional(),
      /** The Secret with the API and application keys, in each namespace of apps that use it (its keys differ per controller: see the README). */
      secret: secretName,
    }),
  }),
]);
export type MetricProviderInput = z.input<typeof metricProviderSchema>;

/** Per environment or cluster (a cluster's replaces its environment's): the controller that runs progressive delivery there, and its metric providers. */
export const progressiveDeliverySchema = z.strictObject({
  /** "argo-rollouts" or "flagger". */
  controller: z.enum(PROGRESSIVE_CONTROLLERS),
  /** The controller's namespace. Default "argo-rollouts", or "flagger-system". */
  namespace: dnsLabel.optional(),
  /** Metric providers by the name analyses use: `{ prometheus: { prometheus: { address } } }`. */
  metrics: z.record(dnsLabel, metricProviderSchema).optional(),
});
export type ProgressiveDeliveryInput = z.input<typeof progressiveDeliverySchema>;
