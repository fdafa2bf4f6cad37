import type { Diagnostic } from "../../model/diagnostic.js";
import type { AnalysisModel, ProgressiveDelivery } from "../../model/model.js";
import type { Origin } from "../../model/origin.js";
import { own } from "../../model/own.js";
import type { PlatformInput } from "../../model/platform-schema.js";
import type { AnalysisRef, ArgType, ProgressiveInput } from "../../model/progressive-schema.js";
import { closestName } from "../../model/spelling.js";
import type { CustomResources } from "../../k8s/kinds.js";

type At = (...path: (string | number)[]) => Origin;

/** The values an analysis's query is given per app and cluster, besides its arguments. */
export const QUERY_VALUES = ["namespace", "app", "canaryService", "stableService", "interval"] as const;

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The controllers' namespaces unless the platform names another. */
const CONTROLLER_NAMESPACE = { "argo-rollouts": "argo-rollouts", flagger: "flagger-system" } as const;

/**
 * What is wrong with the platform's analyses and progressive delivery: a
 * query reads only the values sluice fills in and the analysis's own
 * arguments; `max` and `min` name number arguments; a default has its
 * argument's type; every analysis's metric provider is declared by some
 * environment or cluster.
 */
export function progressiveProblems(input: PlatformInput, at: At): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const declaredMetrics = new Set(
    [...Object.values(input.environments), ...Object.values(input.clusters)].flatMap((layer) =>
      Object.keys(layer.progressiveDelivery?.metrics ?? {}),
    ),
  );
  for (const [name, analysis] of Object.entries(input.analyses ?? {})) {
    const args = argsOf(analysis.args);
    for (const [, inside] of analysis.query.matchAll(PLACEHOLDER)) {
      const placeholder = inside!;
      const arg = /^args\.(.+)$/.exec(placeholder)?.[1];
      if (arg !== undefined ? Object.hasOwn(args, arg) : (QUERY_VALUES as readonly string[]).includes(placeholder)) continue;
      diagnostics.push({
        code: "validate/analysis-query",
        message: `analysis ${name}'s query reads {{${placeholder}}}, which ${arg !== undefined ? "is not one of its arguments" : "sluice does not fill in"}`,
        origin: at("analyses", name, "query"),
        hint:
          arg !== undefined
            ? `declare it: args: { ${arg}: "number" }, or use one of: ${Object.keys(args).join(", ") || "(none declared)"}`
            : `use ${QUERY_VALUES.map((value) => `{{${value}}}`).join(", ")} or {{args.<name>}}`,
      });
    }
    for (const bound of ["max", "min"] as const) {
      const value = analysis[bound];
      if (typeof value !== "string") continue;
      const arg = value.slice("{{args.".length, -2);
      const type = own(args, arg)?.type;
      if (type !== "number")
        diagnostics.push({
          code: "validate/analysis-bound",
          message: `analysis ${name}'s ${bound} reads argument ${arg}, ${type === undefined ? "which it does not declare" : `a ${type}`}; a bound is a number`,
          origin: at("analyses", name, bound),
          hint: `declare it: args: { ${arg}: { type: "number", default: 0.01 } }`,
        });
    }
    for (const [arg, spec] of Object.entries(args)) {
      if (spec.default === undefined) continue;
      const problem = argProblem(spec.type, spec.default);
      if (problem)
        diagnostics.push({
          code: "validate/analysis-arg",
          message: `analysis ${name}'s argument ${arg} defaults to ${JSON.stringify(spec.default)}, ${problem}`,
          origin: at("analyses", name, "args", arg, "default"),
          hint: `give a default of type ${spec.type}`,
        });
    }
    if (!declaredMetrics.has(analysis.metric))
      diagnostics.push({
        code: "validate/analysis-metric",
        message: `analysis ${name} queries metric provider ${JSON.stringify(analysis.metric)}, which no environment or cluster declares`,
        origin: at("analyses", name, "metric"),
        hint: `declare it in progressiveDelivery.metrics of the environments that run it${declaredMetrics.size > 0 ? `, or use one of: ${[...declaredMetrics].sort().join(", ")}` : ""}`,
      });
  }
  return diagnostics;
}

/**
 * What is wrong with the analyses an app's `progressive` names, at their
 * lines: an analysis the platform does not declare, an argument it does not
 * take or of the wrong type, an argument without a default left out.
 */
