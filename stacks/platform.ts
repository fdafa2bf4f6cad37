// The fleet: owned by the platform team. Every app stack imports `platform`
// from here, so environment, cluster, wave and team names are checked as you type.
import { definePlatform } from "sluice";

export const platform = definePlatform({
  envRepo: { url: "https://git.example.com/platform/env-repo.git", revision: "main" },
  engine: "argocd",
  owners: ["@acme/platform"],

  environments: {
    dev: {
      replicas: 1,
      resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "250m", memory: "128Mi" } },
      env: { LOG_LEVEL: "debug" },
      secretStore: "vault-staging",
      sync: { automated: true, prune: true, selfHeal: true },
      // Apps' `expose` is served by the ingress-nginx component, with a certificate from cert-manager.
      exposure: { ingress: { className: "nginx", namespace: "ingress-nginx", tlsIssuer: "letsencrypt" } },
    },
    staging: {
      replicas: 2,
      resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
      env: { LOG_LEVEL: "info" },
      secretStore: "vault-staging",
      sync: { automated: true, prune: true, selfHeal: true },
      exposure: { ingress: { className: "nginx", namespace: "ingress-nginx", tlsIssuer: "letsencrypt" } },
    },
    prod: {
      replicas: 3,
      resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
      env: { LOG_LEVEL: "warn" },
      secretStore: "vault-prod",
      // Nothing is deleted in production without a person looking at it.
      sync: { automated: true, prune: false, selfHeal: true },
      // Each team namespace's ceiling in production (a team's own quota wins).
      quota: { "requests.cpu": "8", "requests.memory": "16Gi", "limits.memory": "32Gi", pods: 100 },
      exposure: { ingress: { className: "nginx", namespace: "ingress-nginx", tlsIssuer: "letsencrypt" } },
      // A rotated database password restarts the pods that read it as an environment variable.
      secretRotation: "reloader",
      // No release enters production over the weekend, Friday 18:00 to Monday 09:00 Berlin time:
      // `sluice gates` and `promote` refuse it, and Argo CD denies the syncs.
      freeze: [
        {
          schedule: "0 18 * * FRI",
          duration: "63h",
          timeZone: "Europe/Berlin",
          reason: "Weekend freeze: nobody is on call to watch a production release",
        },
      ],
      // Apps that ask for it move each release through a canary run by Argo Rollouts, judged by
      // the analyses below against the cluster's Prometheus.
      progressiveDelivery: {
        controller: "argo-rollouts",
        metrics: { prometheus: { prometheus: { address: "http://prometheus.monitoring:9090" } } },
      },
    },
  },

  clusters: {
    "dev-1": { environment: "dev", server: "https://dev-1.k8s.example.com", labels: { region: "eu-west" } },
    "staging-1": { environment: "staging", server: "https://staging-1.k8s.example.com", labels: { region: "eu-west" } },
    "prod-eu-1": {
      environment: "prod",
      server: "https://prod-eu-1.k8s.example.com",
      labels: { region: "eu-west" },
      env: { REGION: "eu-west" },
    },
    "prod-us-1": {
      environment: "prod",
      server: "https://prod-us-1.k8s.example.com",
      labels: { region: "us-east" },
      env: { REGION: "us-east" },
    },
    // Two more US clusters without an Argo CD of their own: prod-us-1's Argo CD manages them (a hub).
    // Their roots and Applications live in prod-us-1's argocd namespace, named <app>-<cluster>.
    "prod-us-west-1": {
      environment: "prod",
      server: "https://prod-us-west-1.k8s.example.com",
      labels: { region: "us-west" },
      env: { REGION: "us-west" },
      // The hub's Argo CD reads the cluster's credentials (its `config`) from Vault.
      managedBy: { hub: "prod-us-1", credentials: { key: "platform/clusters/prod-us-west-1" } },
    },
    "prod-us-central-1": {
      environment: "prod",
      server: "https://prod-us-central-1.k8s.example.com",
      labels: { region: "us-central" },
      env: { REGION: "us-central" },
      // Registered by the platform team itself, as Secret cluster-prod-us-central-1 in the hub; controller shard 1.
      managedBy: { hub: "prod-us-1", credentials: { secret: "cluster-prod-us-central-1" }, shard: 1 },
    },
    // The Asia-Pacific cluster runs Flux, not Argo CD: same apps, same manifests.
    "prod-ap-1": {
      environment: "prod",
      engine: "flux",
      server: "https://prod-ap-1.k8s.example.com",
      labels: { region: "ap-southeast" },
      env: { REGION: "ap-southeast" },
      // Served by the region's shared Gateway (Gateway API) instead: TLS ends at its https listener.
      exposure: { gateway: { name: "public", namespace: "gateway-system", listeners: { https: "https" } } },
      // The same canary plans, run by Flagger here (it owns the apps' Services and HTTPRoutes).
      progressiveDelivery: {
        controller: "flagger",
        metrics: { prometheus: { prometheus: { address: "http://prometheus.monitoring:9090" } } },
      },
    },
  },

  waves: [
    { name: "dev", clusters: ["dev-1"] },
    { name: "staging", clusters: ["staging-1"], gate: { soak: "2h" } },
    { name: "prod-canary", clusters: ["prod-eu-1"], gate: { soak: "24h", approvers: ["@acme/release"] } },
    {
      name: "prod",
      clusters: ["prod-us-1", "prod-us-west-1", "prod-us-central-1", "prod-ap-1"],
      gate: { soak: "24h", approvers: ["@acme/release"] },
    },
  ],

  // Cluster add-ons, from Helm charts pinned to an exact version. Apps that
  // need one say so (dependsOn), and sync after it.
  components: {
    "external-secrets": {
      chart: { repository: "https://charts.external-secrets.io", name: "external-secrets", version: "0.19.2" },
      namespace: "external-secrets",
      values: { installCRDs: true },
      environments: { prod: { values: { replicaCount: 2 } } },
    },
    // Restarts pods whose env-var secrets change (secretRotation: "reloader" in prod).
    reloader: {
      chart: { repository: "https://stakater.github.io/stakater-charts", name: "reloader", version: "2.2.12" },
      namespace: "reloader",
      // isArgoRollouts: production apps with a canary run from Argo Rollouts' Rollouts.
      values: { reloader: { reloadStrategy: "annotations", isArgoRollouts: true } },
      clusters: ["prod-eu-1", "prod-us-1", "prod-us-west-1", "prod-us-central-1", "prod-ap-1"],
    },
    "ingress-nginx": {
      chart: { repository: "https://kubernetes.github.io/ingress-nginx", name: "ingress-nginx", version: "4.13.0" },
      namespace: "ingress-nginx",
      values: { controller: { replicaCount: 2 } },
    },
    // The canary controller of prod-ap-1 (the other production clusters' Argo Rollouts is installed with them).
    flagger: {
      chart: { repository: "https://flagger.app", name: "flagger", version: "1.44.0" },
      namespace: "flagger-system",
      values: { metricsServer: "http://prometheus.monitoring:9090" },
      clusters: ["prod-ap-1"],
    },
  },

  // Secret values live in Vault, never here: the External Secrets Operator on
  // each cluster reads them. Production reads a store of its own. A team's
  // apps read only the keys under the team's name ("payments/db"): the stores
  // serve every namespace, so the key is what keeps teams apart.
  secretStores: {
    "vault-staging": { kind: "ClusterSecretStore", keys: "{team}/*" },
    "vault-prod": { kind: "ClusterSecretStore", keys: "{team}/*" },
  },

  // Rules beyond the built-in ones' defaults: only images from the company
  // registry, enforced again at admission by a ValidatingAdmissionPolicy on
  // every cluster (see out/clusters/<cluster>/policies/).
  policy: {
    admission: "kubernetes",
    registries: ["registry.example.com/"],
  },

  // What a canary is judged by: each query written once for every cluster; sluice fills in the
  // app's namespace and Services, and the arguments an app gives, and renders it for the cluster's controller.
  analyses: {
    "error-rate": {
      metric: "prometheus",
      query:
        'sum(rate(http_requests_total{namespace="{{namespace}}",service="{{canaryService}}",code=~"5.."}[{{interval}}])) / sum(rate(http_requests_total{namespace="{{namespace}}",service="{{canaryService}}"}[{{interval}}]))',
      args: { maxRate: { type: "number", default: 0.01 } },
      max: "{{args.maxRate}}",
      interval: "1m",
      count: 5,
      failureLimit: 1,
    },
    "latency-p99": {
      metric: "prometheus",
      query:
        'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="{{namespace}}",service="{{canaryService}}"}[{{interval}}])))',
      args: { maxSeconds: "number" },
      max: "{{args.maxSeconds}}",
      interval: "1m",
      failureLimit: 2,
    },
  },

  // A preview of checkout-web and catalog-api per pull request labelled "preview" in the shop repository:
  // on dev-1, in namespace pr-<number>-<app>, at the image app CI pushed for the pull request's head
  // commit, at most three of each open at once, closed after three days (the scheduled CI job).
  previews: {
    clusters: ["dev-1"],
    apps: ["checkout-web", "catalog-api"],
    label: "preview",
    maxOpen: 3,
    lifetime: "72h",
    quota: { "requests.cpu": "1", "requests.memory": "1Gi", "limits.memory": "2Gi", pods: 10 },
    host: "{app}-pr-{number}.preview.example.com",
    tag: "{sha}",
    scm: { github: { repository: "acme/shop", token: { secret: "preview-scm-token" } } },
    targetBranch: "main",
    poll: "5m",
  },

  // Where teams hear about their apps. Credentials stay on the clusters: on Flux,
  // the named Secret in the team's home namespace; on Argo CD, a service named
  // after the channel in argocd-notifications-cm (see out/README.md, Prerequisites).
  notifications: {
    channels: {
      "payments-slack": { slack: { channel: "payments-alerts", secret: "slack-bot" } },
      "storefront-hook": { webhook: { secret: "storefront-webhook" } },
    },
  },

  // Each team's SSO groups (the groups claim of the company's Dex) see, sync and read the logs of
  // the team's apps in Argo CD and the Flux web UI; outside production they may also delete a
  // stuck pod and override a sync (access: the defaults).
  teams: {
    payments: { owners: ["@acme/payments"], namespaces: ["payments"], groups: ["acme:payments"],
      notify: [{ channel: "payments-slack", on: ["sync-failed", "degraded", "deployed"] }] },
    storefront: { owners: ["@acme/storefront"], namespaces: ["storefront", "storefront-jobs"], groups: ["acme:storefront"],
      notify: [{ channel: "storefront-hook", on: ["sync-failed", "degraded"] }] },
  },
});
