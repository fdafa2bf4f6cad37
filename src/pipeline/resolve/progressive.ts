import type { Diagnostic } from "../../model/diagnostic.js";
import type { AnalysisModel, ClusterModel } from "../../model/model.js";
import { childOrigin, type Origin } from "../../model/origin.js";
import { own } from "../../model/own.js";
import type { AnalysisRef, ProgressiveInput } from "../../model/progressive-schema.js";
import type { ResolvedAnalysis, ResolvedExpose, ResolvedProgressive } from "../../model/resolved.js";

const SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** "1d" → seconds. */
function seconds(duration: string): number {
  return Number(duration.slice(0, -1)) * SECONDS[duration.slice(-1) as keyof typeof SECONDS];
}

/** A one-unit duration as Go's time.ParseDuration reads it (no "d"): "1d" → "24h". */
export function goDuration(duration: string): string {
  return duration.endsWith("d") ? `${Number(duration.slice(0, -1)) * 24}h` : duration;
}

/** The names the queries of an app's analyses read, per controller and strategy. */
function serviceNames(app: string, controller: ResolvedProgressive["controller"], strategy: "canary" | "blueGreen") {
  if (controller === "flagger") return { canaryService: `${app}-canary`, stableService: `${app}-primary` };
  return { canaryService: strategy === "canary" ? `${app}-canary` : `${app}-preview`, stableService: app };
}

export interface ProgressiveContext {
  readonly app: { readonly name: string; readonly namespace: string };
  readonly cluster: ClusterModel;
  readonly production: boolean;
  /** The analyses the app names, as the platform declares them. */
  readonly analyses: Readonly<Record<string, AnalysisModel>>;
  readonly expose: ResolvedExpose | undefined;
  readonly onCluster: string;
}

/**
 * An app's merged `progressive` on one cluster, complete, or undefined when
 * its releases roll out all at once there: no plan, `false`, or a plan
 * written at the app's top level on a cluster outside production. Checks
 * what only the cluster decides: a controller runs there, its metrics serve
 * the analyses, traffic can be shifted, and the controller can run the
 * plan as written (Flagger advances one weight per interval and pauses for
 * no one).
 */
