import { declaredEngine } from "../../model/hub.js";
import { teamAccessOf } from "../../model/access-schema.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import type { ClusterModel, Exposure, PlatformModel, TeamModel, WaveModel } from "../../model/model.js";
import { own } from "../../model/own.js";
import { COMPONENTS_PROJECT, PLATFORM_PROJECT, reservedNamespace } from "../../model/names.js";
import { childOrigin, type Origin } from "../../model/origin.js";
import { platformSchema, type PlatformInput } from "../../model/platform-schema.js";
import type { Settings } from "../../model/settings-schema.js";
import { zodDiagnostics } from "./zod-issues.js";
import { hubProblems, managedByOf } from "./hubs.js";
import { moveOf, moveProblems } from "./moves.js";
import { chartCapabilities } from "../../model/capabilities.js";
import { ENGINE_LIST } from "../../engines/index.js";
import { settingsOf } from "../../engines/declaration.js";
import { ENGINE_DECLARATIONS, engineSettingsIn, type EngineSettings } from "../../model/engine-names.js";
import { gitOpsKind, scopeOf } from "./objects.js";
import type { KubernetesObject } from "../../k8s/object.js";
import { KUBERNETES_VERSION } from "../../k8s/builtin-kinds.js";
import { pluralOf, scopeInGroup, type CustomResources } from "../../k8s/kinds.js";
import { groupKind } from "../../k8s/object.js";
import { DEFAULT_REQUIRED_LABELS } from "../../policy/policy.js";
import { DEFAULT_STORE_KEYS } from "../../secrets/store-keys.js";
import { ungrantableReason } from "../../model/ungrantable.js";
import { BUILT_IN_BLUEPRINTS } from "../../model/blueprint-names.js";
import { freezeWindow } from "../../model/freeze-schema.js";
import { channelsOf, notificationProblems, subscriptionsOf } from "./notifications.js";
import { analysesOf, progressiveDeliveryOf, progressiveProblems, progressiveResources } from "./progressive.js";
import { previewProblems, previewsOf } from "./previews.js";

const SYNC_DEFAULTS = { automated: true, prune: false, selfHeal: true } as const;

/**
 * Checks the platform against its schema and its own cross-references:
 * every cluster names a declared environment and sits in exactly one wave,
 * wave names are unique, no namespace belongs to two teams.
 */
