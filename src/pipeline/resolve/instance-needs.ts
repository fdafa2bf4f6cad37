import { kindTakes, type AppKind } from "../../model/app-kinds.js";
import type { Capability } from "../../model/capabilities.js";
import { topIdentity } from "../../model/placement-schema.js";
import type { AppModel, ClusterModel, PlatformModel } from "../../model/model.js";
import { own } from "../../model/own.js";
import type { Settings } from "../../model/settings-schema.js";
import { planAnalysisRefs, type ProgressiveController } from "../../model/progressive-schema.js";
import { childOrigin, type Origin } from "../../model/origin.js";
import { mergeValues } from "./merge.js";
import { LONG_RUNNING_KINDS } from "../../model/rotation.js";
import { storeNameOf, usedSecretNames } from "./secrets.js";

/** What one app instance needs from its cluster besides Kubernetes itself. */
export interface InstanceNeeds {
  /** The secret providers its used secrets come from. */
  readonly providers: ReadonlySet<"external-secrets" | "sealed-secrets" | "sops">;
  /** The External Secrets stores it reads, by name, with their kind. */
  readonly stores: readonly { readonly name: string; readonly kind: "ClusterSecretStore" | "SecretStore" }[];
  /** Whether autoscaling is on (a HorizontalPodAutoscaler). */
  readonly autoscaled: boolean;
  /** The StorageClasses its volume claims name, sorted; "" for a claim that takes the cluster's default. */
  readonly storageClasses: readonly string[];
  /** The PriorityClass of its pods, if it names one. */
  readonly priorityClass?: string;
  /** The cloud whose workload identity its pods take, if any. */
  readonly identity?: "aws" | "gcp" | "azure";
  /** Whether Stakater Reloader restarts its pods when a refreshed secret they read as environment variables changes. */
  readonly reloader: boolean;
  /** The host and path it is served on from outside, and the line that sets the host, when it is exposed on a cluster that serves traffic. */
  readonly exposed?: { readonly host: string; readonly path: string; readonly tls: boolean; readonly origin: Origin };
  /** Whether its pods have sidecars, which are native sidecars (Kubernetes 1.29). */
  readonly sidecars: boolean;
  /** The existing PersistentVolumeClaims its volumes mount, sorted. */
  readonly claims: readonly string[];
  /** Its progressive delivery here, when it has a plan and the cluster a controller: how traffic moves, and the metric providers' Secrets its analyses read. */
  readonly progressive?: {
    readonly controller: ProgressiveController;
    readonly traffic: "gateway" | "ingress" | "replicas" | "service";
    /** Whether its plan runs analyses (AnalysisTemplates or MetricTemplates). */
    readonly analysed: boolean;
    readonly secrets: readonly { readonly name: string; readonly provider: "prometheus" | "datadog" }[];
  };
}

// Only these settings decide what an instance needs: merging them alone keeps
// this cheap enough to run for every instance on every run, render cache or not.
const KEYS = [
  "env",
  "sidecars",
  "initContainers",
  "envFrom",
  "secretFiles",
  "secrets",
  "secretStore",
  "autoscaling",
  "volumeClaims",
  "volumes",
  "placement",
  "expose",
  "progressive",
] as const satisfies readonly (keyof Settings)[];

/**
 * What an app instance needs, from its merged settings, without resolving
 * or rendering it: the ordering (an app with an ExternalSecret waits for the
 * component that installs the operator) and the env repo's Prerequisites are
 * known before any instance is rendered, and for instances the render cache
 * skips. It reads the layers resolve merges, in the same order; the
 * prerequisites test checks it against what the instances really hold.
 */
export function instanceNeeds(platform: PlatformModel, app: AppModel, cluster: ClusterModel, remember = true): InstanceNeeds {
  // Asked twice per instance and run (the ordering, the README): the models are not changed once validated.
  const known = memo.get(platform)?.get(app)?.get(cluster.name);
  if (known) return known;
  const needs = alikeNeeds(platform, app, cluster);
  // A caller that asks once per instance (the README, for every cluster of a fleet of half a million) keeps nothing.
  if (!remember) return needs;
  const byApp = memo.get(platform) ?? new WeakMap<AppModel, Map<string, InstanceNeeds>>();
  memo.set(platform, byApp);
  const byCluster = byApp.get(app) ?? new Map<string, InstanceNeeds>();
  byApp.set(app, byCluster);
  byCluster.set(cluster.name, needs);
  return needs;
}