export function appProgressiveProblems(
  progressive: ProgressiveInput | undefined,
  analyses: Readonly<Record<string, AnalysisModel>>,
  at: At,
): Diagnostic[] {
  if (progressive === undefined || progressive === false) return [];
  const diagnostics: Diagnostic[] = [];
  const check = (ref: AnalysisRef, path: (string | number)[]) => {
    const name = typeof ref === "string" ? ref : ref.name;
    const analysis = own(analyses, name);
    if (!analysis) {
      const near = closestName(name, Object.keys(analyses));
      diagnostics.push({
        code: "validate/unknown-analysis",
        message: `analysis ${JSON.stringify(name)} is not one of the platform's analyses`,
        origin: at(...path, ...(typeof ref === "string" ? [] : ["name"])),
        hint: near
          ? `did you mean ${JSON.stringify(near)}?`
          : `use one of: ${Object.keys(analyses).sort().join(", ") || "(the platform declares none: ask the platform team to add it to analyses)"}`,
      });
      return;
    }
    const given = typeof ref === "string" ? {} : (ref.args ?? {});
    for (const [arg, value] of Object.entries(given)) {
      const spec = own(analysis.args, arg);
      const problem = spec ? argProblem(spec.type, value) : "which the analysis does not take";
      if (problem)
        diagnostics.push({
          code: "validate/analysis-arg",
          message: `argument ${arg} of analysis ${name} is ${JSON.stringify(value)}, ${problem}`,
          origin: at(...path, "args", arg),
          hint: spec ? `give a ${spec.type}` : `use one of: ${Object.keys(analysis.args).join(", ") || "(it takes none)"}`,
        });
    }
    for (const [arg, spec] of Object.entries(analysis.args))
      if (spec.default === undefined && !Object.hasOwn(given, arg))
        diagnostics.push({
          code: "validate/analysis-arg",
          message: `analysis ${name} needs argument ${arg} (a ${spec.type}), which has no default`,
          origin: at(...path),
          hint: `write { name: ${JSON.stringify(name)}, args: { ${arg}: ${spec.type === "number" ? "1" : spec.type === "duration" ? '"5m"' : '"…"'} } }`,
        });
  };
  if (progressive.canary) {
    progressive.canary.steps.forEach((step, index) => {
      if (step.analysis !== undefined) check(step.analysis, ["canary", "steps", index, "analysis"]);
    });
    progressive.canary.background?.forEach((ref, index) => check(ref, ["canary", "background", index]));
  }
  progressive.blueGreen?.analysis?.forEach((ref, index) => check(ref, ["blueGreen", "analysis", index]));
  return diagnostics;
}

/** Why a value does not have an argument's type, or undefined. */
function argProblem(type: ArgType, value: unknown): string | undefined {
  if (type === "number") return typeof value === "number" && Number.isFinite(value) ? undefined : "not a number";
  if (typeof value !== "string") return `not a ${type}`;
  if (type === "duration" && !/^[1-9][0-9]*(ms|s|m|h)$/.test(value))
    return 'not a duration such as "5m" (s, m or h: what Prometheus and the controllers read)';
  return undefined;
}

function argsOf(
  args: NonNullable<PlatformInput["analyses"]>[string]["args"],
): Record<string, { type: ArgType; default?: number | string }> {
  return Object.fromEntries(
    Object.entries(args ?? {}).map(([name, spec]) => [
      name,
      typeof spec === "string" ? { type: spec } : { type: spec.type, ...(spec.default !== undefined ? { default: spec.default } : {}) },
    ]),
  );
}

/** The platform's analyses as the model holds them, defaults filled in. */
export function analysesOf(input: PlatformInput, at: At): Record<string, AnalysisModel> {
  return Object.fromEntries(
    Object.entries(input.analyses ?? {})
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, analysis]) => [
        name,
        {
          name,
          metric: analysis.metric,
          query: analysis.query,
          args: argsOf(analysis.args),
          ...(analysis.max !== undefined ? { max: analysis.max } : {}),
          ...(analysis.min !== undefined ? { min: analysis.min } : {}),
          interval: analysis.interval ?? "1m",
          count: analysis.count ?? 5,
          failureLimit: analysis.failureLimit ?? 1,
          origin: at("analyses", name),
        },
      ]),
  );
}

/** A cluster's progressive delivery: its own, else its environment's. */
export function progressiveDeliveryOf(input: PlatformInput, cluster: string, at: At): ProgressiveDelivery | undefined {
  const own_ = own(input.clusters, cluster)!;
  const [declared, origin] = own_.progressiveDelivery
    ? [own_.progressiveDelivery, at("clusters", cluster, "progressiveDelivery")]
    : [own(input.environments, own_.environment)?.progressiveDelivery, at("environments", own_.environment, "progressiveDelivery")];
  if (!declared) return undefined;
  return {
    controller: declared.controller,
    namespace: declared.namespace ?? CONTROLLER_NAMESPACE[declared.controller],
    metrics: { ...(declared.metrics ?? {}) },
    origin,
  };
}

/**
 * The custom resources progressive delivery renders, added to those the
 * platform declares where a cluster runs their controller: a Rollout then
 * joins the workload table, so that the pod and container rules judge it.
 */
export function progressiveResources(input: PlatformInput, declared: CustomResources): CustomResources {
  const controllers = new Set(
    [...Object.values(input.environments), ...Object.values(input.clusters)].flatMap((layer) =>
      layer.progressiveDelivery ? [layer.progressiveDelivery.controller] : [],
    ),
  );
  const resources: Record<string, Record<string, { scope: "Namespaced" | "Cluster"; plural?: string }>> = structuredClone(
    declared,
  ) as Record<string, Record<string, { scope: "Namespaced" | "Cluster"; plural?: string }>>;
  const add = (apiVersion: string, kind: string, plural: string) => {
    const kinds = (resources[apiVersion] ??= {});
    if (!Object.hasOwn(kinds, kind)) kinds[kind] = { scope: "Namespaced", plural };
  };
  if (controllers.has("argo-rollouts")) {
    add("argoproj.io/v1alpha1", "Rollout", "rollouts");
    add("argoproj.io/v1alpha1", "AnalysisTemplate", "analysistemplates");
  }
  if (controllers.has("flagger")) {
    add("flagger.app/v1beta1", "Canary", "canaries");
    add("flagger.app/v1beta1", "MetricTemplate", "metrictemplates");
  }
  return resources as CustomResources;
}
