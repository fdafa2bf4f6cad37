import { appDir } from "../../model/layout.js";
import type { NetworkPolicy, NetworkPolicyPeer } from "kubernetes-types/networking/v1";
import { recommendedLabels, selectorLabels } from "../../k8s/labels.js";
import { childOrigin } from "../../model/origin.js";
import { yamlLibrary } from "../../k8s/yaml-library.js";
import type { KubernetesObject } from "../../k8s/object.js";
import { SluiceError } from "../../errors.js";
import { scopeOf } from "../validate/index.js";
import type { InstancePlatform } from "../../model/instance-input.js";
import type { Blueprint, RenderedObject } from "../../model/rendered.js";
import type { ResolvedApp } from "../../model/resolved.js";
import { renderSecret } from "../../../lib/secrets/index.js";
import { engineNamed, engineOf } from "../../engines/index.js";
import { FLAGGER_STABLE_LABEL, progressiveObjects } from "../../../lib/progressive/index.js";

/** Where the manifests of one app on one cluster live: every object in one file (see model/layout.ts). */
export function manifestPath(
  platform: Pick<InstancePlatform, "envRepo">,
  app: { readonly name: string; readonly team: string },
  cluster: string,
): string {
  return `${appDir(platform, app, cluster)}/manifest.yaml`;
}

/**
 * Everything one app instance (one app on one cluster) contributes to the env
 * repo, and nothing else: its manifests — the blueprint's objects, the
 * objects that bring in its secrets, then the app's raw objects in the order
 * written, each in the app's namespace with the recommended labels — in
 * apps/<app>/<cluster>/manifest.yaml, and its GitOps
 * object in clusters/<cluster>/apps/<app>.yaml. An instance renders from its
 * resolved spec alone, which is what lets synth skip instances that did not
 * change.
 */
export function renderInstance(
  platform: InstancePlatform,
  app: ResolvedApp,
  blueprint: Blueprint,
  sources: readonly string[],
): RenderedObject[] {
  const path = manifestPath(platform, app, app.cluster.name);
  const labels = recommendedLabels(app);
  const rendered = blueprint.render(app);
  const plan = app.spec.progressive;
  if (
    plan &&
    !rendered.some((object) => object.metadata.name === app.name && object.kind === "Deployment" && object.apiVersion === "apps/v1")
  )
    throw new SluiceError("An app's progressive plan has no Deployment to run; nothing was written.", [
      {
        code: "render/progressive-workload",
        message: `the app moves its releases progressively, but blueprint ${blueprint.name} renders no Deployment named ${app.name} for ${plan.controller} to run on cluster ${app.cluster.name}`,
        origin: plan.origin,
        hint: "render the app's pods as a Deployment named after it (the built-in service blueprint does), or take progressive out for this app",
      },
    ]);
  // What the plan adds carries its line (the Canary, the analyses, the canary Service); what it changes of the
  // blueprint's objects (the Deployment made a Rollout, the weighted route) keeps the blueprint's settings.
  const fromBlueprint = (object: KubernetesObject) =>
    rendered.some(
      (made) =>
        made.metadata.name === object.metadata.name &&
        (made.kind === object.kind || (made.kind === "Deployment" && object.kind === "Rollout")),
    );
  const generated = app.spec.progressive
    ? progressiveObjects(app, rendered).map((object) => ({
        object,
        origin: fromBlueprint(object) ? app.origin : app.spec.progressive!.origin,
      }))
    : rendered.map((object) => ({ object, origin: app.origin }));
  const secrets = app.secrets.flatMap((secret) => renderSecret(app, secret).map((object) => ({ object, origin: secret.origin })));
  const raw = app.objects.map(({ object, origin }) => ({ object: structuredClone(object), origin }));
  const callers = callerPolicy(app);
  const guard = callers ? [{ object: callers, origin: app.callers.length > 0 ? childOrigin(app.origin, "callers") : app.origin }] : [];
  const workload = [...generated, ...secrets, ...raw, ...guard].map(({ object, origin }) => ({
    path,
    object: finish(object, app, labels, platform),
    origin,
    sources,
  }));
  // A SOPS file, on an engine that decrypts it, beside the manifest and as it is.
  const sops = app.secrets.flatMap((secret) =>
    secret.source.provider === "sops"
      ? [
          {
            path: `${appDir(platform, app, app.cluster.name)}/${secret.secretName}.sops.yaml`,
            object: yamlLibrary().parse(secret.source.content) as KubernetesObject,
            origin: secret.origin,
            sources,
            verbatim: secret.source.content,
          },
        ]
      : [],
  );
  return [...workload, ...sops, engineOf(app.cluster).renderApp(platform, app, sources), ...adoptingEngine(platform, app, sources)];
}

