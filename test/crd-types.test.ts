/**
 * The Argo CD and Flux interfaces (src/engines/<engine>/types.ts), Argo
 * Rollouts' and Flagger's (lib/progressive/types.ts), the
 * secret providers' (lib/secrets/) and Kyverno's ValidatingPolicy
 * (src/policy/kyverno-policy.ts) are written by hand, as no types package
 * exists for them: this test keeps them true to
 * the vendored CRD schemas. Each interface gets one sample holding every field
 * it names (tsc refuses a sample that leaves one out or adds one), and every
 * field of the sample is looked up in the CRD schema at the same path, with
 * its enum where the schema has one. test/type-tests.test.ts runs tsc over
 * this file, so a sample that no longer matches its interface fails too.
 */
import { describe, expect, it } from "vitest";
import type { ArgoAppProject, ArgoApplication } from "../src/engines/argocd/types.js";
import type {
  FluxAlert,
  FluxGitRepository,
  FluxHelmRelease,
  FluxHelmRepository,
  FluxKustomization,
  FluxOCIRepository,
  FluxProvider,
} from "../src/engines/flux/types.js";
import type { ExternalSecret } from "../lib/secrets/external-secrets.js";
import type { SealedSecret } from "../lib/secrets/sealed-secrets.js";
import { kindSchema } from "../src/k8s/schemas.js";
import type { KyvernoValidatingPolicy } from "../src/policy/kyverno-policy.js";
import type { AnalysisTemplate, Canary, MetricTemplate, Rollout } from "../lib/progressive/types.js";

/** Every field present, at every depth: a sample of this type names everything the interface does. */
type Complete<T> = T extends readonly (infer U)[] ? Complete<U>[] : T extends object ? { [K in keyof T]-?: Complete<T[K]> } : T;
/** metadata is Kubernetes' ObjectMeta, typed by kubernetes-types; the sample checks the rest. */
type Sample<T extends { apiVersion: string; kind: string; spec: unknown }> = Complete<Pick<T, "apiVersion" | "kind" | "spec">>;

const ref = { kind: "GitRepository", name: "n", namespace: "ns" } as const;
const destination = { server: "s", name: "n", namespace: "ns" };
const groupKinds = [{ group: "g", kind: "K" }];

