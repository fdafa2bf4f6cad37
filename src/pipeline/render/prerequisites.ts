import { groupBy } from "../../model/group.js";
import { appliedTo } from "../../model/hub.js";
import { ENGINE_LIST, engineOf } from "../../engines/index.js";
import { BUILTIN_KINDS } from "../../k8s/builtin-kinds.js";
import { apiGroup } from "../../k8s/object.js";
import type { Capability } from "../../model/capabilities.js";
import type { AppModel, ClusterModel, Model } from "../../model/model.js";
import type { Prerequisite } from "../../model/prerequisite.js";
import type { RenderedObject } from "../../model/rendered.js";
import { own } from "../../model/own.js";
import { instanceNeeds } from "../resolve/index.js";
import type { InstanceRef } from "../../model/instance-ref.js";

// Looked up for every instance of every cluster: once per model, not a scan of the apps each time.
const appIndex = new WeakMap<Model, ReadonlyMap<string, AppModel>>();
function appsByName(model: Model): ReadonlyMap<string, AppModel> {
  let index = appIndex.get(model);
  if (!index) appIndex.set(model, (index = new Map(model.apps.map((app) => [app.name, app]))));
  return index;
}

/** The instances grouped by cluster, once per list: the README asks for every cluster's of a fleet's half-million. */
const clusterIndex = new WeakMap<readonly InstanceRef[], Map<string, InstanceRef[]>>();
function byCluster(instances: readonly InstanceRef[]): ReadonlyMap<string, readonly InstanceRef[]> {
  let index = clusterIndex.get(instances);
  if (!index) {
    index = groupBy(instances, (instance) => instance.cluster);
    clusterIndex.set(instances, index);
  }
  return index;
}

/** An API group whose CRDs sluice knows, with the controller behind them. */
interface Provider {
  readonly controller: string;
  readonly capability?: Capability;
  readonly why: string;
}

/** The engines' controllers (each engine names its own), then the secret providers and other operators sluice knows. */
const PROVIDERS: Readonly<Record<string, Provider>> = {
  ...Object.fromEntries(
    ENGINE_LIST.flatMap((engine) => engine.controllers.map(({ group, controller, why }) => [group, { controller, why }])),
  ),
  "external-secrets.io": {
    controller: "External Secrets Operator",
    capability: "external-secrets",
    why: "the apps' ExternalSecrets become the Secrets their pods read; without it the pods wait for Secrets that never come",
  },
  "bitnami.com": {
    controller: "Sealed Secrets controller",
    capability: "sealed-secrets",
    why: "it opens the apps' SealedSecrets into Secrets; the ciphertexts were sealed with its key (kubeseal asks `kube-system/sealed-secrets-controller` unless given --controller-namespace and --controller-name), for the Secret's name and namespace",
  },
  "gateway.networking.k8s.io": {
    controller: "a Gateway API implementation (the controller of the Gateway's GatewayClass)",
    why: "it serves the apps' HTTPRoutes through the platform's Gateway; sluice checks them against Gateway API v1.6.1's standard channel (HTTPRoute `v1` is served from v1.0)",
  },
  "flagger.app": {
    controller: "Flagger v1.44 or later",
    capability: "flagger",
    why: "it runs the apps' Canaries: it copies each Deployment to `<app>-primary`, which serves, creates the app's Services (and its HTTPRoute on a Gateway), and moves traffic to a new release step by step while its MetricTemplates pass",
  },
  "fluxcd.controlplane.io": {
    controller: "the Flux Operator v0.58 or later",
    why: "its ResourceSets open a preview environment per labelled pull request, listed by its ResourceSetInputProviders, and delete it when the pull request closes or loses the label",
  },
  "policies.kyverno.io": {
    controller: "Kyverno 1.17 or later",
    capability: "kyverno",
    why: "the policy rules are Kyverno ValidatingPolicies (`policies.kyverno.io/v1`, served from Kyverno 1.17); without Kyverno nothing is enforced at admission and the root cannot apply them",
  },
};

