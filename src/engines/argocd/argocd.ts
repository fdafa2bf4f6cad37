import { appDir, appObjectPath } from "../../model/layout.js";
import { instanceLabels, platformLabels } from "../../k8s/labels.js";
import { apiGroup, groupKind, type KubernetesObject } from "../../k8s/object.js";
import { argoName, spokesOf } from "../../model/hub.js";
import type { ClusterModel, PlatformModel, TeamModel } from "../../model/model.js";
import type { InstancePlatform } from "../../model/instance-input.js";
import { COMPONENTS_PROJECT, GUARD_KINDS, PLATFORM_PROJECT } from "../../model/names.js";
import type { RenderedObject } from "../../model/rendered.js";
import type { ResolvedApp } from "../../model/resolved.js";
import type { AdmissionBackend } from "../../policy/policy.js";
import type { ClusterInput, EngineRenderer } from "../engine.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import type { Origin } from "../../model/origin.js";
import type { PlatformInput } from "../../model/platform-schema.js";
import { componentsProject, renderComponents } from "./components.js";
import { teamApplicationSets } from "./application-sets.js";
import { ARGO_API, BEFORE_APPS, GENERATE_PATHS, IN_CLUSTER, destinationServer, renderSpoke, rootApplication, sourcePath } from "./hub.js";
import { subscriptionAnnotations } from "./notifications.js";
import { argoCdPrerequisites } from "./prerequisites.js";
import { teamRole } from "./project-roles.js";
import { ignoreDifferences } from "./ignore-differences.js";
import { syncPolicy } from "./sync-policy.js";
import { syncWindows } from "./sync-windows.js";
import type { ArgoAppProject, ArgoApplication } from "./types.js";

export { GENERATE_PATHS, sourcePath };

/**
 * A cluster runs its own Argo CD, which deploys into the cluster it runs on,
 * or is a spoke of a hub cluster's Argo CD, which deploys to its `server`
 * (hub.ts); a hub's AppProjects cover its own cluster and its spokes.
 */
const FINALIZER = "resources-finalizer.argocd.argoproj.io";
// The root runs in its own AppProject rather than Argo CD's built-in
// "default", which allows any repository, destination and kind: the root
// needs only the env repo, Namespaces, and Applications and AppProjects in
// Argo CD's namespace.

// GitOps objects the apps depend on are never pruned by a sync: an AppProject
// deleted together with its last Application leaves that Application stuck
// on its finalizer (Argo CD cannot delete resources in a project that is
// gone). Removing them is a person's decision (namespaces: see
// src/pipeline/render/namespaces.ts).
const KEEP_PROJECT = { "argocd.argoproj.io/sync-options": "Prune=false" };

/**
 * What one cluster's Argo CD watches besides the apps' Applications, under
 * clusters/<cluster>/: the root app-of-apps, its AppProject, and an AppProject
 * and the Namespaces of every team. Projects and namespaces exist for every
 * team on every cluster, whether or not the team runs an app there yet, so
 * they change only when the teams do and outlive the apps that use them.
 * Like every fleet-wide file they name the platform's stack as their only
 * source (see src/pipeline/render/docs.ts).
 */