const memo = new WeakMap<PlatformModel, WeakMap<AppModel, Map<string, InstanceNeeds>>>();

/**
 * An app's needs on clusters alike, computed once: without an override for
 * the cluster, they depend on the cluster only through its environment, its
 * settings of KEYS, its exposure and its progressive delivery — the same on
 * most clusters of a wave. Plain env values count only by their names (a
 * later layer's value of the same name still replaces them; their text
 * decides nothing here), so a cluster's own `env: { CLUSTER: … }` does not
 * set it apart. Kept whatever `remember` says: one entry per app and kind of
 * cluster, where `memo` would hold one per instance.
 */
const alike = new WeakMap<PlatformModel, WeakMap<AppModel, Map<string, InstanceNeeds>>>();
const signatures = new WeakMap<ClusterModel, Map<AppKind, string>>();

function alikeNeeds(platform: PlatformModel, app: AppModel, cluster: ClusterModel): InstanceNeeds {
  if (own(app.clusterOverrides, cluster.name) !== undefined) return computeNeeds(platform, app, cluster);
  let byKind = signatures.get(cluster);
  if (!byKind) signatures.set(cluster, (byKind = new Map()));
  let signature = byKind.get(app.kind);
  if (signature === undefined) {
    const { env, ...rest } = pick(cluster.settings, app.kind) as { env?: Record<string, unknown> };
    const names = env && Object.fromEntries(Object.entries(env).map(([name, value]) => [name, typeof value === "string" ? "" : value]));
    signature = JSON.stringify([cluster.environment, names ?? null, rest, cluster.exposure ?? null, cluster.progressiveDelivery ?? null]);
    byKind.set(app.kind, signature);
  }
  let byApp = alike.get(platform);
  if (!byApp) alike.set(platform, (byApp = new WeakMap()));
  let bySignature = byApp.get(app);
  if (!bySignature) byApp.set(app, (bySignature = new Map()));
  const known = bySignature.get(signature);
  if (known) return known;
  const needs = computeNeeds(platform, app, cluster);
  bySignature.set(signature, needs);
  return needs;
}

function computeNeeds(platform: PlatformModel, app: AppModel, cluster: ClusterModel): InstanceNeeds {
  const environment = platform.environments.find((e) => e.name === cluster.environment)!;
  const layers = [
    environment.settings,
    cluster.settings,
    app.settings,
    own(app.environmentOverrides, environment.name) ?? {},
    own(app.clusterOverrides, cluster.name) ?? {},
  ];
  // A platform's defaults apply to every kind: a cron job in an autoscaled environment does not autoscale.
  const merged = mergeValues(layers.map((settings) => pick(settings, app.kind))) as Settings;
  const providers = new Set<"external-secrets" | "sealed-secrets" | "sops">();
  const stores = new Map<string, "ClusterSecretStore" | "SecretStore">();
  for (const name of usedSecretNames(merged)) {
    const declared = own(merged.secrets ?? {}, name);
    if (!declared) continue; // resolve reports it
    providers.add(declared.provider);
    if (declared.provider !== "external-secrets") continue;
    const store = storeNameOf(declared, merged, platform);
    const kind = store === undefined ? undefined : own(platform.secrets.stores, store)?.kind;
    if (store !== undefined && kind) stores.set(store, kind);
  }
  const identity = topIdentity(layers);
  const cloud = identity && (["aws", "gcp", "azure"] as const).find((name) => identity[name] !== undefined);
  const priorityClass = merged.placement?.priorityClass;
  const exposed = cluster.exposure && merged.expose ? exposedAt(merged.expose, app, environment.name, cluster.name) : undefined;
  // As reloaderWatches (src/model/rotation.ts) finds it on the resolved app: a long-running kind reading a refreshed secret as env vars.
  const readAsEnv = [
    ...Object.values(merged.env ?? {}).flatMap((value) => (typeof value === "string" ? [] : [value.secret])),
    ...(merged.envFrom ?? []).map((whole) => whole.secret),
  ];
  const reloader =
    environment.secretRotation === "reloader" &&
    LONG_RUNNING_KINDS.has(app.kind) &&
    readAsEnv.some((name) => own(merged.secrets ?? {}, name)?.provider === "external-secrets");
  return {
    providers,
    stores: [...stores].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, kind]) => ({ name, kind })),
    autoscaled: merged.autoscaling !== undefined && merged.autoscaling !== false,
    reloader,
    storageClasses: [...new Set(Object.values(merged.volumeClaims ?? {}).map((claim) => claim.storageClass ?? ""))].sort(),
    ...(priorityClass ? { priorityClass } : {}),
    ...(cloud ? { identity: cloud } : {}),
    ...(exposed ? { exposed } : {}),
    sidecars: Object.keys(merged.sidecars ?? {}).length > 0,
    claims: [
      ...new Set(Object.values(merged.volumes ?? {}).flatMap((volume) => (volume.claim === undefined ? [] : [volume.claim]))),
    ].sort(),
    ...progressiveNeeds(platform, app, cluster, environment.production, merged),
  };
}

