import { SluiceError } from "../../errors.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import type { AppModel, ClusterModel, Model } from "../../model/model.js";
import { childOrigin, type Origin } from "../../model/origin.js";
import type { ResolvedApp, ResolvedProbe, ResolvedSettings } from "../../model/resolved.js";
import type { ProbeSpec, Settings } from "../../model/settings-schema.js";
import { own } from "../../model/own.js";
import { imageReference } from "../../model/release.js";
import { mergeLayers, originOf, provenanceRecord, type Layer } from "./merge.js";
import { resolveSecrets } from "./secrets.js";
import { instanceInputs } from "./input.js";
import type { InstanceInput } from "../../model/instance-input.js";

const DEFAULT_TARGET_CPU = 80;

/**
 * One fully merged spec per (app, cluster) for every cluster whose wave has a
 * release of the app, in a stable order (app name, then cluster name);
 * `include` narrows it to the instances synth must render.
 */
export function resolve(
  root: string,
  model: Model,
  include: (app: AppModel, cluster: ClusterModel) => boolean = () => true,
): ResolvedApp[] {
  const inputOf = instanceInputs(root, model);
  const inputs = model.apps.flatMap((app) =>
    model.platform.clusters.flatMap((cluster) => (include(app, cluster) ? [inputOf(app, cluster)] : [])),
  );
  const { resolved, diagnostics } = resolveSome(inputs.filter((input) => input !== undefined));
  if (diagnostics.length > 0) throw resolveError(diagnostics);
  return resolved;
}

/**
 * As resolve, for these instances, from their inputs alone (see
 * instance-input.ts), returning what is wrong instead of throwing: for a
 * caller that resolves the fleet a part at a time.
 */
export function resolveSome(inputs: readonly InstanceInput[]): { resolved: ResolvedApp[]; diagnostics: Diagnostic[] } {
  const resolved: ResolvedApp[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const input of inputs) {
    const result = resolveOne(input);
    if ("diagnostics" in result) diagnostics.push(...result.diagnostics);
    else resolved.push(result.app);
  }
  return { resolved, diagnostics };
}

/** The error for what resolving found wrong: each mistake once, naming the clusters it was found on. */
export function resolveError(diagnostics: readonly Diagnostic[]): SluiceError {
  return new SluiceError("The stacks are invalid once merged; nothing was written.", diagnostics, dedupe);
}