function renderCluster({ platform, cluster, environment, admission, order, rootDir, gathered }: ClusterInput): RenderedObject[] {
  const components = (on: ClusterModel) => platform.components.filter((component) => component.clusters.includes(on.name));
  // "per-team": the apps' Applications, gathered from their instances, as an ApplicationSet per team.
  const appSets = perTeam(platform) ? teamApplicationSets(platform, cluster, gathered ?? [], (team) => team.origin) : [];
  if (cluster.managedBy) {
    // A spoke: its projects are its hub's (rendered with the hub's cluster).
    return [
      ...renderSpoke(platform, { ...cluster, managedBy: cluster.managedBy }, environment),
      ...appSets,
      ...renderComponents(platform, cluster, environment, components(cluster), order),
    ];
  }
  const dir = `clusters/${cluster.name}`;
  const platformFile = platform.origin.file;
  // The clusters this Argo CD deploys to: its own, and its spokes if it is a hub.
  const managed = [cluster, ...spokesOf(platform, cluster.name)];
  const rendered: RenderedObject[] = [
    {
      path: `${dir}/projects/${PLATFORM_PROJECT}.yaml`,
      object: platformProject(platform, admission, managed),
      origin: platform.origin,
      sources: [platformFile],
    },
    {
      path: `${dir}/root.yaml`,
      object: rootApplication(platform, cluster, environment, rootDir ?? dir),
      origin: cluster.origin,
      sources: [platformFile],
    },
  ];
  for (const team of platform.teams) {
    rendered.push({
      path: `${dir}/projects/${team.name}.yaml`,
      object: appProject(platform, team, managed),
      origin: team.origin,
      sources: [platformFile],
    });
  }
  const installed = managed.map((on) => ({ cluster: on, components: components(on) })).filter((on) => on.components.length > 0);
  if (installed.length > 0) {
    rendered.push({
      path: `${dir}/projects/${COMPONENTS_PROJECT}.yaml`,
      object: componentsProject(platform, installed),
      origin: platform.origin,
      sources: [platformFile],
    });
  }
  rendered.push(...appSets);
  rendered.push(...renderComponents(platform, cluster, environment, components(cluster), order));
  return rendered;
}

/** Whether the apps' Applications are made by an ApplicationSet per team (declaration.ts). */
function perTeam(platform: Pick<PlatformModel, "engineSettings">): boolean {
  return platform.engineSettings.argocd.applications === "per-team";
}