export function validatePlatform(spec: unknown, origin: Origin): { platform?: PlatformModel; diagnostics: Diagnostic[] } {
  const parsed = platformSchema.safeParse(spec);
  if (!parsed.success) return { diagnostics: zodDiagnostics(parsed.error, origin).map((d) => exposeInPlatform(d) ?? d) };
  const input: PlatformInput = parsed.data;
  const engineSettings = engineSettingsIn(parsed.data);
  const diagnostics: Diagnostic[] = [];
  const at = (...path: (string | number)[]) => childOrigin(origin, ...path);

  const environmentNames = new Set(Object.keys(input.environments));
  const clusterNames = Object.keys(input.clusters);

  for (const [name, cluster] of Object.entries(input.clusters)) {
    if (!environmentNames.has(cluster.environment)) {
      diagnostics.push({
        code: "validate/unknown-environment",
        message: `cluster ${name} names environment ${JSON.stringify(cluster.environment)}, which is not declared`,
        origin: at("clusters", name, "environment"),
        hint: `use one of: ${[...environmentNames].sort().join(", ")}`,
      });
    }
  }

  const waveOf = new Map<string, string>();
  const waveNames = new Set<string>();
  input.waves.forEach((wave, index) => {
    if (waveNames.has(wave.name)) {
      diagnostics.push({
        code: "validate/duplicate-wave",
        message: `wave ${JSON.stringify(wave.name)} is declared twice`,
        origin: at("waves", index, "name"),
        hint: "give every wave its own name",
      });
    }
    waveNames.add(wave.name);
    wave.clusters.forEach((cluster, position) => {
      if (!Object.hasOwn(input.clusters, cluster)) {
        diagnostics.push({
          code: "validate/unknown-cluster",
          message: `wave ${wave.name} names cluster ${JSON.stringify(cluster)}, which is not declared`,
          origin: at("waves", index, "clusters", position),
          hint: `declare it under clusters, or use one of: ${clusterNames.sort().join(", ")}`,
        });
      } else if (waveOf.has(cluster)) {
        diagnostics.push({
          code: "validate/cluster-in-two-waves",
          message: `cluster ${cluster} is in wave ${waveOf.get(cluster)} and again in wave ${wave.name}`,
          origin: at("waves", index, "clusters", position),
          hint: "every cluster belongs to exactly one wave; remove it from one of them",
        });
      } else {
        waveOf.set(cluster, wave.name);
      }
    });
  });
  for (const cluster of clusterNames) {
    if (!waveOf.has(cluster)) {
      diagnostics.push({
        code: "validate/cluster-in-no-wave",
        message: `cluster ${cluster} is in no wave, so no release would ever reach it`,
        origin: at("clusters", cluster),
        hint: "add it to the clusters of one wave",
      });
    }
  }

  if (Object.hasOwn(input.teams, COMPONENTS_PROJECT)) {
    diagnostics.push({
      code: "validate/reserved-team",
      message: `team name ${COMPONENTS_PROJECT} is reserved for the AppProject of the platform components`,
      origin: at("teams", COMPONENTS_PROJECT),
      hint: "give the team another name",
    });
  }
  if (Object.hasOwn(input.teams, PLATFORM_PROJECT)) {
    diagnostics.push({
      code: "validate/reserved-team",
      message: `team name ${PLATFORM_PROJECT} is reserved for the AppProject of each cluster's root app-of-apps`,
      origin: at("teams", PLATFORM_PROJECT),
      hint: "give the team another name",
    });
  }
  const engines = new Set<string | undefined>([
    input.engine,
    ...Object.values(input.clusters).flatMap((c) => [declaredEngine(c, input.engine), ...(c.move ? [c.move.from] : [])]),
  ]);
  const engineNamespaces = ENGINE_DECLARATIONS.filter((engine) => engines.has(engine.name)).map((engine) =>
    engine.namespace(settingsOf(engine, { engineSettings })),
  );
  const namespaceOwner = new Map<string, string>();
  for (const [team, { namespaces }] of Object.entries(input.teams)) {
    namespaces.forEach((namespace, position) => {
      const reserved = engineNamespaces.map((engineNamespace) => reservedNamespace(namespace, engineNamespace)).find(Boolean);
      if (reserved) {
        diagnostics.push({
          code: "validate/reserved-namespace",
          message: `team ${team} lists namespace ${namespace}, which ${reserved}`,
          origin: at("teams", team, "namespaces", position),
          hint: "give the team a namespace of its own; the platform owns the engine's and the system namespaces",
        });
      }
      const owner = namespaceOwner.get(namespace);
      if (owner !== undefined && owner !== team) {
        diagnostics.push({
          code: "validate/shared-namespace",
          message: `namespace ${namespace} belongs to team ${owner} and to team ${team}`,
          origin: at("teams", team, "namespaces", position),
          hint: "a namespace has one owning team; give each team its own",
        });
      }
      namespaceOwner.set(namespace, team);
    });
  }
  (input.releases?.allowTags ?? []).forEach((rule, index) => {
    (rule.environments ?? []).forEach((environment, position) => {
      if (environmentNames.has(environment)) return;
      diagnostics.push({
        code: "validate/unknown-environment",
        message: `releases.allowTags[${index}] names environment ${JSON.stringify(environment)}, which is not declared`,
        origin: at("releases", "allowTags", index, "environments", position),
        hint: `use one of: ${[...environmentNames].sort().join(", ")}`,
      });
    });
  });
  for (const engine of ENGINE_LIST) diagnostics.push(...engine.platformProblems(input, at));
  diagnostics.push(...hubProblems(input, at));
  diagnostics.push(...moveProblems(input, at));
  const objectScopes: ("Namespaced" | "Cluster")[] = [];
  (input.objects ?? []).forEach((object, index) => {
    const where = `${object.kind} ${object.metadata.name}`;
    const gitOps = gitOpsKind(object.apiVersion, object.kind);
    const scope = scopeOf({ customResources: customResourcesOf(input) }, object.apiVersion, object.kind);
    objectScopes.push(scope ?? "Cluster");
    if (gitOps) {
      diagnostics.push({
        code: "validate/gitops-object",
        message: `${where} is ${gitOps}; sluice generates the GitOps objects`,
        origin: at("objects", index, "kind"),
        hint: "declare apps, components and clusters instead",
      });
    } else if (!scope) {
      diagnostics.push({
        code: "validate/unknown-kind",
        message: `${where}: ${object.apiVersion} ${object.kind} is neither a Kubernetes kind nor a declared custom resource`,
        origin: at("objects", index, "kind"),
        hint: `declare it in customResources: { ${JSON.stringify(object.apiVersion)}: { ${object.kind}: "Cluster" } }`,
      });
    } else if (scope === "Namespaced" && object.metadata.namespace === undefined) {
      diagnostics.push({
        code: "validate/object-namespace",
        message: `${where} is namespaced but names no namespace`,
        origin: at("objects", index, "metadata"),
        hint: "give it metadata.namespace: one that no team owns",
      });
    } else if (scope === "Cluster" && object.metadata.namespace !== undefined) {
      diagnostics.push({
        code: "validate/object-namespace",
        message: `${where} is cluster-scoped, so it has no namespace`,
        origin: at("objects", index, "metadata", "namespace"),
        hint: "remove metadata.namespace",
      });
    } else if (object.metadata.namespace !== undefined && namespaceOwner.has(object.metadata.namespace)) {
      diagnostics.push({
        code: "validate/object-namespace",
        message: `${where} is in namespace ${object.metadata.namespace}, which belongs to team ${namespaceOwner.get(object.metadata.namespace)}`,
        origin: at("objects", index, "metadata", "namespace"),
        hint: "a team's namespace is the team's: add the object to one of its apps, or put it in a namespace of the platform's",
      });
    }
  });
  for (const [name, component] of Object.entries(input.components ?? {})) {
    // The admission policies are applied with the cluster's root, before any component: in
    // Kyverno form their kind comes from Kyverno's CRDs, so the root would wait forever for a
    // component that only it can create.
    if (input.policy?.admission === "kyverno" && (component.provides ?? chartCapabilities(component.chart)).includes("kyverno")) {
      diagnostics.push({
        code: "validate/component-bootstrap",
        message: `component ${name} installs Kyverno, but with policy.admission "kyverno" the clusters' admission policies are Kyverno objects that the root applies before any component, so the root could never apply them`,
        origin: at("components", name),
        hint: 'install Kyverno with the cluster (before pointing it at the env repo) and remove this component, or keep it and use policy.admission: "kubernetes"',
      });
    }
    const owner = namespaceOwner.get(component.namespace);
    if (owner !== undefined) {
      diagnostics.push({
        code: "validate/component-namespace",
        message: `component ${name} installs into namespace ${component.namespace}, which belongs to team ${owner}`,
        origin: at("components", name, "namespace"),
        hint: "install cluster add-ons into a namespace of their own; a team's namespace is the team's",
      });
    }
    (component.clusters ?? []).forEach((cluster, position) => {
      if (Object.hasOwn(input.clusters, cluster)) return;
      diagnostics.push({
        code: "validate/unknown-cluster",
        message: `component ${name} names cluster ${JSON.stringify(cluster)}, which is not declared`,
        origin: at("components", name, "clusters", position),
        hint: `use one of: ${clusterNames.sort().join(", ")}`,
      });
    });
    for (const environment of Object.keys(component.environments ?? {})) {
      if (environmentNames.has(environment)) continue;
      diagnostics.push({
        code: "validate/unknown-environment",
        message: `component ${name} has values for environment ${JSON.stringify(environment)}, which is not declared`,
        origin: at("components", name, "environments", environment),
        hint: `use one of: ${[...environmentNames].sort().join(", ")}`,
      });
    }
  }
  // Flux grants a kind through an RBAC rule, which names its plural; Argo CD's project names group and kind.
  const rbacGrants = ENGINE_LIST.some((engine) => engine.grantsByRbac && engines.has(engine.name));
  for (const [team, { clusterResources }] of Object.entries(input.teams)) {
    (clusterResources ?? []).forEach((written, index) => {
      const problem = grantProblem(written, customResourcesOf(input), rbacGrants);
      if (problem)
        diagnostics.push({ code: "validate/cluster-resource", origin: at("teams", team, "clusterResources", index), ...problem });
    });
  }
  // One key per team: a key two teams list would let each decrypt the other's SOPS files.
  const recipientOwner = new Map<string, string>();
  for (const [team, { sopsRecipients }] of Object.entries(input.teams)) {
    (sopsRecipients ?? []).forEach((key, index) => {
      const owner = recipientOwner.get(key);
      if (owner !== undefined && owner !== team) {
        diagnostics.push({
          code: "validate/shared-sops-key",
          message: `team ${team} lists the SOPS key of team ${owner}: each could decrypt the other's files`,
          origin: at("teams", team, "sopsRecipients", index),
          hint: "give each team an age key of its own (age-keygen), in its own decryption Secret",
        });
      }
      recipientOwner.set(key, team);
    });
  }
  for (const name of Object.keys(input.blueprints ?? {})) {
    if ((BUILT_IN_BLUEPRINTS as readonly string[]).includes(name)) {
      diagnostics.push({
        code: "validate/built-in-blueprint",
        message: `blueprint ${JSON.stringify(name)} is built into sluice`,
        origin: at("blueprints", name),
        hint: "register yours under a name of its own (it may wrap the built-in one, from sluice/blueprints)",
      });
    }
  }
  diagnostics.push(...notificationProblems(input, at), ...progressiveProblems(input, at), ...previewProblems(input, at));
  if (diagnostics.length > 0) return { diagnostics };

  return { platform: toModel(input, engineSettings, origin, waveOf, objectScopes), diagnostics };
}

