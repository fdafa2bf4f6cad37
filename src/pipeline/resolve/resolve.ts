import { SluiceError } from "../../errors.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import type { AppModel, ClusterModel, Model } from "../../model/model.js";
import { childOrigin, type Origin } from "../../model/origin.js";
import { kindTakes } from "../../model/app-kinds.js";
import type { ResolvedApp, ResolvedOwnedField, ResolvedSettings, ResolvedVolumeClaim } from "../../model/resolved.js";
import { topIdentity } from "../../model/placement-schema.js";
import type { Settings } from "../../model/settings-schema.js";
import { own } from "../../model/own.js";
import { imageReference } from "../../model/release.js";
import { mergeLayers, originOf, provenanceRecord, type Layer } from "./merge.js";
import { resolveContainers } from "./containers.js";
import { appMounts, filesProblems, mountProblems } from "./mounts.js";
import { podSecurityProblems } from "./pod-security.js";
import { resolveProbes } from "./probes.js";
import { resolveVolumes } from "./volumes.js";
import { resolveSecrets } from "./secrets.js";
import { instanceInputs } from "./input.js";
import { resolveExpose, trafficNamespace } from "./expose.js";
import { resolveOwnedFields } from "./owned-fields.js";
import { resolveProgressive } from "./progressive.js";
import { LONG_RUNNING_KINDS } from "../../model/rotation.js";
import type { InstanceInput } from "../../model/instance-input.js";

const DEFAULT_TARGET_CPU = 80;
/** The index of the app's own settings in resolveOne's layers. */
const APP_LAYER = 3;

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
  const kind = app.kind;
  const layers: Layer[] = [
    { values: kindTakes(kind, "replicas") ? { replicas: 1 } : {}, origin: platform.origin },
    { values: environment.settings, origin: environment.origin },
    { values: cluster.settings, origin: cluster.origin },
    { values: app.settings, origin: app.origin },
    { values: own(app.environmentOverrides, environment.name) ?? {}, origin: childOrigin(app.origin, "environments", environment.name) },
    { values: own(app.clusterOverrides, cluster.name) ?? {}, origin: childOrigin(app.origin, "clusters", cluster.name) },
  ];
  const { value, provenance } = mergeLayers(layers);
  // A platform's defaults apply to every kind: the settings of other kinds are not this app's.
  const foreign = Object.keys(value).filter((setting) => !kindTakes(kind, setting));
  const merged = (
    foreign.length === 0 ? value : Object.fromEntries(Object.entries(value).filter(([setting]) => kindTakes(kind, setting)))
  ) as Settings;
  if (foreign.length > 0)
    for (const path of provenance.keys())
      if (foreign.some((setting) => path === setting || path.startsWith(`${setting}.`))) provenance.delete(path);
  const diagnostics: Diagnostic[] = [];
  const where = (path: string) => originOf(layers, provenance, path) ?? app.origin;
  const onCluster = ` on cluster ${cluster.name}`;
  const imageRef = imageReference(app.image, release);

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
  const probes = resolveProbes(
    merged.probes,
    ports,
    { path: "probes", whose: `the ${kind === "service" ? "" : `${kind}'s `}`, portsWhose: "the ", declarer: "the app" },
    provenance,
    where,
    onCluster,
    diagnostics,
  );
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
  const exposed = resolveExpose(merged.expose, ports, cluster, where);
  diagnostics.push(...exposed.diagnostics);
  const planFrom = provenance.get("progressive");
  const progressive = resolveProgressive(
    merged.progressive,
    planFrom && {
      origin: childOrigin(layers[planFrom.layer]!.origin, ...planFrom.path),
      // The app's own declaration, not an override for an environment or cluster: production only.
      appLevel: planFrom.layer === APP_LAYER,
    },
    { app, cluster, production: environment.production, analyses: input.analyses, expose: exposed.expose, onCluster },
    diagnostics,
  );
  const volumeClaims: Record<string, ResolvedVolumeClaim> = {};
  for (const [name, claim] of Object.entries(merged.volumeClaims ?? {})) {
    const { size, mountPath, ...rest } = claim;
    if (size === undefined || mountPath === undefined) {
      diagnostics.push({
        code: "resolve/volume-claim-incomplete",
        message: `volume claim ${name} needs both size and mountPath${onCluster}`,
        origin: where(`volumeClaims.${name}`),
        hint: `write volumeClaims: { ${name}: { size: "10Gi", mountPath: "/var/lib/${name}" } }`,
      });
    } else volumeClaims[name] = { size, mountPath, ...rest };
  }
  const secrets = resolveSecrets(
    merged,
    { app: app.name, team: app.team, namespace: app.namespace, cluster, platform, sopsFiles: input.sopsFiles },
    where,
  );
  if ("diagnostics" in secrets) diagnostics.push(...secrets.diagnostics);
  if (diagnostics.length > 0 || "diagnostics" in secrets) return { diagnostics };
  const { secrets: usedSecrets, containerEnv, ...environmentVariables } = secrets.value;
  // A job's or cron job's next run reads the new value: only long-running pods keep an old one.
  if (environment.secretRotation === "files" && LONG_RUNNING_KINDS.has(kind)) {
    const asEnv = [
      ...Object.keys(environmentVariables.secretEnv).map((name) => `env.${name}`),
      ...(environmentVariables.envFrom.length > 0 ? ["envFrom"] : []),
    ];
    for (const path of asEnv)
      diagnostics.push({
        code: "resolve/secret-as-env",
        message: `${path === "envFrom" ? "envFrom reads secrets as environment variables" : `${path.slice(4)} reads a secret as an environment variable`}, but environment ${environment.name} has secretRotation "files": a rotated secret never reaches a running process's environment${onCluster}`,
        origin: where(path),
        hint: 'mount the secret with secretFiles: { "/etc/<app>/<secret>": secret("<name>") } and read it from the file, which the kubelet updates when the secret changes',
      });
    if (diagnostics.length > 0) return { diagnostics };
  }
  diagnostics.push(...mountProblems(appMounts(merged), where, onCluster), ...filesProblems(merged, where, onCluster));
  // The namespace's level, as namespaces.ts labels it: the team's, else the environment's.
  const level = platform.teams.find((team) => team.name === app.team)?.podSecurity ?? environment.podSecurity;
  diagnostics.push(...podSecurityProblems(merged.securityContext, { level, namespace: app.namespace, where, onCluster }));
  const volumes = resolveVolumes(merged, { app: app.name, provenance, where, onCluster }, diagnostics);
  const containers = resolveContainers(merged, { app: app.name, imageRef, ports, containerEnv, provenance, where, onCluster }, diagnostics);
  const ownedFields = resolveOwnedFields(
    merged.ownedFields,
    { cluster, customResources: platform.customResources, onCluster },
    where,
    diagnostics,
  );
  if (diagnostics.length > 0) return { diagnostics };

  const spec: ResolvedSettings = {
    ...(autoscaling ? { autoscaling } : kindTakes(kind, "replicas") ? { replicas: merged.replicas ?? 1 } : {}),
    ports,
    ...environmentVariables,
    files: merged.files ?? {},
    volumes,
    resources: merged.resources ?? {},
    probes,
    ...(merged.command ? { command: merged.command } : {}),
    ...(merged.args ? { args: merged.args } : {}),
    ...containers,
    ...kindSettings(merged, volumeClaims),
    ...(merged.placement ? { placement: merged.placement } : {}),
    ...(merged.securityContext ? { securityContext: merged.securityContext } : {}),
    ...(merged.identity ? { identity: topIdentity(layers.map((layer) => layer.values as Settings))! } : {}),
    ...(exposed.expose ? { expose: exposed.expose } : {}),
    ...(ownedFields ? { ownedFields: progressive?.controller === "argo-rollouts" ? onRollout(ownedFields, app.name) : ownedFields } : {}),
    ...(progressive ? { progressive } : {}),
  };
  if (autoscaling) provenance.delete("replicas");
  let record: Record<string, Origin> | undefined;
  return {
    app: {
      name: app.name,
      kind,
      team: app.team,
      namespace: app.namespace,
      partOf: app.partOf,
      image: app.image,
      release,
      imageRef,
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
      callers: [
        ...app.callers.flatMap((caller) => {
          const ports = caller.ports ?? Object.keys(spec.ports);
          if (!("app" in caller)) return [{ namespace: caller.namespace, ports }];
          const namespace = own(fleet.callerNamespaces, caller.app);
          return namespace === undefined ? [] : [{ namespace, app: caller.app, ports }];
        }),
        // What serves it from outside calls it on the exposed port.
        ...(spec.expose ? [{ namespace: trafficNamespace(spec.expose.via), ports: [spec.expose.port] }] : []),
      ],
      secrets: usedSecrets,
      origin: app.origin,
      releaseOrigin: input.releaseOrigin,
    },
  };
}