/** Argo CD: an app-of-apps per cluster, an Application per app instance, an AppProject per team. */
export const argoCd: EngineRenderer = {
  controllers: [
    { group: "argoproj.io", controller: "Argo CD", why: "the cluster's root, its AppProjects and every Application are Argo CD's kinds" },
  ],
  objectNoun: "an Argo CD object",
  // argoproj.io is also Argo Rollouts' and Workflows' group: only Argo CD's own kinds are GitOps objects.
  ownsKind: (group, kind) => group === "argoproj.io" && ["Application", "ApplicationSet", "AppProject"].includes(kind),
  deliveryKinds: ["Application", "ApplicationSet"],
  grantsByRbac: false,
  // Argo CD resolves a revision by name, branch or tag alike: nothing else it cannot deliver.
  platformProblems: applicationSetProblems,
  renderCluster,
  renderApp: (platform, app, sources) => ({
    path: appObjectPath(platform, app, app.cluster.name),
    object: application(platform, app),
    origin: app.origin,
    sources,
    // "per-team": the Application is an element of its team's ApplicationSet on the cluster.
    ...(perTeam(platform) ? { gathered: true } : {}),
  }),
  decryptsSops: false,
  // ignoreDifferences' managedFieldsManagers.
  ignoresByManager: true,
  prerequisites: argoCdPrerequisites,
  move: {
    bootstrap: (dir) =>
      `with Argo CD installed, \`kubectl apply -k ${dir}\`: its root, projects and Applications, none of them pruning or deleting in cascade`,
    // Since the adoption no Application carries the resources finalizer: deleting one leaves what it deployed.
    letGo: (cluster, namespace) =>
      `\`kubectl -n ${namespace} delete applications.argoproj.io -l sluice.dev/cluster=${cluster}\` (the root, the apps' and the components' Applications: none carries the resources finalizer since the adoption, so what they deployed stays), then the AppProjects, \`kubectl -n ${namespace} delete appprojects.argoproj.io -l app.kubernetes.io/managed-by=sluice\`, or uninstall Argo CD`,
  },
  beforeApps: BEFORE_APPS,
  // A pruned Namespace takes everything in it along.
  keepNamespace: { "argocd.argoproj.io/sync-options": "Prune=false,Delete=false" },
  componentNotes: {
    waiting: {
      caveat: `On Argo CD, "waited for by" holds when the root syncs the Applications in their sync waves: at the first install, or when an app or component is added. A later release bump changes only the app's manifest, which its Application syncs at once, whether or not what it waits for is ready.`,
    },
    ociChart: { caveat: "by its tag on Argo CD (the digest is recorded as `sluice.dev/chart-digest`, not enforced)" },
  },
  layout: (platform) => [
    `- \`clusters/<cluster>/root.yaml\` — on an Argo CD cluster: the app-of-apps root Application (Argo CD in \`${platform.engineSettings.argocd.namespace}\`), in the \`${PLATFORM_PROJECT}\` project.`,
    perTeam(platform)
      ? `- \`clusters/<cluster>/appsets/<team>.yaml\` — on an Argo CD cluster (\`argocd.applications: "per-team"\`): one ApplicationSet per team, whose list generator makes the Application of each of the team's apps on the cluster (Flux: \`clusters/<cluster>/apps/<app>.yaml\`, a Kustomization per app). Never pruned by a sync. Argo CD makes a team's Applications together: \`dependsOn\` between apps orders none of their syncs here.`
      : "- `clusters/<cluster>/apps/<app>.yaml` — one Argo CD Application per app on the cluster (Flux: a Kustomization).",
    "- `clusters/<cluster>/projects/<team>.yaml` — one AppProject per team (with a `team` role for its `groups`); `sluice-platform.yaml` is the root's, `sluice-components.yaml` the platform components'. Never pruned by a sync.",
    ...(platform.clusters.some((cluster) => cluster.managedBy)
      ? [
          "- `clusters/<hub>/spokes/<spoke>.yaml` — on a hub: the root Application `root-<spoke>` of each cluster its Argo CD manages, applied by the hub's own root, with the spoke's registration (an ExternalSecret) when its credentials are in a store. The hub's AppProjects cover its spokes.",
          "- `clusters/<spoke>/` — on a spoke (no Argo CD of its own; never bootstrapped by hand): its Applications, named `<app>-<spoke>` in the hub's Argo CD and deploying to the spoke's API server, and `spoke.yaml`, the Application `platform-<spoke>` that applies `clusters/<spoke>/spoke/` (its namespaces, admission policies and the platform's objects) to the spoke.",
        ]
      : []),
  ],
};

/**
 * "per-team" refuses an engine move on a cluster: while a cluster adopts
 * another engine both deploy every app from their own objects, which an
 * ApplicationSet would take back from the other; and letting Argo CD go
 * deletes Applications its ApplicationSets would make again.
 */
function applicationSetProblems(input: PlatformInput, at: (...path: (string | number)[]) => Origin): Diagnostic[] {
  if (input.argocd?.applications !== "per-team") return [];
  return Object.entries(input.clusters).flatMap(([name, cluster]) =>
    cluster.move && (cluster.move.from === "argocd" || (cluster.engine ?? input.engine) === "argocd")
      ? [
          {
            code: "validate/application-sets-move",
            message: `cluster ${name} moves between Argo CD and another engine while argocd.applications is "per-team"`,
            origin: at("clusters", name, "move"),
            hint: 'finish the move with argocd.applications "per-app", then set "per-team"',
          },
        ]
      : [],
  );
}