/** What each cloud's workload identity needs on the cluster. */
const IDENTITY = {
  aws: {
    name: "EKS IAM roles for service accounts: the cluster's OIDC provider in IAM, and each role trusting the app's ServiceAccount",
    why: "without them the pods get no credentials for the role",
  },
  gcp: {
    name: "GKE Workload Identity on the cluster and its node pools, and each Google service account granting the app's ServiceAccount `roles/iam.workloadIdentityUser`",
    why: "without them the pods get the node's identity, or none",
  },
  azure: {
    name: "Azure Workload Identity: the cluster's OIDC issuer, the mutating webhook, and a federated credential for the app's ServiceAccount",
    why: "without them the pods get no token for the identity",
  },
} as const;

/**
 * What one cluster needs besides what the env repo installs, derived from
 * what the env repo holds for it: the cluster's own objects (root, projects
 * or tenants, components, namespaces, policies) and, for its app instances,
 * what their settings make them emit (instance-needs.ts) and the objects
 * they add. A store is listed where an app reads it, a controller where one
 * of its kinds is emitted; nothing is listed for a kind that is not there.
 */
export function clusterPrerequisites(
  model: Model,
  cluster: ClusterModel,
  fleetObjects: readonly RenderedObject[],
  instances: readonly InstanceRef[],
): Prerequisite[] {
  const { platform } = model;
  const engine = engineOf(cluster);
  const onCluster = byCluster(instances).get(cluster.name) ?? [];
  const byName = appsByName(model);
  const apps = onCluster.map((i) => byName.get(i.app)!);
  const needs = apps.map((app) => ({ app, needs: instanceNeeds(platform, app, cluster, false) }));

  // apiVersion → kinds emitted for the cluster.
  const kinds = new Map<string, Set<string>>();
  const add = (apiVersion: string, kind: string) => kinds.set(apiVersion, (kinds.get(apiVersion) ?? new Set()).add(kind));
  const hubs = new Map(platform.clusters.map((c) => [c.name, c.managedBy?.hub]));
  const mine = (path: string) =>
    appliedTo(path, (name) => hubs.get(name)) === cluster.name || path.endsWith(`/${cluster.name}/manifest.yaml`);
  for (const { path, object } of fleetObjects) if (mine(path)) add(object.apiVersion, object.kind);
  for (const app of apps) for (const { object } of app.objects) add(object.apiVersion, object.kind);
  // Preview environments' engine objects (render/previews.ts): the fleet's own files, rendered apart.
  if (
    platform.previews?.clusters.includes(cluster.name) &&
    model.apps.some((app) => app.preview && platform.previews!.apps.includes(app.name))
  ) {
    if (engine.name === "flux") {
      add("fluxcd.controlplane.io/v1", "ResourceSet");
      add("fluxcd.controlplane.io/v1", "ResourceSetInputProvider");
    } else add("argoproj.io/v1alpha1", "ApplicationSet");
  }
  for (const { needs: n } of needs) {
    if (n.providers.has("external-secrets")) add("external-secrets.io/v1", "ExternalSecret");
    if (n.providers.has("sealed-secrets")) add("bitnami.com/v1alpha1", "SealedSecret");
    if (n.autoscaled) add("autoscaling/v2", "HorizontalPodAutoscaler");
    if (n.exposed && cluster.exposure && "gateway" in cluster.exposure) add("gateway.networking.k8s.io/v1", "HTTPRoute");
    // Flagger sizes the primary from an autoscaler, pinned to the count when the app does not autoscale.
    if (n.progressive?.controller === "flagger") {
      add("flagger.app/v1beta1", "Canary");
      if (n.progressive.analysed) add("flagger.app/v1beta1", "MetricTemplate");
      add("autoscaling/v2", "HorizontalPodAutoscaler");
    }
  }

  const providerOf = (capability: Capability | undefined) =>
    capability ? platform.components.find((c) => c.provides.includes(capability) && c.clusters.includes(cluster.name)) : undefined;
  const providedBy = (capability: Capability | undefined) => providerOf(capability)?.name;
  const list: Prerequisite[] = [];
  const push = (item: Prerequisite) => list.push(item);

  const appsWith = (has: (n: (typeof needs)[number]["needs"]) => boolean) =>
    needs
      .filter((n) => has(n.needs))
      .map((n) => n.app.name)
      .join(", ");
  // The highest version any of these needs, with the reasons beyond Pod Security's, highest first.
  const versions = [{ version: "1.25", why: "the team namespaces rely on Pod Security admission labels (GA in 1.25)" }];
  if (kinds.get("admissionregistration.k8s.io/v1")?.has("ValidatingAdmissionPolicy"))
    versions.push({
      version: "1.30",
      why: "the policy rules are ValidatingAdmissionPolicies (`admissionregistration.k8s.io/v1`, GA in 1.30); the team namespaces rely on Pod Security admission (1.25)",
    });
  const withSidecars = appsWith((n) => n.sidecars);
  if (withSidecars)
    versions.push({
      version: "1.29",
      why: `the pods of ${withSidecars} have native sidecars (init containers with \`restartPolicy: Always\`, on by default from 1.29); an older API server drops the field and runs them as init containers that never end`,
    });
  const minor = (version: string) => Number(version.split(".")[1]);
  const beyondBase = versions.slice(1).sort((a, b) => minor(b.version) - minor(a.version));
  const minimum =
    beyondBase.length === 0 ? versions[0]! : { version: beyondBase[0]!.version, why: beyondBase.map((v) => v.why).join("; ") };
  push({ what: "Kubernetes", name: `${minimum.version} or later`, why: minimum.why });

  // Custom kinds by group: known ones name their controller; others need their CRDs from whoever serves them.
  const groups = new Map<string, string[]>();
  for (const [apiVersion, names] of [...kinds].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const builtIn = own(BUILTIN_KINDS, apiVersion);
    const custom = [...names].filter((kind) => !(builtIn && Object.hasOwn(builtIn, kind))).sort();
    if (custom.length > 0) groups.set(apiVersion, custom);
  }
  const controllers = new Set<string>();
  for (const [apiVersion, names] of groups) {
    const group = apiGroup(apiVersion);
    const provider = own(PROVIDERS, group);
    const component = providedBy(provider?.capability);
    if (provider && !controllers.has(provider.controller)) {
      controllers.add(provider.controller);
      // The engine's own controllers run in its namespace; the others wherever their install puts them.
      const engineGroup = engine.controllers.some((own) => own.group === group);
      const namespace = engineGroup ? engine.namespace(platform) : providerOf(provider.capability)?.namespace;
      push({
        what: "controller",
        name: provider.controller,
        ...(namespace ? { namespace } : {}),
        why: provider.why,
        ...(component ? { component } : {}),
      });
    }
    push({
      what: "CRDs",
      name: `\`${apiVersion}\`: ${names.join(", ")}`,
      why: provider
        ? `without them the API server refuses these objects`
        : `the env repo holds these objects (the platform's customResources or objects); the API server refuses them without their CRDs`,
      ...(component ? { component } : {}),
    });
  }
  if (kinds.get("autoscaling/v2")?.has("HorizontalPodAutoscaler")) {
    const component = providedBy("metrics-server");
    const namespace = providerOf("metrics-server")?.namespace;
    push({
      what: "controller",
      name: "metrics-server (the `metrics.k8s.io` API)",
      ...(namespace ? { namespace } : {}),
      why: "the apps' HorizontalPodAutoscalers scale on CPU; without metrics they never scale",
      ...(component ? { component } : {}),
    });
  }

  // The stores the apps on the cluster read.
  const stores = new Map<string, { kind: string; namespaces: Set<string> }>();
  for (const { app, needs: n } of needs) {
    for (const store of n.stores) {
      const entry = stores.get(store.name) ?? { kind: store.kind, namespaces: new Set<string>() };
      if (store.kind === "SecretStore") entry.namespaces.add(app.namespace);
      stores.set(store.name, entry);
    }
  }
  for (const [name, { kind, namespaces }] of [...stores].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const why = "the apps' ExternalSecrets read it by name (`secretStoreRef`); without it no Secret is written";
    if (kind === "ClusterSecretStore") push({ what: "store", name: `ClusterSecretStore \`${name}\``, why });
    else for (const namespace of [...namespaces].sort()) push({ what: "store", name: `SecretStore \`${name}\``, namespace, why });
  }

  // What the apps' pods ask of the cluster by name: storage for stateful services' claims, a priority, a cloud identity.
  for (const storageClass of [...new Set(needs.flatMap((n) => n.needs.storageClasses))].sort()) {
    const users = appsWith((n) => n.storageClasses.includes(storageClass));
    push(
      storageClass === ""
        ? {
            what: "StorageClass",
            name: "a default StorageClass (`storageclass.kubernetes.io/is-default-class`)",
            why: `the volume claims of ${users} name no class; without a default they stay Pending and the pods never start`,
          }
        : {
            what: "StorageClass",
            name: `\`${storageClass}\``,
            why: `the volume claims of ${users} name it; without it they stay Pending and the pods never start`,
          },
    );
  }
  const claims = new Map<string, Set<string>>();
  for (const { app, needs: n } of needs)
    for (const claim of n.claims) {
      const key = `${app.namespace}\0${claim}`;
      claims.set(key, (claims.get(key) ?? new Set()).add(app.name));
    }
  for (const [key, users] of [...claims].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const [namespace, claim] = key.split("\0") as [string, string];
    push({
      what: "PersistentVolumeClaim",
      name: `\`${claim}\``,
      namespace,
      why: `the pods of ${[...users].join(", ")} mount it; without it they stay Pending`,
    });
  }
  for (const priorityClass of [...new Set(needs.flatMap((n) => (n.needs.priorityClass ? [n.needs.priorityClass] : [])))].sort()) {
    push({
      what: "PriorityClass",
      name: `\`${priorityClass}\``,
      why: `the pods of ${appsWith((n) => n.priorityClass === priorityClass)} name it; without it the API server refuses them`,
    });
  }
  const reloaded = appsWith((n) => n.reloader);
  if (reloaded) {
    const component = providedBy("reloader");
    const namespace = providerOf("reloader")?.namespace;
    push({
      what: "controller",
      name: "Stakater Reloader, with `--reload-strategy=annotations` (Helm value `reloader.reloadStrategy: annotations`)",
      ...(namespace ? { namespace } : {}),
      why: `it restarts the pods of ${reloaded} when a secret they read as environment variables changes in the cluster (\`secret.reloader.stakater.com/reload\`); its default strategy writes an env var into the pod template, which the engine reverts, so the restart never finishes`,
      ...(component ? { component } : {}),
    });
  }
  for (const cloud of ["aws", "gcp", "azure"] as const) {
    const users = appsWith((n) => n.identity === cloud);
    if (users) push({ what: "setting", name: IDENTITY[cloud].name, why: `${users} take a cloud identity; ${IDENTITY[cloud].why}` });
  }

  list.push(...exposurePrerequisites(cluster, needs, platform.components));
  list.push(...progressivePrerequisites(cluster, needs, providedBy));
  list.push(...previewPrerequisites(model, cluster));

  const sops = needs.filter((n) => n.needs.providers.has("sops")).map((n) => n.app);
  list.push(...engine.prerequisites({ model, platform, cluster, fleetObjects: fleetObjects.filter((o) => mine(o.path)), apps, sops }));
  return list;
}