export function resolveProgressive(
  plan: ProgressiveInput | undefined,
  written: { readonly origin: Origin; readonly appLevel: boolean } | undefined,
  context: ProgressiveContext,
  diagnostics: Diagnostic[],
): ResolvedProgressive | undefined {
  if (plan === undefined || plan === false || written === undefined) return undefined;
  if (written.appLevel && !context.production) return undefined;
  const { app, cluster, onCluster } = context;
  const at = (...path: (string | number)[]) => childOrigin(written.origin, ...path);
  const problem = (code: string, message: string, origin: Origin, hint: string) => {
    diagnostics.push({ code: `resolve/${code}`, message: `${message}${onCluster}`, origin, hint });
    return undefined;
  };
  const delivery = cluster.progressiveDelivery;
  if (!delivery)
    return problem(
      "progressive-controller",
      "the app moves its releases progressively, but the platform names no progressive delivery controller",
      written.origin,
      `ask the platform team to set progressiveDelivery on cluster ${cluster.name} or its environment, or stop it there with clusters: { ${JSON.stringify(cluster.name)}: { progressive: false } }`,
    );
  const { controller } = delivery;
  const flagger = controller === "flagger";
  const strategy = plan.canary ? "canary" : "blueGreen";
  const names = serviceNames(app.name, controller, strategy);

  const before = diagnostics.length;
  const resolvedAnalyses: ResolvedAnalysis[] = [];
  const idOf = (ref: AnalysisRef, background: boolean, origin: Origin): string => {
    const name = typeof ref === "string" ? ref : ref.name;
    const analysis = own(context.analyses, name)!;
    const provider = own(delivery.metrics, analysis.metric);
    if (!provider) {
      problem(
        "analysis-metric",
        `analysis ${name} queries metric provider ${JSON.stringify(analysis.metric)}, which the cluster's progressiveDelivery does not declare`,
        origin,
        `ask the platform team to add ${analysis.metric} to progressiveDelivery.metrics (${delivery.origin.file}:${delivery.origin.line})`,
      );
      return name;
    }
    const given = typeof ref === "string" ? {} : (ref.args ?? {});
    const args = Object.fromEntries(
      Object.entries(analysis.args).map(([arg, spec]) => [arg, String(own(given, arg) ?? spec.default)] as const),
    );
    const values: Record<string, string> = { namespace: app.namespace, app: app.name, ...names, interval: analysis.interval };
    const fill = (text: string) =>
      text.replace(/\{\{\s*([^{}]*?)\s*\}\}/g, (_, inside: string) =>
        inside.startsWith("args.") ? args[inside.slice(5)]! : values[inside]!,
      );
    const bound = (value: number | string | undefined) => (value === undefined ? undefined : Number(fill(String(value))));
    const max = bound(analysis.max);
    const min = bound(analysis.min);
    const candidate = {
      analysis: name,
      provider,
      query: fill(analysis.query),
      ...(max !== undefined ? { max } : {}),
      ...(min !== undefined ? { min } : {}),
      interval: analysis.interval,
      ...(background ? {} : { count: analysis.count }),
      failureLimit: analysis.failureLimit,
    };
    const same = resolvedAnalyses.find((known) => sameRun(known, candidate));
    if (same) return same.id;
    const taken = resolvedAnalyses.filter((known) => known.analysis === name).length;
    const id = taken === 0 ? name : `${name}-${taken + 1}`;
    resolvedAnalyses.push({ id, ...candidate });
    return id;
  };

  let traffic: ResolvedProgressive["traffic"];
  let resolvedStrategy: ResolvedProgressive["strategy"];
  if (plan.canary) {
    const canary = plan.canary;
    if (canary.replicaBased) {
      if (flagger)
        return problem(
          "progressive-traffic",
          "a replica-based canary cannot run on Flagger, which shifts a canary's traffic only through a router",
          at("canary", "replicaBased"),
          "expose the app through the cluster's Gateway or ingress-nginx, or use { blueGreen: {} } there",
        );
      traffic = "replicas";
    } else if (context.expose) {
      traffic = "gateway" in context.expose.via ? "gateway" : "ingress";
    } else {
      return problem(
        "progressive-traffic",
        "a canary needs something that shifts traffic, but the app is not exposed",
        at("canary"),
        "expose the app (expose: { host }) so that its HTTPRoute or Ingress carries the canary's weight, or write replicaBased: true to approximate the weight with pods (Argo Rollouts only)",
      );
    }
    if (flagger) {
      const pauses = canary.steps.flatMap((step, index) => (step.pause !== undefined ? [{ pause: step.pause, index }] : []));
      const manual = pauses.find(({ pause }) => pause === "manual");
      if (manual)
        problem(
          "progressive-flagger",
          "Flagger cannot wait for a person at one step (it promotes through a confirm-promotion webhook, not a pause)",
          at("canary", "steps", manual.index, "pause"),
          "give the pause a duration, or run this cluster on Argo Rollouts; on Flagger every step waits one interval",
        );
      const timed = pauses.filter(({ pause }) => pause !== "manual");
      const odd = timed.find(({ pause }) => seconds(pause) !== seconds(timed[0]!.pause));
      if (odd)
        problem(
          "progressive-flagger",
          `Flagger advances one weight per interval, so every pause must be the same: this step waits ${odd.pause}, an earlier one ${timed[0]!.pause}`,
          at("canary", "steps", odd.index, "pause"),
          `pause every step for ${timed[0]!.pause} on this cluster (per cluster: clusters: { ${JSON.stringify(cluster.name)}: { progressive: … } })`,
        );
    }
    const steps: ({ weight: number } | { pause: string } | { analysis: string })[] = [];
    canary.steps.forEach((step, index) => {
      if (step.weight !== undefined) steps.push({ weight: step.weight });
      if (step.pause !== undefined) steps.push({ pause: step.pause === "manual" ? "manual" : goDuration(step.pause) });
      if (step.analysis !== undefined) steps.push({ analysis: idOf(step.analysis, false, at("canary", "steps", index, "analysis")) });
    });
    const background = (canary.background ?? []).map((ref, index) => idOf(ref, true, at("canary", "background", index)));
    resolvedStrategy = { kind: "canary", steps, background };
  } else {
    const blueGreen = plan.blueGreen!;
    traffic = context.expose ? ("gateway" in context.expose.via ? "gateway" : "ingress") : "service";
    if (blueGreen.autoPromote === false && flagger)
      problem(
        "progressive-flagger",
        "Flagger promotes a blue-green release only through a confirm-promotion webhook, not by hand",
        at("blueGreen", "autoPromote"),
        "leave autoPromote out on Flagger clusters (its analyses decide), or run this cluster on Argo Rollouts",
      );
    if (blueGreen.previewExposure) {
      if (!context.expose)
        problem(
          "progressive-preview",
          "previewExposure serves the new release beside the app's own host, but the app is not exposed",
          at("blueGreen", "previewExposure"),
          "expose the app (expose: { host }) or leave previewExposure out",
        );
      else if (blueGreen.previewExposure.host === context.expose.host)
        problem(
          "progressive-preview",
          `the preview host is the app's own host ${context.expose.host}`,
          at("blueGreen", "previewExposure", "host"),
          `give the preview a host of its own, such as "preview.${context.expose.host}"`,
        );
    }
    const analyses = (blueGreen.analysis ?? []).map((ref, index) => idOf(ref, false, at("blueGreen", "analysis", index)));
    resolvedStrategy = {
      kind: "blueGreen",
      ...(blueGreen.previewExposure ? { previewHost: blueGreen.previewExposure.host } : {}),
      autoPromote: blueGreen.autoPromote ?? true,
      analyses,
    };
  }
  if (diagnostics.length > before) return undefined;
  return {
    controller,
    controllerNamespace: delivery.namespace,
    traffic,
    strategy: resolvedStrategy,
    analyses: resolvedAnalyses,
    ...(plan.adoptDeployment && !flagger ? { adoptDeployment: true as const } : {}),
    origin: written.origin,
  };
}

function sameRun(a: Omit<ResolvedAnalysis, "id">, b: Omit<ResolvedAnalysis, "id">): boolean {
  return a.analysis === b.analysis && a.query === b.query && a.max === b.max && a.min === b.min && a.count === b.count;
}