function application(platform: InstancePlatform, app: ResolvedApp): KubernetesObject {
  const { sync } = app.environment;
  // Fields other controllers own: the HPA's, Reloader's, the app's ownedFields (ignore-differences.ts).
  const ignored = ignoreDifferences(app);
  return {
    apiVersion: ARGO_API,
    kind: "Application",
    metadata: {
      name: argoName(app.name, app.cluster),
      namespace: platform.engineSettings.argocd.namespace,
      labels: instanceLabels(app),
      annotations: {
        // After what it depends on: the root syncs its child Applications wave by wave (on the root's sync only).
        ...(app.orderDepth > 0 ? { "argocd.argoproj.io/sync-wave": String(app.orderDepth) } : {}),
        // Only a commit that changes the app's own directory makes Argo CD
        // generate its manifests again; any other commit keeps the cached ones.
        [GENERATE_PATHS]: ".",
        // The team's notifications, on every one of its Applications.
        ...subscriptionAnnotations(platform.notify),
      },
      // Deleting the Application deletes what it deployed only where the
      // environment prunes; elsewhere the workload outlives it.
      ...(sync.prune ? { finalizers: [FINALIZER] } : {}),
    },
    spec: {
      project: app.team,
      source: {
        repoURL: platform.envRepo.url,
        targetRevision: app.environment.revision,
        path: sourcePath(platform, appDir(platform, app, app.cluster.name)),
      },
      destination: { server: destinationServer(app.cluster), namespace: app.namespace },
      // An object another Application already tracks (the root's guards in the namespace, another
      // app's) fails the sync instead of being taken over and fought over forever.
      syncPolicy: syncPolicy(sync, ["FailOnSharedResource=true", ...(ignored.length > 0 ? ["RespectIgnoreDifferences=true"] : [])]),
      ...(ignored.length > 0 ? { ignoreDifferences: ignored } : {}),
    },
  } satisfies ArgoApplication;
}

function appProject(platform: PlatformModel, teamModel: TeamModel, managed: readonly ClusterModel[]): KubernetesObject {
  const { name: team, owners, namespaces, clusterResources } = teamModel;
  // One cluster: its windows hold every Application of the project. A hub's project spans its spokes:
  // each cluster's windows hold the Applications that deploy to it (Argo CD matches a destination's server).
  const windows =
    managed.length === 1
      ? syncWindows(managed[0]!.freeze)
      : managed.flatMap((cluster) => syncWindows(cluster.freeze, { clusters: [destinationServer(cluster)] }));
  // The team's role covers each cluster's Applications: all of them in-cluster, a spoke's by their
  // "-<spoke>" suffix in a hub (a deny on a broader pattern wins, so production never gains rights).
  const roles = teamRole(
    teamModel,
    managed.map((cluster) => ({
      objects: cluster.managedBy ? argoName("*", cluster) : "*",
      production: platform.environments.find((e) => e.name === cluster.environment)!.production,
    })),
    platform.access,
  );
  return {
    apiVersion: ARGO_API,
    kind: "AppProject",
    metadata: {
      name: team,
      namespace: platform.engineSettings.argocd.namespace,
      labels: { ...platformLabels(team, PLATFORM_PROJECT), "sluice.dev/team": team },
      annotations: { ...BEFORE_APPS, ...KEEP_PROJECT },
    },
    spec: {
      description: `Team ${team} (${owners.join(", ")}). Namespaced resources only, in the team's namespaces.`,
      sourceRepos: [platform.envRepo.url],
      destinations: managed.flatMap((cluster) => namespaces.map((namespace) => ({ server: destinationServer(cluster), namespace }))),
      // Only the cluster-scoped kinds the platform granted the team (teams.<team>.clusterResources):
      // without a clusterResourceWhitelist Argo CD refuses every one.
      ...(clusterResources.length > 0 ? { clusterResourceWhitelist: clusterResources.map(groupKind) } : {}),
      // The namespace's guards are the platform's, applied by the root: validate refuses them in a
      // team's objects, and Argo CD refuses them here too, whatever reaches the env repo.
      namespaceResourceBlacklist: GUARD_KINDS.map((guard) => ({ ...guard })),
      // Each cluster's freeze windows (its environment's and its own) deny the team's syncs there.
      ...(windows.length > 0 ? { syncWindows: windows } : {}),
      // The team's SSO groups see, sync and read the logs of the team's Applications (project-roles.ts).
      ...(roles.length > 0 ? { roles } : {}),
    },
  } satisfies ArgoAppProject;
}