/**
 * What the apps' progressive delivery needs on a cluster: its controller
 * (Argo Rollouts' kinds share Argo CD's group, so they are named here, not
 * by their group), what moves their traffic, Reloader's Argo Rollouts
 * support, and the metric providers' Secrets in the apps' namespaces.
 */
function progressivePrerequisites(
  cluster: ClusterModel,
  needs: readonly { readonly app: AppModel; readonly needs: ReturnType<typeof instanceNeeds> }[],
  providedBy: (capability: Capability) => string | undefined,
): Prerequisite[] {
  const delivery = cluster.progressiveDelivery;
  const moving = needs.filter((n) => n.needs.progressive);
  if (!delivery || moving.length === 0) return [];
  const names = (list: typeof moving) => list.map((n) => n.app.name).join(", ");
  const list: Prerequisite[] = [];
  const component = providedBy(delivery.controller);
  const on = (traffic: string) => moving.filter((n) => n.needs.progressive!.traffic === traffic);
  if (delivery.controller === "argo-rollouts") {
    list.push({
      what: "controller",
      name: "Argo Rollouts v1.9 or later",
      namespace: delivery.namespace,
      why: `it runs the pods of ${names(moving)} from their Rollouts and moves each release by the plan, judged by their AnalysisTemplates; without it they run no pods at all`,
      ...(component ? { component } : {}),
    });
    const analysed = moving.some((n) => n.needs.progressive!.analysed);
    list.push({
      what: "CRDs",
      name: `\`argoproj.io/v1alpha1\`: ${analysed ? "AnalysisTemplate, Rollout" : "Rollout"} (Argo Rollouts')`,
      why: "without them the API server refuses these objects",
      ...(component ? { component } : {}),
    });
    const gateway = on("gateway");
    if (gateway.length > 0)
      list.push({
        what: "setting",
        name: "Argo Rollouts' Gateway API plugin `argoproj-labs/gatewayAPI`, a release after v0.15.0, in ConfigMap `argo-rollouts-config` (`trafficRouterPlugins`)",
        namespace: delivery.namespace,
        why: `it moves the canary weight of ${names(gateway)} between the two backends of their HTTPRoutes; v0.15.0 and older may remove route rules they do not manage (plugin issue #217)`,
      });
    const ingress = on("ingress");
    if (ingress.length > 0)
      list.push({
        what: "setting",
        name: "the IngressClass's controller is ingress-nginx",
        why: `Argo Rollouts moves the canary weight of ${names(ingress)} with ingress-nginx's canary annotations on a copy of each Ingress; another controller ignores them and sends nothing to the canary`,
      });
    const reloaded = moving.filter((n) => n.needs.reloader);
    if (reloaded.length > 0)
      list.push({
        what: "setting",
        name: "Stakater Reloader with Argo Rollouts support (Helm value `reloader.isArgoRollouts: true`)",
        why: `the pods of ${names(reloaded)} run from Rollouts; without it a changed secret restarts nothing`,
        ...(providedBy("reloader") ? { component: providedBy("reloader")! } : {}),
      });
  } else {
    const ingress = on("ingress");
    if (ingress.length > 0)
      list.push({
        what: "setting",
        name: "the IngressClass's controller is ingress-nginx",
        why: `Flagger moves the canary weight of ${names(ingress)} with ingress-nginx's canary annotations on a copy of each Ingress (\`provider: nginx\`); another controller ignores them`,
      });
    list.push({
      what: "setting",
      name: "Flagger's `-selector-labels` keeps its default (`app,name,app.kubernetes.io/name`)",
      why: `Flagger renames \`app.kubernetes.io/name\` to \`<app>-primary\` on the pods it promotes; sluice's PodDisruptionBudgets and network policies on this cluster select pods by \`app.kubernetes.io/instance\`, which it leaves alone`,
    });
  }
  const secrets = new Map<string, { provider: "prometheus" | "datadog"; namespaces: Set<string>; apps: string[] }>();
  for (const { app, needs: n } of moving)
    for (const secret of n.progressive!.secrets) {
      const entry = secrets.get(secret.name) ?? { provider: secret.provider, namespaces: new Set<string>(), apps: [] };
      entry.namespaces.add(app.namespace);
      entry.apps.push(app.name);
      secrets.set(secret.name, entry);
    }
  for (const [name, { provider, namespaces, apps }] of [...secrets].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const keys =
      provider === "prometheus"
        ? "`token`"
        : delivery.controller === "argo-rollouts"
          ? "`address`, `api-key` and `app-key`"
          : "`datadog_api_key` and `datadog_application_key`";
    for (const namespace of [...namespaces].sort())
      list.push({
        what: "Secret",
        name: `\`${name}\` with ${keys}`,
        namespace,
        why: `the analyses of ${apps.join(", ")} authenticate to ${provider === "prometheus" ? "Prometheus" : "Datadog"} with it; ${delivery.controller === "argo-rollouts" ? "Argo Rollouts" : "Flagger"} reads it in the app's namespace, and an analysis without it fails, which rolls the release back`,
      });
  }
  return list;
}