/**
 * Owned fields of the app's Deployment, on a cluster where Argo Rollouts
 * runs its pods from a Rollout instead: the same paths, on the Rollout (and,
 * for the whole kind, on the app's own other Deployments still).
 */
function onRollout(fields: readonly ResolvedOwnedField[], app: string): ResolvedOwnedField[] {
  return fields.flatMap((field) => {
    if (field.group !== "apps" || field.kind !== "Deployment" || (field.name !== undefined && field.name !== app)) return [field];
    const rollout = { ...field, group: "argoproj.io", kind: "Rollout", name: app };
    return field.name === undefined ? [field, rollout] : [rollout];
  });
}

/** The settings of one kind or another beyond the container's, as written once merged (validation took out the other kinds'). */
function kindSettings(merged: Settings, volumeClaims: Readonly<Record<string, ResolvedVolumeClaim>>): Partial<ResolvedSettings> {
  const { schedule, timeZone, concurrencyPolicy, historyLimits, suspend, activeDeadlineSeconds, backoffLimit, podManagementPolicy } =
    merged;
  const written = {
    schedule,
    timeZone,
    concurrencyPolicy,
    historyLimits,
    suspend,
    activeDeadlineSeconds,
    backoffLimit,
    podManagementPolicy,
  };
  return {
    ...Object.fromEntries(Object.entries(written).filter(([, value]) => value !== undefined)),
    ...(merged.volumeClaims ? { volumeClaims } : {}),
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
