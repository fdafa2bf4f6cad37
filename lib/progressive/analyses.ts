import type { KubernetesObject, ResolvedAnalysis, ResolvedApp } from "../../src/sdk.js";
import type { AnalysisTemplate, MetricTemplate } from "./types.js";

/** The object an analysis is rendered as, in the app's namespace: "<app>-<analysis id>". */
export function analysisObjectName(app: Pick<ResolvedApp, "name">, analysis: Pick<ResolvedAnalysis, "id">): string {
  return `${app.name}-${analysis.id}`;
}

/**
 * An analysis as an Argo Rollouts AnalysisTemplate of the app's own: one
 * metric, its query filled in for the app (namespaced, so no two apps'
 * arguments can collide, and no team needs a cluster-scoped grant). A
 * Prometheus token is read from the Secret in the app's namespace, where
 * Argo Rollouts resolves an AnalysisRun's secrets.
 */
export function analysisTemplate(app: ResolvedApp, analysis: ResolvedAnalysis): KubernetesObject {
  const { provider } = analysis;
  const prometheus = "prometheus" in provider ? provider.prometheus : undefined;
  const datadog = "datadog" in provider ? provider.datadog : undefined;
  const result = prometheus ? "result[0]" : "result";
  const conditions = [
    ...(analysis.min !== undefined ? [`${result} >= ${analysis.min}`] : []),
    ...(analysis.max !== undefined ? [`${result} <= ${analysis.max}`] : []),
  ];
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "AnalysisTemplate",
    metadata: { name: analysisObjectName(app, analysis) },
    spec: {
      ...(prometheus?.secret ? { args: [{ name: "token", valueFrom: { secretKeyRef: { name: prometheus.secret, key: "token" } } }] } : {}),
      metrics: [
        {
          name: analysis.analysis,
          interval: analysis.interval,
          ...(analysis.count !== undefined ? { count: analysis.count } : {}),
          failureLimit: analysis.failureLimit,
          successCondition: conditions.join(" && "),
          provider: prometheus
            ? {
                prometheus: {
                  address: prometheus.address,
                  query: analysis.query,
                  ...(prometheus.secret ? { headers: [{ key: "Authorization", value: "Bearer {{args.token}}" }] } : {}),
                },
              }
            : // Argo Rollouts reads the Datadog address and keys from the Secret (address, api-key, app-key).
              { datadog: { apiVersion: "v2", query: analysis.query, secretRef: { name: datadog!.secret, namespaced: true } } },
        },
      ],
    },
  } satisfies AnalysisTemplate;
}

/**
 * An analysis as a Flagger MetricTemplate of the app's own; the Canary
 * holds when it passes (thresholdRange). Flagger reads the provider's
 * Secret in the template's namespace, the app's.
 */
export function metricTemplate(app: ResolvedApp, analysis: ResolvedAnalysis): KubernetesObject {
  const { provider } = analysis;
  const spec: MetricTemplate["spec"] =
    "prometheus" in provider
      ? {
          provider: {
            type: "prometheus",
            address: provider.prometheus.address,
            ...(provider.prometheus.secret ? { secretRef: { name: provider.prometheus.secret } } : {}),
          },
          query: analysis.query,
        }
      : {
          provider: {
            type: "datadog",
            address: provider.datadog.address ?? "https://api.datadoghq.com",
            secretRef: { name: provider.datadog.secret },
          },
          query: analysis.query,
        };
  return {
    apiVersion: "flagger.app/v1beta1",
    kind: "MetricTemplate",
    metadata: { name: analysisObjectName(app, analysis) },
    spec,
  } satisfies MetricTemplate;
}