/**
 * What a cluster that hosts preview environments needs: the engine's part
 * that opens them (Argo CD 3.3's ApplicationSet controller and named
 * cluster resources, or the Flux Operator), the SCM token, and DNS for the
 * preview hosts.
 */
function previewPrerequisites(model: Model, cluster: ClusterModel): Prerequisite[] {
  const previews = model.platform.previews;
  if (!previews?.clusters.includes(cluster.name)) return [];
  const apps = model.apps.filter((app) => app.preview && previews.apps.includes(app.name)).map((app) => app.name);
  if (apps.length === 0) return [];
  const names = apps.join(", ");
  const scm = previews.scm;
  const token = scm ? ("github" in scm ? scm.github : scm.gitlab).token.secret : undefined;
  const forge = scm && "github" in scm ? "GitHub" : "GitLab";
  const list: Prerequisite[] =
    cluster.engine === "flux"
      ? token
        ? [
            {
              what: "Secret",
              name: `\`${token}\` with \`username\` and \`password\` (the ${forge} token)`,
              namespace: model.platform.engineSettings.flux.namespace,
              why: "the ResourceSetInputProviders list the pull requests with it; without it no preview opens",
            },
          ]
        : []
      : [
          {
            what: "controller",
            name: token ? "Argo CD 3.3 or later, with its ApplicationSet controller" : "Argo CD 3.3 or later",
            namespace: model.platform.engineSettings.argocd.namespace,
            why: `${token ? `its ApplicationSets open a preview of ${names} per labelled pull request; ` : ""}the previews' projects allow their Namespaces by name, which Argo CD 3.3 introduced (an older one refuses every Namespace)`,
          },
          ...(token
            ? [
                {
                  what: "Secret" as const,
                  name: `\`${token}\` with \`token\` (the ${forge} token)`,
                  namespace: model.platform.engineSettings.argocd.namespace,
                  why: "the Pull Request generators list the pull requests with it (label it `argocd.argoproj.io/secret-type: scm-creds` where the controller reads tokens in strict mode)",
                },
              ]
            : []),
          {
            what: "setting",
            name: "Argo CD tracks resources by annotation (`application.resourceTrackingMethod: annotation`, the default since 3.0)",
            why: `a preview's objects carry the app's \`app.kubernetes.io/instance\` label; with label tracking the app's own Application on this cluster (${names}) would take them for its own and prune them`,
          },
        ];
  list.push({
    what: "DNS",
    name: `\`${previews.host
      .replaceAll("{app}", "*")
      .replaceAll("{number}", "*")
      .replace(/^(\*-?)+[^.]*\./, "*.")}\` (a wildcard), and a wildcard certificate where TLS is issued per host`,
    why: `the previews of ${names} are served on their own hosts (${previews.host}); a certificate per preview counts against the issuer's rate limits (Let's Encrypt: 50 per registered domain a week)`,
  });
  return list;
}