function resolveOne(input: InstanceInput): { app: ResolvedApp } | { diagnostics: Diagnostic[] } {
  const { app, cluster, environment, wave, platform, release, fleet } = input;
  const layers: Layer[] = [
    { values: { replicas: 1 }, origin: platform.origin },
    { values: environment.settings, origin: environment.origin },
    { values: cluster.settings, origin: cluster.origin },
    { values: app.settings, origin: app.origin },
    { values: own(app.environmentOverrides, environment.name) ?? {}, origin: childOrigin(app.origin, "environments", environment.name) },
    { values: own(app.clusterOverrides, cluster.name) ?? {}, origin: childOrigin(app.origin, "clusters", cluster.name) },
  ];
  const { value, provenance } = mergeLayers(layers);
  const merged = value as Settings;
  const diagnostics: Diagnostic[] = [];
  const where = (path: string) => originOf(layers, provenance, path) ?? app.origin;
  const onCluster = ` on cluster ${cluster.name}`;

  let autoscaling: ResolvedSettings["autoscaling"];
  if (merged.autoscaling) {
    const { min, max, targetCPU = DEFAULT_TARGET_CPU } = merged.autoscaling;
    if (min === undefined || max === undefined) {
      diagnostics.push({
        code: "resolve/autoscaling-incomplete",
        message: `autoscaling needs both min and max${onCluster}`,
        origin: where("autoscaling"),
        hint: "write autoscaling: { min: 2, max: 10 }",
      });
    } else if (min > max) {
      diagnostics.push({
        code: "resolve/autoscaling-range",
        message: `autoscaling min (${min}) is above max (${max})${onCluster}`,
        origin: where("autoscaling.min"),
        hint: "make min at most max",
      });
    } else {
      autoscaling = { min, max, targetCPU };
    }
    // An autoscaler needs a CPU request to measure against: the hpa-cpu-request rule checks that.
    const replicasFrom = originOf(layers, provenance, "replicas");
    if (replicasFrom && isAppLayer(replicasFrom, app.origin)) {
      diagnostics.push({
        code: "resolve/replicas-and-autoscaling",
        message: `replicas is set while autoscaling is on${onCluster}; the autoscaler owns the replica count`,
        origin: replicasFrom,
        hint: "remove replicas here, or switch autoscaling off with autoscaling: false",
      });
    }
  }

  const ports = merged.ports ?? {};
  const probes: { -readonly [K in keyof ResolvedSettings["probes"]]: ResolvedProbe } = {};
  for (const kind of ["readiness", "liveness", "startup"] as const) {
    const probe: ProbeSpec | undefined = merged.probes?.[kind];
    if (!probe) continue;
    const at = where(`probes.${kind}`);
    if ((probe.http === undefined) === (probe.tcp === undefined)) {
      diagnostics.push({
        code: "resolve/probe-kind",
        message: `the ${kind} probe needs exactly one of http or tcp${onCluster}`,
        origin: at,
        hint: 'write { http: "/healthz" } or { tcp: true }',
      });
      continue;
    }
    const port = probe.port ?? Object.keys(ports)[0];
    if (port === undefined) {
      diagnostics.push({
        code: "resolve/probe-port",
        message: `the ${kind} probe has no port and the app declares none${onCluster}`,
        origin: at,
        hint: "declare ports: { http: 8080 } or give the probe a port",
      });
      continue;
    }
    if (typeof port === "string" && !Object.hasOwn(ports, port)) {
      diagnostics.push({
        code: "resolve/probe-port",
        message: `the ${kind} probe uses port ${JSON.stringify(port)}, which the app does not declare${onCluster}`,
        origin: where(`probes.${kind}.port`),
        hint: `use one of: ${Object.keys(ports).join(", ") || "(none declared)"}`,
      });
      continue;
    }
    probes[kind] = { ...probe, port };
  }
  app.callers.forEach((caller, index) => {
    for (const [position, port] of (caller.ports ?? []).entries()) {
      if (Object.hasOwn(ports, port)) continue;
      diagnostics.push({
        code: "resolve/caller-port",
        message: `a caller may use port ${JSON.stringify(port)}, which the app does not declare${onCluster}`,
        origin: childOrigin(app.origin, "callers", index, "ports", position),
        hint: `use one of: ${Object.keys(ports).join(", ") || "(none declared)"}`,
      });
    }
  });
  const secrets = resolveSecrets(
    merged,
    { app: app.name, team: app.team, namespace: app.namespace, cluster, platform, sopsFiles: input.sopsFiles },
    where,
  );
  if ("diagnostics" in secrets) diagnostics.push(...secrets.diagnostics);
  if (diagnostics.length > 0 || "diagnostics" in secrets) return { diagnostics };
  const { secrets: usedSecrets, ...environmentVariables } = secrets.value;

  const spec: ResolvedSettings = {
    ...(autoscaling ? { autoscaling } : { replicas: merged.replicas ?? 1 }),
    ports,
    ...environmentVariables,
    resources: merged.resources ?? {},
    probes,
    ...(merged.command ? { command: merged.command } : {}),
    ...(merged.args ? { args: merged.args } : {}),
  };
  if (autoscaling) provenance.delete("replicas");
  let record: Record<string, Origin> | undefined;
  return {
    app: {
      name: app.name,
      team: app.team,
      namespace: app.namespace,
      partOf: app.partOf,
      image: app.image,
      release,
      imageRef: imageReference(app.image, release),
      cluster,
      environment,
      wave,
      spec,
      // Built on first use: most instances are rendered without anyone asking.
      get provenance() {
        return (record ??= provenanceRecord(layers, provenance));
      },
      objects: app.objects,
      dependsOn: fleet.dependsOn,
      orderDepth: fleet.orderDepth,
      callers: app.callers.flatMap((caller) => {
        const ports = caller.ports ?? Object.keys(spec.ports);
        if (!("app" in caller)) return [{ namespace: caller.namespace, ports }];
        const namespace = own(fleet.callerNamespaces, caller.app);
        return namespace === undefined ? [] : [{ namespace, app: caller.app, ports }];
      }),
      secrets: usedSecrets,
      origin: app.origin,
      releaseOrigin: input.releaseOrigin,
    },
  };
}

/** True when the origin lies in the app's own declaration rather than in the platform. */
function isAppLayer(origin: Origin, appOrigin: Origin): boolean {
  return origin.file === appOrigin.file && origin.line === appOrigin.line;
}

/** A cluster's name where a message says which cluster it is about. */
const ON_CLUSTER = / on cluster ([a-z0-9](?:[-a-z0-9.]*[a-z0-9])?)/;

/**
 * One diagnostic per problem: an app on five clusters with the same mistake
 * is told once, naming the clusters, not five times.
 */
function dedupe(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const groups = new Map<string, { first: Diagnostic; clusters: string[] }>();
  for (const d of diagnostics) {
    const cluster = ON_CLUSTER.exec(d.message)?.[1];
    const key = `${d.code}|${d.origin?.file}:${d.origin?.line}|${d.message.replace(ON_CLUSTER, "")}`;
    const group = groups.get(key);
    if (!group) groups.set(key, { first: d, clusters: cluster ? [cluster] : [] });
    else if (cluster && !group.clusters.includes(cluster)) group.clusters.push(cluster);
  }
  return [...groups.values()].map(({ first, clusters }) =>
    clusters.length <= 1 ? first : { ...first, message: first.message.replace(ON_CLUSTER, ` on clusters ${clusters.sort().join(", ")}`) },
  );
}