/** The cluster-scoped kinds the root applies: Namespaces, and the admission policies of the platform's engine. */
const ADMISSION_KINDS: Readonly<Record<AdmissionBackend, readonly { group: string; kind: string }[]>> = {
  none: [],
  kubernetes: [
    { group: "admissionregistration.k8s.io", kind: "ValidatingAdmissionPolicy" },
    { group: "admissionregistration.k8s.io", kind: "ValidatingAdmissionPolicyBinding" },
  ],
  kyverno: [{ group: "policies.kyverno.io", kind: "ValidatingPolicy" }],
};

/** The kinds of the platform's own objects of one scope, each once, for the root's project. */
function platformKinds(platform: PlatformModel, scope: "Namespaced" | "Cluster"): { group: string; kind: string }[] {
  const kinds = platform.objects.filter((o) => o.scope === scope).map(({ object }) => `${apiGroup(object.apiVersion)}/${object.kind}`);
  return unique(kinds).map((id) => ({ group: id.slice(0, id.indexOf("/")), kind: id.slice(id.indexOf("/") + 1) }));
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

function platformProject(platform: PlatformModel, admission: AdmissionBackend, managed: readonly ClusterModel[]): KubernetesObject {
  const platformNamespaces = unique(
    platform.objects.flatMap(({ object }) => (object.metadata.namespace ? [object.metadata.namespace] : [])),
  );
  const registrations = managed.some((cluster) => cluster.managedBy && "key" in cluster.managedBy.credentials);
  return {
    apiVersion: ARGO_API,
    kind: "AppProject",
    metadata: {
      name: PLATFORM_PROJECT,
      namespace: platform.engineSettings.argocd.namespace,
      labels: platformLabels(PLATFORM_PROJECT, PLATFORM_PROJECT),
      annotations: { ...BEFORE_APPS, ...KEEP_PROJECT },
    },
    spec: {
      description:
        "The cluster's root app-of-apps: Applications and AppProjects, the teams' guarded Namespaces and admission policies from the env repo, nothing else.",
      sourceRepos: [platform.envRepo.url],
      destinations: [
        { server: IN_CLUSTER, namespace: platform.engineSettings.argocd.namespace },
        ...managed.flatMap((cluster) =>
          [
            // A spoke's objects Application (hub.ts) names Argo CD's namespace as its default, as the root does.
            ...(cluster.managedBy ? [platform.engineSettings.argocd.namespace] : []),
            ...platform.teams.flatMap((team) => team.namespaces),
            ...platformNamespaces,
          ].map((namespace) => ({
            server: destinationServer(cluster),
            namespace,
          })),
        ),
      ],
      clusterResourceWhitelist: [{ group: "", kind: "Namespace" }, ...ADMISSION_KINDS[admission], ...platformKinds(platform, "Cluster")],
      namespaceResourceWhitelist: [
        { group: "argoproj.io", kind: "Application" },
        { group: "argoproj.io", kind: "AppProject" },
        // The teams' ApplicationSets ("per-team"), and those that open preview environments on this Argo CD's clusters (render/previews.ts).
        ...(perTeam(platform) || managed.some((c) => platform.previews?.clusters.includes(c.name))
          ? [{ group: "argoproj.io", kind: "ApplicationSet" }]
          : []),
        // A spoke's registration Secret, from its credentials in a store (hub.ts).
        ...(registrations ? [{ group: "external-secrets.io", kind: "ExternalSecret" }] : []),
        { group: "", kind: "LimitRange" },
        { group: "", kind: "ResourceQuota" },
        { group: "networking.k8s.io", kind: "NetworkPolicy" },
        ...platformKinds(platform, "Namespaced"),
      ],
    },
  } satisfies ArgoAppProject;
}