const SAMPLES = {
  Application: {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    spec: {
      project: "p",
      source: {
        repoURL: "u",
        targetRevision: "main",
        path: "p",
        chart: "c",
        helm: { releaseName: "r", valuesObject: {} },
        kustomize: {
          namespace: "ns",
          images: ["registry.example.com/shop/web:1.0.0"],
          patches: [{ target: { kind: "Ingress", name: "n" }, patch: "- op: replace" }],
          commonAnnotations: { a: "b" },
        },
      },
      destination,
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: ["CreateNamespace=true"],
        retry: { limit: 1, backoff: { duration: "30s", factor: 2, maxDuration: "5m" } },
      },
      ignoreDifferences: [
        { group: "apps", kind: "Deployment", name: "n", namespace: "ns", jsonPointers: ["/spec/replicas"], managedFieldsManagers: ["m"] },
      ],
    },
  } satisfies Sample<ArgoApplication>,
  AppProject: {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "AppProject",
    spec: {
      description: "d",
      sourceRepos: ["u"],
      destinations: [destination],
      // Argo CD 3.3 and later match a cluster resource's name.
      clusterResourceWhitelist: [{ group: "g", kind: "K", name: "n" }],
      clusterResourceBlacklist: groupKinds,
      namespaceResourceWhitelist: groupKinds,
      namespaceResourceBlacklist: groupKinds,
      syncWindows: [
        {
          kind: "deny",
          schedule: "0 18 * * FRI",
          duration: "63h",
          timeZone: "Europe/Berlin",
          applications: ["*"],
          clusters: ["prod-us-1"],
          manualSync: true,
          description: "d",
        },
      ],
      roles: [{ name: "team", description: "d", groups: ["g"], policies: ["p, proj:p:team, applications, get, p/*, allow"] }],
    },
  } satisfies Sample<ArgoAppProject>,
  Kustomization: {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    spec: {
      interval: "10m",
      retryInterval: "2m",
      timeout: "5m",
      path: "./p",
      prune: true,
      wait: true,
      sourceRef: ref,
      targetNamespace: "ns",
      serviceAccountName: "sa",
      dependsOn: [{ name: "n", namespace: "ns" }],
      decryption: { provider: "sops", secretRef: { name: "s" } },
      suspend: true,
      ignore: [{ paths: ["/spec/replicas"], target: { group: "apps", kind: "Deployment", name: "n", namespace: "ns" } }],
      images: [{ name: "registry.example.com/a", newTag: "t" }],
      patches: [{ patch: "- op: replace\n  path: /spec/hostnames/0\n  value: h\n", target: { kind: "HTTPRoute", name: "n" } }],
    },
  } satisfies Sample<FluxKustomization>,
  GitRepository: {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "GitRepository",
    spec: {
      interval: "1m",
      url: "u",
      ref: { branch: "b", commit: "c", name: "refs/tags/v1", semver: "1.x", tag: "t" },
      secretRef: { name: "s" },
      ignore: "/*",
    },
  } satisfies Sample<FluxGitRepository>,
  OCIRepository: {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "OCIRepository",
    spec: {
      interval: "10m",
      url: "oci://r/c",
      ref: { digest: "sha256:0", semver: "1.x", tag: "t" },
      layerSelector: { mediaType: "m", operation: "copy" },
    },
  } satisfies Sample<FluxOCIRepository>,
  HelmRepository: {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "HelmRepository",
    spec: { interval: "1h", url: "https://charts" },
  } satisfies Sample<FluxHelmRepository>,
  HelmRelease: {
    apiVersion: "helm.toolkit.fluxcd.io/v2",
    kind: "HelmRelease",
    spec: {
      interval: "10m",
      releaseName: "r",
      targetNamespace: "ns",
      storageNamespace: "ns",
      serviceAccountName: "sa",
      install: { createNamespace: true, remediation: { retries: 3 } },
      upgrade: { remediation: { retries: 3 } },
      chartRef: { kind: "OCIRepository", name: "n", namespace: "ns" },
      chart: { spec: { chart: "c", version: "1", sourceRef: { kind: "HelmRepository", name: "n", namespace: "ns" } } },
      values: {},
    },
  } satisfies Sample<FluxHelmRelease>,
  Provider: {
    apiVersion: "notification.toolkit.fluxcd.io/v1beta3",
    kind: "Provider",
    spec: { type: "slack", channel: "c", address: "https://slack.com/api/chat.postMessage", secretRef: { name: "s" } },
  } satisfies Sample<FluxProvider>,
  Alert: {
    apiVersion: "notification.toolkit.fluxcd.io/v1beta3",
    kind: "Alert",
    spec: {
      providerRef: { name: "p" },
      eventMetadata: { cluster: "c" },
      eventSeverity: "error",
      eventSources: [{ kind: "Kustomization", name: "*", namespace: "ns" }],
      inclusionList: ["^a"],
      exclusionList: ["^b"],
    },
  } satisfies Sample<FluxAlert>,
  ExternalSecret: {
    apiVersion: "external-secrets.io/v1",
    kind: "ExternalSecret",
    spec: {
      refreshInterval: "1h",
      secretStoreRef: { name: "vault", kind: "ClusterSecretStore" },
      target: { name: "s", creationPolicy: "Owner" },
      data: [{ secretKey: "password", remoteRef: { key: "k", property: "p" } }],
      dataFrom: [{ extract: { key: "k" } }],
    },
  } satisfies Sample<ExternalSecret>,
  SealedSecret: {
    apiVersion: "bitnami.com/v1alpha1",
    kind: "SealedSecret",
    spec: {
      encryptedData: { password: "AgB=" },
      template: { metadata: { name: "s", namespace: "ns", labels: { a: "b" } }, type: "Opaque" },
    },
  } satisfies Sample<SealedSecret>,
  ValidatingPolicy: {
    apiVersion: "policies.kyverno.io/v1",
    kind: "ValidatingPolicy",
    spec: {
      failurePolicy: "Fail",
      validationActions: ["Deny", "Audit", "Warn"],
      matchConstraints: {
        namespaceSelector: { matchExpressions: [{ key: "k", operator: "Exists", values: ["v"] }], matchLabels: { a: "b" } },
        resourceRules: [
          { apiGroups: ["apps"], apiVersions: ["*"], operations: ["CREATE"], resourceNames: ["n"], resources: ["deployments"], scope: "*" },
        ],
      },
      matchConditions: [{ name: "n", expression: "true" }],
      variables: [{ name: "n", expression: "object" }],
      validations: [{ expression: "true", message: "m", messageExpression: "'m'", reason: "Invalid" }],
    },
  } satisfies Sample<KyvernoValidatingPolicy>,
  Rollout: {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Rollout",
    spec: {
      replicas: 2,
      workloadRef: { apiVersion: "apps/v1", kind: "Deployment", name: "n", scaleDown: "progressively" },
      minReadySeconds: 1,
      revisionHistoryLimit: 3,
      progressDeadlineSeconds: 600,
      strategy: {
        canary: {
          canaryService: "c",
          stableService: "s",
          trafficRouting: {
            nginx: { stableIngress: "i" },
            plugins: { "argoproj-labs/gatewayAPI": { httpRoute: "r", namespace: "ns" } },
          },
          steps: [{ setWeight: 10 }, { pause: { duration: "5m" } }, { analysis: { templates: [{ templateName: "t" }] } }],
          analysis: { templates: [{ templateName: "t" }] },
        },
        blueGreen: {
          activeService: "a",
          previewService: "p",
          autoPromotionEnabled: false,
          prePromotionAnalysis: { templates: [{ templateName: "t" }] },
        },
      },
    },
    // The pod template and selector are kubernetes-types' (the schema check of every emitted Rollout covers them).
  } satisfies Complete<Pick<Rollout, "apiVersion" | "kind"> & { spec: Omit<Rollout["spec"], "selector" | "template"> }>,
  AnalysisTemplate: {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "AnalysisTemplate",
    spec: {
      args: [{ name: "token", valueFrom: { secretKeyRef: { name: "n", key: "token" } } }],
      metrics: [
        {
          name: "m",
          interval: "1m",
          count: 5,
          failureLimit: 1,
          successCondition: "result[0] <= 0.01",
          provider: {
            prometheus: { address: "http://p:9090", query: "q", headers: [{ key: "Authorization", value: "Bearer x" }] },
            datadog: { apiVersion: "v2", query: "q", secretRef: { name: "n", namespaced: true } },
          },
        },
      ],
    },
  } satisfies Sample<AnalysisTemplate>,
  Canary: {
    apiVersion: "flagger.app/v1beta1",
    kind: "Canary",
    spec: {
      provider: "gatewayapi:v1",
      targetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "n" },
      autoscalerRef: { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", name: "n" },
      ingressRef: { apiVersion: "networking.k8s.io/v1", kind: "Ingress", name: "n" },
      service: {
        port: 80,
        portName: "http",
        targetPort: "http",
        portDiscovery: true,
        hosts: ["h"],
        gatewayRefs: [{ name: "g", namespace: "ns", sectionName: "https" }],
      },
      analysis: {
        interval: "1m",
        threshold: 2,
        stepWeights: [10, 50],
        iterations: 5,
        metrics: [{ name: "m", interval: "1m", thresholdRange: { min: 0, max: 1 }, templateRef: { name: "t" } }],
      },
    },
  } satisfies Sample<Canary>,
  MetricTemplate: {
    apiVersion: "flagger.app/v1beta1",
    kind: "MetricTemplate",
    spec: { provider: { type: "prometheus", address: "http://p:9090", secretRef: { name: "n" } }, query: "q" },
  } satisfies Sample<MetricTemplate>,
};