function toModel(
  input: PlatformInput,
  engineSettings: EngineSettings,
  origin: Origin,
  waveOf: Map<string, string>,
  objectScopes: readonly ("Namespaced" | "Cluster")[],
): PlatformModel {
  const at = (...path: (string | number)[]) => childOrigin(origin, ...path);
  const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const settingsOf = ({
    sync: _sync,
    revision: _revision,
    production: _production,
    environment: _env,
    server: _server,
    labels: _labels,
    podSecurity: _podSecurity,
    quota: _quota,
    engine: _engine,
    exposure: _exposure,
    secretRotation: _secretRotation,
    managedBy: _managedBy,
    move: _move,
    freeze: _freeze,
    progressiveDelivery: _progressiveDelivery,
    ...settings
  }: Record<string, unknown>) => settings as Settings;
  const exposureAt = (spec: PlatformInput["clusters"][string]["exposure"], ...path: string[]): Exposure | undefined =>
    spec && { ...spec, origin: at(...path, "exposure") };
  const freezeOf = (kind: "environment" | "cluster", name: string) =>
    (kind === "environment" ? own(input.environments, name) : own(input.clusters, name))?.freeze?.map((window, index) =>
      freezeWindow(window, { kind, name }, at(`${kind}s`, name, "freeze", index)),
    ) ?? [];

  const progressiveOf = (name: string) => {
    const progressiveDelivery = progressiveDeliveryOf(input, name, at);
    return progressiveDelivery ? { progressiveDelivery } : {};
  };
  const clusters: ClusterModel[] = Object.entries(input.clusters).map(([name, cluster]) => {
    const exposure =
      exposureAt(cluster.exposure, "clusters", name) ??
      exposureAt(own(input.environments, cluster.environment)?.exposure, "environments", cluster.environment);
    return {
      name,
      environment: cluster.environment,
      // While adopting, the old engine's objects are still the cluster's own.
      engine: cluster.move?.step === "adopt" ? cluster.move.from : declaredEngine(cluster, input.engine),
      server: cluster.server,
      labels: { ...(cluster.labels ?? {}) },
      wave: waveOf.get(name)!,
      settings: settingsOf(cluster),
      ...(exposure ? { exposure } : {}),
      ...(cluster.managedBy ? { managedBy: managedByOf(input, name, at)! } : {}),
      ...(cluster.move ? { move: moveOf(input, name, at)! } : {}),
      freeze: [...freezeOf("environment", cluster.environment), ...freezeOf("cluster", name)],
      ...progressiveOf(name),
      origin: at("clusters", name),
    };
  });
  const waves: WaveModel[] = input.waves.map((wave, index) => ({
    name: wave.name,
    index,
    clusters: [...wave.clusters].sort(),
    gate: {
      ...(wave.gate?.soak ? { soak: wave.gate.soak } : {}),
      approvers: [...(wave.gate?.approvers ?? [])],
      ...(wave.gate?.analyses ? { analyses: true } : {}),
    },
    origin: at("waves", index),
  }));
  const channels = channelsOf(input, at);
  const teams: TeamModel[] = Object.entries(input.teams).map(([name, team]) => ({
    name,
    owners: [...team.owners],
    namespaces: [...team.namespaces],
    groups: [...new Set(team.groups ?? [])].sort(),
    ...(team.quota ? { quota: team.quota } : {}),
    ...(team.podSecurity ? { podSecurity: team.podSecurity } : {}),
    clusterResources: [...new Set(team.clusterResources ?? [])].sort(),
    sopsRecipients: [...new Set(team.sopsRecipients ?? [])].sort(),
    notify: subscriptionsOf(input, name, channels, at),
    origin: at("teams", name),
  }));
  return {
    origin,
    envRepo: {
      url: input.envRepo.url,
      revision: input.envRepo.revision ?? "main",
      path: input.envRepo.path ?? "",
      layout: input.envRepo.layout ?? "flat",
    },
    engine: input.engine,
    engineSettings,
    components: Object.entries(input.components ?? {})
      .map(([name, component]) => ({
        name,
        chart: component.chart,
        namespace: component.namespace,
        values: component.values ?? {},
        environmentValues: Object.fromEntries(Object.entries(component.environments ?? {}).map(([env, { values }]) => [env, values])),
        clusters: [...(component.clusters ?? Object.keys(input.clusters))].sort(),
        dependsOn: [...(component.dependsOn ?? [])],
        provides: [...new Set(component.provides ?? chartCapabilities(component.chart))].sort(),
        origin: at("components", name),
      }))
      .sort(byName),
    owners: [...input.owners],
    ...(input.stacksCodeowners !== undefined ? { stacksCodeowners: input.stacksCodeowners } : {}),
    environments: Object.entries(input.environments)
      .map(([name, environment]) => {
        const production = environment.production ?? /^prod/.test(name);
        return {
          name,
          settings: settingsOf(environment),
          sync: { ...SYNC_DEFAULTS, ...environment.sync },
          revision: environment.revision ?? input.envRepo.revision ?? "main",
          production,
          podSecurity: environment.podSecurity ?? (production ? "restricted" : "baseline"),
          ...(environment.quota ? { quota: environment.quota } : {}),
          ...(environment.exposure ? { exposure: exposureAt(environment.exposure, "environments", name)! } : {}),
          ...(environment.secretRotation ? { secretRotation: environment.secretRotation } : {}),
          freeze: freezeOf("environment", name),
          origin: at("environments", name),
        };
      })
      .sort(byName),
    clusters: clusters.sort(byName),
    waves,
    teams: teams.sort(byName),
    access: teamAccessOf(input.access),
    stackEnv: [...new Set(input.stackEnv ?? [])].sort(),
    customResources: progressiveResources(input, customResourcesOf(input)),
    analyses: analysesOf(input, at),
    ...(input.previews ? { previews: previewsOf(input, at)! } : {}),
    secrets: {
      stores: Object.fromEntries(
        Object.entries(input.secretStores ?? {}).map(([name, store]) => [
          name,
          {
            kind: store.kind,
            keys: store.keys === undefined ? [...DEFAULT_STORE_KEYS] : typeof store.keys === "string" ? [store.keys] : [...store.keys],
          },
        ]),
      ),
      refreshInterval: input.secretRefreshInterval ?? "1h",
      allowSecrets: input.allowSecrets ?? {},
      allowLiterals: input.allowLiterals ?? {},
    },
    channels,
    allowTags: (input.releases?.allowTags ?? []).map((rule) => ({ ...rule })),
    objects: (input.objects ?? []).map((object, index) => ({
      object: object as KubernetesObject,
      origin: at("objects", index),
      scope: objectScopes[index]!,
    })),
    policy: {
      admission: input.policy?.admission ?? "kubernetes",
      registries: [...(input.policy?.registries ?? [])],
      requiredLabels: [...(input.policy?.requiredLabels ?? DEFAULT_REQUIRED_LABELS)],
      ...(input.policy?.progressiveAbove !== undefined ? { progressiveAbove: input.policy.progressiveAbove } : {}),
      override: input.policy?.severity ?? {},
      rules: [...(input.policy?.rules ?? [])],
    },
    blueprints: { ...input.blueprints },
  };
}

