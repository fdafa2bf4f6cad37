import { appDir, appObjectPath } from "../../model/layout.js";
import { instanceLabels, platformLabels } from "../../k8s/labels.js";
import type { KubernetesObject } from "../../k8s/object.js";
import type { InstancePlatform } from "../../model/instance-input.js";
import { PLATFORM_PROJECT } from "../../model/names.js";
import type { RenderedObject } from "../../model/rendered.js";
import type { ResolvedApp } from "../../model/resolved.js";
import type { ClusterInput, EngineRenderer } from "../engine.js";
import { renderFluxComponents } from "./components.js";
import { fluxPrerequisites } from "./prerequisites.js";
import { renderNotifications } from "./notifications.js";
import { CONTROLLER_ACCOUNT, ENV_REPO, INTERVAL, KUSTOMIZE_API, RETRY_INTERVAL, TIMEOUT, envRepoSource, repoPath } from "./source.js";
import { fluxRevisions } from "./revisions.js";
import { driftIgnore } from "./drift-ignore.js";
import { homeNamespace, renderTenants, tenantAccount } from "./tenancy.js";
import type { FluxKustomization } from "./types.js";

/**
 * A Flux cluster's own objects: the root (the env repo as a GitRepository
 * and a Kustomization of clusters/<cluster>, pruned, run by the controller's
 * own account), each team's tenancy, and the platform components.
 */
function renderCluster({ platform, cluster, environment, order, apps, rootDir, adopting }: ClusterInput): RenderedObject[] {
  const labels = {
    ...platformLabels("root", PLATFORM_PROJECT),
    "sluice.dev/cluster": cluster.name,
    "sluice.dev/environment": cluster.environment,
  };
  const namespace = platform.engineSettings.flux.namespace;
  const root: KubernetesObject[] = [
    envRepoSource(platform, namespace, environment.revision, labels),
    {
      apiVersion: KUSTOMIZE_API,
      kind: "Kustomization",
      metadata: {
        name: "root",
        namespace,
        labels: { ...cluster.labels, ...labels },
        annotations: { "sluice.dev/cluster-server": cluster.server },
      },
      spec: {
        interval: INTERVAL,
        retryInterval: RETRY_INTERVAL,
        path: repoPath(platform, rootDir ?? `clusters/${cluster.name}`),
        // What leaves clusters/<cluster>/ leaves the cluster; namespaces opt out (see keepNamespace).
        // A cluster adopting Flux prunes nothing until the handover (see model/move-schema.ts).
        prune: !adopting,
        sourceRef: { kind: "GitRepository", name: ENV_REPO },
        serviceAccountName: CONTROLLER_ACCOUNT,
        ...(environment.sync.automated ? {} : { suspend: true }),
      },
    } satisfies FluxKustomization,
  ];
  const sources = [platform.origin.file];
  return [
    ...root.map((object) => ({ path: `clusters/${cluster.name}/root.yaml`, object, origin: cluster.origin, sources })),
    ...renderTenants(platform, cluster, environment, apps),
    ...renderNotifications(platform, cluster, apps),
    ...renderFluxComponents(platform, cluster, environment, order),
  ];
}

/**
 * One app instance as a Flux Kustomization in its team's home namespace:
 * the rendered directory, applied as the team's account into the app's
 * namespace, pruned as the environment says, waiting for the workload to be
 * ready, after what it depends on.
 */
function kustomization(platform: InstancePlatform, app: ResolvedApp): KubernetesObject {
  const team = platform.teams.find((t) => t.name === app.team)!;
  const { sync } = app.environment;
  const decrypts = app.secrets.some((secret) => secret.source.provider === "sops");
  const ignore = driftIgnore(app);
  return {
    apiVersion: KUSTOMIZE_API,
    kind: "Kustomization",
    metadata: {
      name: app.name,
      namespace: homeNamespace(team),
      labels: instanceLabels(app),
    },
    spec: {
      interval: INTERVAL,
      retryInterval: RETRY_INTERVAL,
      timeout: TIMEOUT,
      path: repoPath(platform, appDir(platform, app, app.cluster.name)),
      prune: sync.prune,
      wait: true,
      sourceRef: { kind: "GitRepository", name: ENV_REPO },
      targetNamespace: app.namespace,
      serviceAccountName: tenantAccount(team),
      ...(app.dependsOn.length > 0
        ? {
            dependsOn: app.dependsOn.map((dependency) =>
              dependency.kind === "component"
                ? { name: `component-${dependency.name}`, namespace: platform.engineSettings.flux.namespace }
                : { name: dependency.name, namespace: homeNamespace(platform.teams.find((t) => t.name === dependency.team)!) },
            ),
          }
        : {}),
      // The app's SOPS files lie beside its manifest, encrypted; Flux decrypts them with the platform's key.
      ...(decrypts ? { decryption: { provider: "sops", secretRef: { name: platform.engineSettings.flux.decryptionSecret } } } : {}),
      // Flux has no manual sync: an environment that does not sync by itself is suspended until a person resumes it.
      ...(sync.automated ? {} : { suspend: true }),
      // Fields another controller owns (the app's ownedFields): not taken back on a reconcile.
      ...(ignore.length > 0 ? { ignore } : {}),
    },
  } satisfies FluxKustomization;
}

