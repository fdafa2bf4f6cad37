import type { ObjectMeta } from "kubernetes-types/meta/v1";
import type { LabelSelector } from "kubernetes-types/meta/v1";
import type { PodTemplateSpec } from "kubernetes-types/core/v1";

// Argo Rollouts' (argoproj.io/v1alpha1, v1.9.1) and Flagger's (flagger.app/v1beta1,
// v1.44.0) kinds, as far as sluice writes them, named and nested as in the
// vendored CRD schemas (src/k8s/crd-schemas/); test/crd-types.test.ts keeps
// every field here true to those schemas.

/** The AnalysisTemplates a step, the background or a blue-green promotion runs. */
export interface RolloutAnalysis {
  templates: { templateName: string }[];
}

export type RolloutCanaryStep = { setWeight: number } | { pause: { duration?: string } } | { analysis: RolloutAnalysis };

export interface Rollout {
  apiVersion: "argoproj.io/v1alpha1";
  kind: "Rollout";
  metadata: ObjectMeta;
  spec: {
    replicas?: number;
    selector?: LabelSelector;
    template?: PodTemplateSpec;
    workloadRef?: { apiVersion: "apps/v1"; kind: "Deployment"; name: string; scaleDown: "never" | "onsuccess" | "progressively" };
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
    progressDeadlineSeconds?: number;
    strategy: {
      canary?: {
        canaryService?: string;
        stableService?: string;
        trafficRouting?: {
          nginx?: { stableIngress: string };
          /** Schemaless in the CRD: each plugin reads its own configuration. */
          plugins?: { "argoproj-labs/gatewayAPI"?: { httpRoute: string; namespace: string } };
        };
        steps?: RolloutCanaryStep[];
        analysis?: RolloutAnalysis;
      };
      blueGreen?: {
        activeService: string;
        previewService?: string;
        autoPromotionEnabled?: boolean;
        prePromotionAnalysis?: RolloutAnalysis;
      };
    };
  };
}

export interface AnalysisTemplate {
  apiVersion: "argoproj.io/v1alpha1";
  kind: "AnalysisTemplate";
  metadata: ObjectMeta;
  spec: {
    args?: { name: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }[];
    metrics: {
      name: string;
      interval?: string;
      count?: number;
      failureLimit?: number;
      successCondition?: string;
      provider: {
        prometheus?: { address: string; query: string; headers?: { key: string; value: string }[] };
        datadog?: { apiVersion: "v2"; query: string; secretRef: { name: string; namespaced: boolean } };
      };
    }[];
  };
}

export interface Canary {
  apiVersion: "flagger.app/v1beta1";
  kind: "Canary";
  metadata: ObjectMeta;
  spec: {
    provider: "gatewayapi:v1" | "nginx" | "kubernetes";
    targetRef: { apiVersion: "apps/v1"; kind: "Deployment"; name: string };
    autoscalerRef?: { apiVersion: "autoscaling/v2"; kind: "HorizontalPodAutoscaler"; name: string };
    ingressRef?: { apiVersion: "networking.k8s.io/v1"; kind: "Ingress"; name: string };
    service: {
      port: number;
      portName?: string;
      targetPort?: string;
      portDiscovery?: boolean;
      hosts?: string[];
      gatewayRefs?: { name: string; namespace: string; sectionName?: string }[];
    };
    analysis: {
      interval: string;
      threshold: number;
      stepWeights?: number[];
      iterations?: number;
      metrics?: { name: string; interval?: string; thresholdRange?: { min?: number; max?: number }; templateRef: { name: string } }[];
    };
  };
}

export interface MetricTemplate {
  apiVersion: "flagger.app/v1beta1";
  kind: "MetricTemplate";
  metadata: ObjectMeta;
  spec: {
    provider: { type: "prometheus" | "datadog"; address?: string; secretRef?: { name: string } };
    query: string;
  };
}