/**
 * What serves the exposed apps of a cluster: the platform's Gateway (with
 * listeners that take routes from the apps' namespaces) or its IngressClass,
 * cert-manager's issuer for Ingress certificates, and DNS for the hosts.
 */
function exposurePrerequisites(
  cluster: ClusterModel,
  needs: readonly { readonly app: AppModel; readonly needs: ReturnType<typeof instanceNeeds> }[],
  components: Model["platform"]["components"],
): Prerequisite[] {
  const exposed = needs.filter((n) => n.needs.exposed);
  const via = cluster.exposure;
  if (!via || exposed.length === 0) return [];
  const hosts = [...new Set(exposed.map((n) => n.needs.exposed!.host))].sort();
  const namespaces = [...new Set(exposed.map((n) => n.app.namespace))].sort();
  const names = exposed.map((n) => n.app.name).join(", ");
  const list: Prerequisite[] = [];
  if ("gateway" in via) {
    const { name, namespace, listeners } = via.gateway;
    const wanted = [
      ...(exposed.some((n) => n.needs.exposed!.tls) ? [listeners?.https] : []),
      ...(exposed.some((n) => !n.needs.exposed!.tls) ? [listeners?.http] : []),
    ].filter((listener): listener is string => listener !== undefined);
    list.push({
      what: "Gateway",
      name: `\`${name}\`${wanted.length > 0 ? ` with listener${wanted.length === 1 ? "" : "s"} ${wanted.map((l) => `\`${l}\``).join(", ")}` : ""}, taking routes from namespace${namespaces.length === 1 ? "" : "s"} ${namespaces.map((ns) => `\`${ns}\``).join(", ")} (\`allowedRoutes.namespaces\`) for ${hosts.map((h) => `\`${h}\``).join(", ")}`,
      namespace,
      why: `the HTTPRoutes of ${names} attach to it; a listener that does not take their namespace or host leaves them unattached (\`Accepted: False\`), and a TLS listener needs a certificate for the hosts`,
    });
  } else {
    const { className, namespace, tlsIssuer } = via.ingress;
    // A component installed into the controller's namespace is taken for the controller.
    const component = components.find((c) => c.namespace === namespace && c.clusters.includes(cluster.name))?.name;
    list.push({
      what: "IngressClass",
      name: `\`${className}\`, with its controller's pods in namespace \`${namespace}\``,
      why: `the Ingresses of ${names} name it; the apps' network policies let in only that namespace`,
      ...(component ? { component } : {}),
    });
    // gitops-engine's Ingress health (pkg/health/health_ingress.go): Healthy once status.loadBalancer.ingress has an entry.
    if (cluster.engine === "argocd")
      list.push({
        what: "setting",
        name: "the ingress controller writes each Ingress's address to `status.loadBalancer` (ingress-nginx: `controller.publishService.enabled`, on by default)",
        why: `Argo CD counts an Ingress healthy only once it has an address; without one ${names} stay${exposed.length === 1 ? "s" : ""} Progressing and the apps that depend on ${exposed.length === 1 ? "it" : "them"} never sync`,
        ...(component ? { component } : {}),
      });
    if (tlsIssuer && exposed.some((n) => n.needs.exposed!.tls))
      list.push({
        what: "controller",
        name: `cert-manager, with the ClusterIssuer \`${tlsIssuer}\``,
        why: `it issues the certificates of ${exposed
          .filter((n) => n.needs.exposed!.tls)
          .map((n) => n.app.name)
          .join(", ")} into their \`<app>-tls\` Secrets; without it the controller serves its default certificate`,
      });
  }
  list.push({
    what: "DNS",
    name: hosts.map((h) => `\`${h}\``).join(", "),
    why: `${hosts.length === 1 ? "resolves" : "resolve"} to the address of the ${"gateway" in via ? "Gateway" : "ingress controller"} on this cluster (e.g. with external-dns); sluice does not write DNS records`,
  });
  return list;
}