/** Flux: a root Kustomization per cluster, a Kustomization per app instance, a tenant per team. */
export const flux: EngineRenderer = {
  controllers: [
    {
      group: "source.toolkit.fluxcd.io",
      controller: "Flux source-controller",
      why: "the env repo (GitRepository) and the components' chart sources are read by it",
    },
    {
      group: "kustomize.toolkit.fluxcd.io",
      controller: "Flux kustomize-controller",
      why: "the root, every app and every component is a Kustomization it applies",
    },
    { group: "helm.toolkit.fluxcd.io", controller: "Flux helm-controller", why: "the platform components are HelmReleases it installs" },
    {
      group: "notification.toolkit.fluxcd.io",
      controller: "Flux notification-controller",
      why: "the teams' notifications are its Providers and Alerts (`v1beta3`); kustomize-controller sends it the events",
    },
  ],
  objectNoun: "a Flux object",
  // The Flux Operator's kinds (a ResourceSet makes any object it templates) are the platform's too.
  ownsKind: (group) => group.endsWith(".toolkit.fluxcd.io") || group === "fluxcd.controlplane.io",
  deliveryKinds: ["Kustomization", "GitRepository", "HelmRelease"],
  grantsByRbac: true,
  platformProblems: fluxRevisions,
  renderCluster,
  renderApp: (platform, app, sources) => ({
    path: appObjectPath(platform, app, app.cluster.name),
    object: kustomization(platform, app),
    origin: app.origin,
    sources,
  }),
  decryptsSops: true,
  prerequisites: fluxPrerequisites,
  move: {
    bootstrap: (dir) =>
      `with Flux installed (its controllers and CRDs), \`kubectl apply -k ${dir}\`: the env repo source and a root that applies the tenants and the apps' Kustomizations, none of them pruning`,
    // A suspended Kustomization deletes nothing when it is deleted (kustomize-controller's finalizer), nor
    // does a suspended HelmRelease uninstall its release (helm-controller's).
    letGo: (_cluster, namespace) =>
      `suspend them first — \`flux suspend kustomization --all -n ${namespace}\`, the same in each team's home namespace, and \`flux suspend helmrelease --all -n ${namespace}\` (a suspended Kustomization or HelmRelease that is deleted leaves what it applied; a HelmRelease deleted while not suspended uninstalls its chart) — then delete them: \`kubectl delete kustomizations.kustomize.toolkit.fluxcd.io,helmreleases.helm.toolkit.fluxcd.io -A -l app.kubernetes.io/managed-by=sluice\``,
  },
  // The root applies Namespaces before what is in them by itself.
  beforeApps: {},
  keepNamespace: { "kustomize.toolkit.fluxcd.io/prune": "disabled" },
  componentNotes: {
    waiting: { aside: "Flux checks `dependsOn` on every reconcile." },
    ociChart: { aside: "by its digest on Flux" },
  },
  layout: (platform) => [
    `- \`clusters/<cluster>/root.yaml\` — on a Flux cluster: the env repo as a GitRepository and the root Kustomization of \`clusters/<cluster>\`, in \`${platform.engineSettings.flux.namespace}\`.`,
    "- `clusters/<cluster>/tenants/<team>.yaml` — on a Flux cluster: the team's ServiceAccount, its RoleBindings in the team's namespaces, and the env repo's GitRepository in its home namespace; with the team's `groups`, their `sluice-team-view` and `sluice-team-access` bindings.",
    ...(platform.teams.some((team) => team.notify.length > 0)
      ? [
          "- `clusters/<cluster>/notifications/<team>.yaml` — on a Flux cluster where the team runs apps: a Provider per channel it subscribes to and an Alert per event, in its home namespace.",
        ]
      : []),
    ...(platform.components.length > 0
      ? [
          "- `components/<name>/<cluster>/manifest.yaml` — on a Flux cluster: a component's chart source and HelmRelease, applied by its Kustomization under `clusters/<cluster>/components/`.",
        ]
      : []),
  ],
};