interface Node {
  properties?: Record<string, Node>;
  /** A map's values (encryptedData), or true where any field goes (Helm values). */
  additionalProperties?: Node | boolean;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  items?: Node;
  enum?: unknown[];
}

/** Every path in the sample the schema does not have, or whose value its enum refuses. */
function strayFields(value: unknown, schema: Node, path: string): string[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => strayFields(item, schema.items ?? {}, `${path}[${index}]`));
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([key, field]) => {
      const property = fieldSchema(schema, key);
      return property ? strayFields(field, property, `${path}.${key}`) : [`${path}.${key}`];
    });
  }
  return schema.enum && !schema.enum.includes(value) ? [`${path} = ${String(value)}`] : [];
}

function fieldSchema(schema: Node, key: string): Node | undefined {
  if (schema.properties && Object.hasOwn(schema.properties, key)) return schema.properties[key];
  if (typeof schema.additionalProperties === "object") return schema.additionalProperties;
  // Below a field that takes anything (Helm values, a plugin's configuration), anything goes.
  return schema.additionalProperties === true || schema["x-kubernetes-preserve-unknown-fields"]
    ? { additionalProperties: true }
    : undefined;
}

describe("the hand-written custom resource interfaces", () => {
  for (const [kind, sample] of Object.entries(SAMPLES)) {
    it(`${kind}: every field it names is in the CRD schema, at the same path`, () => {
      const schema = kindSchema(sample.apiVersion, sample.kind) as Node | undefined;
      expect(schema).toBeDefined();
      expect(strayFields(sample.spec, schema!.properties!.spec!, "spec")).toEqual([]);
    });
  }

  it("a field the schema does not have, or a value its enum refuses, is found", () => {
    const schema = kindSchema("kustomize.toolkit.fluxcd.io/v1", "Kustomization") as Node;
    const spec = { ...SAMPLES.Kustomization.spec, sourceRef: { kind: "HelmRepository", name: "n" }, dependsOn: [{ nme: "n" }] };
    expect(strayFields(spec, schema.properties!.spec!, "spec")).toEqual(["spec.sourceRef.kind = HelmRepository", "spec.dependsOn[0].nme"]);
  });

  it("a sample must name every field of its interface", () => {
    // @ts-expect-error -- suspend is missing: Complete<> makes every optional field required.
    const partial: Sample<FluxKustomization> = { ...SAMPLES.Kustomization, spec: { ...SAMPLES.Kustomization.spec, suspend: undefined } };
    expect(partial).toBeDefined();
  });
});