/**
 * While the cluster adopts another engine, that engine's object for the
 * instance too, under clusters/<cluster>/<engine>/apps/ (its pruning off, as
 * the instance's environment says: model/hub.ts).
 */
function adoptingEngine(platform: InstancePlatform, app: ResolvedApp, sources: readonly string[]): RenderedObject[] {
  const move = app.cluster.move;
  if (move?.step !== "adopt") return [];
  const rendered = engineNamed(move.to).renderApp(platform, { ...app, cluster: { ...app.cluster, engine: move.to } }, sources);
  const dir = `clusters/${app.cluster.name}`;
  return [{ ...rendered, path: `${dir}/${move.to}/${rendered.path.slice(dir.length + 1)}` }];
}

/**
 * What lets the app's declared callers through its namespace's default-deny
 * NetworkPolicy: ingress to the app's pods, from the pods of each calling app
 * (in that app's namespace) and from every pod of each calling namespace, on
 * the ports each caller may use (all the app's by default). Callers with the
 * same ports share one rule; a rule's peers may use its ports only. None when
 * the app declares no ports or no callers: then nothing may connect to it.
 */
function callerPolicy(app: ResolvedApp): KubernetesObject | undefined {
  const declared = Object.keys(app.spec.ports);
  if (declared.length === 0 || app.callers.length === 0) return undefined;
  const rules = new Map<string, { ports: string[]; from: NetworkPolicyPeer[] }>();
  // Flagger renames app.kubernetes.io/name on the pods it promotes ("<app>-primary"): there, pods are told apart by their instance.
  const flagger = app.cluster.progressiveDelivery?.controller === "flagger";
  for (const caller of app.callers) {
    // In the app's own port order, so the same set always reads the same.
    const ports = declared.filter((port) => caller.ports.includes(port));
    const key = ports.join(",");
    const rule = rules.get(key) ?? { ports, from: [] };
    rule.from.push({
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": caller.namespace } },
      ...(caller.app ? { podSelector: { matchLabels: { [flagger ? FLAGGER_STABLE_LABEL : "app.kubernetes.io/name"]: caller.app } } } : {}),
    });
    rules.set(key, rule);
  }
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: `${app.name}-callers` },
    spec: {
      podSelector: { matchLabels: flagger ? { [FLAGGER_STABLE_LABEL]: app.name } : selectorLabels(app) },
      policyTypes: ["Ingress"],
      ingress: [...rules.values()].map(({ ports, from }) => ({ from, ports: ports.map((port) => ({ protocol: "TCP", port })) })),
    },
  } satisfies NetworkPolicy;
}

function finish(object: KubernetesObject, app: ResolvedApp, labels: Record<string, string>, platform: InstancePlatform): KubernetesObject {
  const metadata = {
    ...object.metadata,
    ...(scopeOf(platform, object.apiVersion, object.kind) === "Cluster" ? {} : { namespace: object.metadata.namespace ?? app.namespace }),
    labels: { ...object.metadata.labels, ...labels },
  };
  return { ...object, metadata };
}