/** The declared custom resources, each as { scope, plural? } whichever way it was written. */
function customResourcesOf(input: Pick<PlatformInput, "customResources">): CustomResources {
  return Object.fromEntries(
    Object.entries(input.customResources ?? {}).map(([apiVersion, kinds]) => [
      apiVersion,
      Object.fromEntries(
        Object.entries(kinds).map(([kind, declared]) => [kind, typeof declared === "string" ? { scope: declared } : declared]),
      ),
    ]),
  );
}

/**
 * Why a team's grant of a cluster-scoped kind cannot be given, or undefined:
 * the kind must exist, be cluster-scoped (a namespaced kind needs no grant,
 * and granting it would only add a useless rule), not be one that gives the
 * team the cluster (RBAC, admission, API and CRD kinds: see ungrantable.ts), and, where a Flux cluster
 * grants it by an RBAC rule, have a known plural.
 */
function grantProblem(written: string, custom: CustomResources, rbac: boolean): { message: string; hint: string } | undefined {
  const { group, kind } = groupKind(written);
  const scope = scopeInGroup(group, kind, custom);
  if (scope === undefined) {
    return {
      message: `${JSON.stringify(written)} is neither a Kubernetes ${KUBERNETES_VERSION} kind nor a declared custom resource`,
      hint:
        group === "" || group.endsWith(".k8s.io")
          ? 'write "<group>/<Kind>" as Kubernetes serves it, e.g. "scheduling.k8s.io/PriorityClass"'
          : "declare it in customResources with its scope and plural",
    };
  }
  if (scope === "Namespaced")
    return { message: `${written} is namespaced: a team may add it to its apps without a grant`, hint: "remove it from clusterResources" };
  const escalates = ungrantableReason(group, kind);
  if (escalates) {
    return {
      message: `${written} cannot be granted to a team: the kind ${escalates}`,
      hint: "add what the team needs to the platform's own objects, which the platform owners review (platform objects), and remove it from clusterResources",
    };
  }
  if (rbac && pluralOf(group, kind, custom) === undefined) {
    return {
      message: `${written} is a custom resource whose plural is not declared, so the Flux tenant's RBAC rule cannot name it`,
      hint: `declare it as { scope: "Cluster", plural: "<its CRD's spec.names.plural>" } in customResources`,
    };
  }
  return undefined;
}

/**
 * `expose` in an environment or cluster: not a misspelling but a setting in
 * the wrong place. A host is one app's on a cluster, so a platform default
 * would give every service the same one.
 */
function exposeInPlatform(diagnostic: Diagnostic): Diagnostic | undefined {
  const path = diagnostic.origin?.path ?? [];
  const [layer, name, key] = path.slice(-3);
  if (diagnostic.code !== "validate/unknown-property" || key !== "expose" || path.length !== 3) return undefined;
  if (layer !== "environments" && layer !== "clusters") return undefined;
  return {
    ...diagnostic,
    code: "validate/expose-in-platform",
    message: `${layer === "clusters" ? "cluster" : "environment"} ${String(name)} sets expose, which is an app's own setting: the host it serves`,
    hint: `say what serves traffic there with ${layer}.${String(name)}.exposure, and let each app set expose (per environment with its own environments: { <env>: { expose: { host } } })`,
  };
}