/** As resolve/progressive.ts finds it: a plan (the app's own in production only, an override anywhere) on a cluster with a controller. */
function progressiveNeeds(
  platform: PlatformModel,
  app: AppModel,
  cluster: ClusterModel,
  production: boolean,
  merged: Settings,
): Pick<InstanceNeeds, "progressive"> {
  const plan = merged.progressive;
  const delivery = cluster.progressiveDelivery;
  if (!plan || !delivery) return {};
  const override = [own(app.clusterOverrides, cluster.name), own(app.environmentOverrides, cluster.environment)].some(
    (layer) => layer?.progressive !== undefined,
  );
  if (!override && !production) return {};
  const expose = cluster.exposure && merged.expose ? cluster.exposure : undefined;
  const routed = expose ? ("gateway" in expose ? "gateway" : "ingress") : undefined;
  const traffic = plan.canary ? (plan.canary.replicaBased ? "replicas" : (routed ?? "replicas")) : (routed ?? "service");
  const refs = planAnalysisRefs(plan);
  const secrets = new Map<string, "prometheus" | "datadog">();
  for (const ref of refs) {
    const analysis = own(platform.analyses, typeof ref === "string" ? ref : ref.name);
    const provider = analysis && own(delivery.metrics, analysis.metric);
    if (provider && "prometheus" in provider && provider.prometheus.secret) secrets.set(provider.prometheus.secret, "prometheus");
    if (provider && "datadog" in provider) secrets.set(provider.datadog.secret, "datadog");
  }
  return {
    progressive: {
      controller: delivery.controller,
      traffic,
      analysed: refs.length > 0,
      secrets: [...secrets].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, provider]) => ({ name, provider })),
    },
  };
}

/** The merged `expose` with the origin of its host: the app's own layers are the only ones that set it. */
function exposedAt(
  expose: Exclude<Settings["expose"], undefined | false>,
  app: AppModel,
  environment: string,
  cluster: string,
): InstanceNeeds["exposed"] {
  if (expose.host === undefined) return undefined; // resolve reports it
  const layers: [Settings | undefined, (string | number)[]][] = [
    [own(app.clusterOverrides, cluster), ["clusters", cluster]],
    [own(app.environmentOverrides, environment), ["environments", environment]],
    [app.settings, []],
  ];
  const [, path] = layers.find(([settings]) => settings?.expose && settings.expose.host !== undefined) ?? [undefined, []];
  return {
    host: expose.host,
    path: expose.path ?? "/",
    tls: expose.tls ?? true,
    origin: childOrigin(app.origin, ...path, "expose", "host"),
  };
}

/**
 * The capabilities an instance waits for a component for: the operator that
 * turns its ExternalSecrets into Secrets, the controller that opens its
 * SealedSecrets. Not metrics-server: an autoscaler without metrics applies
 * and the workload runs; it only does not scale yet.
 */
export function neededCapabilities(needs: InstanceNeeds): Capability[] {
  const wanted: Capability[] = [];
  if (needs.providers.has("external-secrets")) wanted.push("external-secrets");
  if (needs.providers.has("sealed-secrets")) wanted.push("sealed-secrets");
  // A Rollout or Canary is refused until its controller's CRDs are there.
  if (needs.progressive) wanted.push(needs.progressive.controller);
  return wanted;
}

function pick(settings: Settings, kind: AppKind): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const key of KEYS) if (settings[key] !== undefined && kindTakes(kind, key)) picked[key] = settings[key];
  return picked;
}
