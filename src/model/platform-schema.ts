import { ENV_LAYOUTS } from "./layout.js";
import { z } from "zod";
import { capabilitySchema } from "./capabilities.js";
import { dnsLabel } from "./names.js";
import { refreshInterval } from "./secret-schema.js";
import { STORE_KEY_PATTERN } from "../secrets/store-keys.js";
import { quantity, settingsShape } from "./settings-schema.js";
import { exposureSchema } from "./exposure-schema.js";
import { managedBySchema } from "./hub-schema.js";
import { moveSchema } from "./move-schema.js";
import { freezeSchema } from "./freeze-schema.js";
import { notificationsSchema, subscriptionSchema } from "./notifications-schema.js";
import type { Rule } from "./rule.js";
import type { Blueprint } from "./rendered.js";
import { ENGINE_NAMES } from "./engine-names.js";
import { ENGINES } from "../engines/registry.js";
import { WORKLOAD_PATH } from "../k8s/workloads.js";
import { accessSchema, ssoGroup } from "./access-schema.js";
import { analysisSchema, progressiveDeliverySchema } from "./progressive-schema.js";
import { previewsSchema } from "./preview-schema.js";

/** Why a finding is waived: kept in the env repo's README for reviewers. */
export const waiverReason = z.string().trim().min(10, { message: "say why, in a sentence a security reviewer can check" });

/**
 * Literal values the plaintext scanner flagged and a person judged harmless,
 * by the path the finding printed (e.g. "env.PUBLIC_KEY" or
 * "objects[0].data.ca.crt"), each with the reason.
 */
export const allowLiteralsSchema = z.record(z.string().min(1), waiverReason);

/** A CODEOWNERS owner: @user, @org/team, or an e-mail address. */
export const owner = z.string().regex(/^(@[A-Za-z0-9][-A-Za-z0-9_.]*(\/[A-Za-z0-9][-A-Za-z0-9_.]*)?|[^@\s]+@[^@\s]+\.[^@\s]+)$/, {
  message: 'must be a CODEOWNERS owner: "@user", "@org/team" or an e-mail address',
});

export const syncSchema = z.strictObject({
  /** Argo CD syncs on its own when the env repo changes. Default true. */
  automated: z.boolean().optional(),
  /** Delete live objects that are no longer in the env repo. Default false. */
  prune: z.boolean().optional(),
  /** Revert changes made to live objects by hand. Default true. */
  selfHeal: z.boolean().optional(),
});

/** A rule id: lower-case letters, digits and '-'. */
export const ruleId = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { message: 'must be a rule id such as "resources-required"' });

const severitySetting = z.enum(["error", "warn", "off"]);

/** The platform's say over a rule's severity: everywhere, in production, or per environment. */
export const ruleOverrideSchema = z.strictObject({
  severity: severitySetting.optional(),
  production: severitySetting.optional(),
  environments: z.record(z.string(), severitySetting).optional(),
});

/** The Pod Security Standard a namespace enforces. */
export const podSecurityLevel = z.enum(["privileged", "baseline", "restricted"]);

/**
 * A namespace's ResourceQuota, by the quota's own keys ("requests.cpu",
 * "limits.memory", "pods", ...). Values are quantities or counts.
 */
export const quotaSchema = z.record(
  z
    .string()
    .regex(
      /^((requests|limits)\.(cpu|memory|ephemeral-storage)|requests\.storage|pods|services|configmaps|secrets|persistentvolumeclaims|services\.loadbalancers|services\.nodeports)$/,
      {
        message: 'must be a ResourceQuota key such as "requests.cpu", "limits.memory" or "pods"',
      },
    ),
  z.union([quantity, z.number().int().min(0)]),
);

const isRuleLike = (value: unknown): value is Rule =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as { id?: unknown }).id === "string" &&
  typeof (value as { on?: unknown }).on === "string";

const isBlueprintLike = (value: unknown): value is Blueprint =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as { name?: unknown }).name === "string" &&
  typeof (value as { render?: unknown }).render === "function";

/** A platform's own blueprint (see rendered.ts): code, so only its shape is checked. */
export const blueprintSchema = z.custom<Blueprint>(isBlueprintLike, {
  message: "must be a blueprint: { name, render(app), settingOf?, cacheKey? } (see sluice/blueprints)",
});

export const policySchema = z.strictObject({
  /**
   * How the clusters enforce the CEL rules at admission: "kubernetes"
   * (ValidatingAdmissionPolicy, no extra controller; default), "kyverno"
   * (Kyverno's policies.kyverno.io/v1 ValidatingPolicy) or "none".
   */
  admission: z.enum(["kubernetes", "kyverno", "none"]).optional(),
  /** Image registries apps may pull from, as prefixes ("registry.example.com/"); empty allows any. */
  registries: z.array(z.string().min(1)).optional(),
  /** The rule progressive-delivery (warn in production): apps that run more pods than this use progressive delivery. Default 4. */
  progressiveAbove: z.number().int().min(1).optional(),
  /** Labels every workload and Service must carry. Default: app.kubernetes.io/name and app.kubernetes.io/part-of. */
  requiredLabels: z.array(z.string().min(1)).optional(),
  /** Rule id → its severity on this platform, overriding the rule's own. */
  severity: z.record(ruleId, ruleOverrideSchema).optional(),
  /** The platform's own rules, next to the built-in ones (see `defineRule`). */
  rules: z
    .array(z.custom<Rule>(isRuleLike, { message: "must be a rule made with defineRule({ id, description, severity, on, check, ... })" }))
    .optional(),
});

/**
 * The workload settings a platform's environment or cluster may default:
 * all but `expose`, which is an app's own (the host it serves; a platform
 * default would give every service one host), and `ownedFields`, which name
 * the app's own objects.
 */
const { expose: _expose, ownedFields: _ownedFields, progressive: _progressive, ...platformSettingsShape } = settingsShape;

export const environmentSchema = z.strictObject({
  ...platformSettingsShape,
  /** The Pod Security Standard its team namespaces enforce. Default: "restricted" in production, "baseline" elsewhere. */
  podSecurity: podSecurityLevel.optional(),
  /** Each team namespace's ResourceQuota on its clusters; a team's own `quota` wins. */
  quota: quotaSchema.optional(),
  /** How its clusters sync: `{ automated = true, prune = false, selfHeal = true }`. */
  sync: syncSchema.optional(),
  /**
   * The env repo revision this environment's clusters follow (a branch, a
   * tag, a commit). Default: the platform's envRepo.revision. Pin production
   * to a tag and it moves only when the tag does, whatever merges to main.
   */
  revision: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/, { message: "must be a git branch, tag or commit" })
    .optional(),
  /** Whether this environment serves production: reviews flag its changes first. Default: its name starts with "prod". */
  production: z.boolean().optional(),
  /** What serves apps' `expose` on its clusters: `{ gateway: { name, namespace, listeners?, proxyNamespace? } }` or `{ ingress: { className, namespace, tlsIssuer? } }`; a cluster's own replaces it. */
  exposure: exposureSchema.optional(),
  /**
   * How a changed secret reaches the pods that read it as environment
   * variables: "reloader" (Stakater Reloader restarts them; each workload
   * names the Secrets it watches) or "files" (apps here read secrets only
   * from files, which the kubelet updates in place: a secret in `env` or
   * `envFrom` is an error at its line). Default: neither; secrets kept in
   * the env repo (SOPS, Sealed Secrets) roll the pods by their hash anyway.
   */
  secretRotation: z.enum(["reloader", "files"]).optional(),
  /** Freeze windows: when its clusters take no release (`gates` and `promote` refuse; Argo CD denies syncs). See Freeze window. */
  freeze: freezeSchema.optional(),
  /**
   * Progressive delivery on its clusters: the controller that runs apps' `progressive` plans and the metric
   * providers analyses query: `{ controller: "argo-rollouts", metrics: { prometheus: { prometheus: { address } } } }`.
   */
  progressiveDelivery: progressiveDeliverySchema.optional(),
});

/** The GitOps engines sluice renders for: those registered in src/engines/registry.ts. */
export const engineName = z.enum(ENGINE_NAMES);

/**
 * Each engine's settings, at the platform's top level under the engine's
 * name (`argocd: { namespace }`, `flux: { gitSecret }`), as its declaration
 * parses them: the fields, their defaults and their description are the
 * engine's (src/engines/<engine>/declaration.ts).
 */
const engineSettingsShape = Object.fromEntries(Object.values(ENGINES).map(({ name, settings }) => [name, settings])) as {
  readonly [Name in keyof typeof ENGINES]: (typeof ENGINES)[Name]["settings"];
};

/**
 * A Helm chart version that names exactly one release: "1.17.2" or
 * "v0.10.4-rc.1". Ranges ("^1.2", "1.x", ">=1"), "latest" and "*" float, so
 * the same env repo could install different code tomorrow.
 */
const chartVersion = z.string().regex(/^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/, {
  message: 'must be an exact chart version such as "1.17.2"; ranges, "latest" and "*" float and are refused',
});

/** Where a component's chart comes from: a Helm repository, or an OCI registry pinned by digest too. */
export const chartSchema = z.union([
  z.strictObject({
    /** The Helm repository's URL, e.g. "https://charts.external-secrets.io". */
    repository: z.url({ message: "must be the chart repository's https URL" }),
    /** The chart's name in the repository. */
    name: z.string().regex(/^[a-z0-9][-a-z0-9_.]*$/, { message: "must be a chart name such as external-secrets" }),
    version: chartVersion,
  }),
  z.strictObject({
    /** The chart as an OCI artifact: "oci://ghcr.io/org/charts/name". */
    oci: z.string().regex(/^oci:\/\/[a-z0-9.-]+(:[0-9]+)?(\/[a-z0-9._-]+)+$/, { message: 'must be "oci://<registry>/<path>/<chart>"' }),
    version: chartVersion,
    /** The artifact's digest: an OCI chart is pinned by it, not by the tag alone. */
    digest: z.string().regex(/^sha256:[a-f0-9]{64}$/, { message: 'must be the chart artifact\'s digest, "sha256:<64 hex>"' }),
  }),
]);

/**
 * A cluster add-on from a pinned Helm chart (the External Secrets operator,
 * an ingress controller), installed by the platform on every cluster or on
 * those listed.
 */
export const componentSchema = z.strictObject({
  /** The chart: `{ repository, name, version }` from a Helm repository, or `{ oci, version, digest }` from an OCI registry; the version is exact (ranges, `latest` and `*` are refused). */
  chart: chartSchema,
  /** The namespace it is installed in (created if missing). */
  namespace: dnsLabel,
  /** Helm values for every cluster. */
  values: z.record(z.string(), z.unknown()).optional(),
  /** Helm values per environment, merged over `values`. */
  environments: z.record(z.string(), z.strictObject({ values: z.record(z.string(), z.unknown()) })).optional(),
  /** The clusters it runs on. Default: every cluster. */
  clusters: z.array(z.string()).min(1).optional(),
  /** Other components that must be ready first. */
  dependsOn: z.array(z.string()).optional(),
  /**
   * What it installs that sluice's output relies on: "external-secrets", "sealed-secrets",
   * "metrics-server", "kyverno", "reloader". Apps with an ExternalSecret (a SealedSecret) wait for the
   * component that provides "external-secrets" ("sealed-secrets") on their cluster, and the env
   * repo's Prerequisites name it. Default: the one its chart is named after, if any; `[]` for none.
   */
  provides: z.array(capabilitySchema).optional(),
});

export const clusterSchema = z.strictObject({
  ...platformSettingsShape,
  /** The environment it belongs to, from the platform's `environments`. */
  environment: z.string(),
  /** The GitOps engine on this cluster. Default: the platform's `engine`; Argo CD for a cluster its hub manages (`managedBy`). */
  engine: engineName.optional(),
  /** The cluster's API server: where a hub's Argo CD deploys to it; for people and tools when its own Argo CD or Flux deploys in-cluster. */
  server: z.url({ message: "must be the API server URL, e.g. https://prod-eu-1.k8s.example.com" }),
  /** Argo CD on another cluster manages this one: `{ hub, credentials, shard? }` (see ManagedBy). Default: the cluster's own engine, in-cluster. */
  managedBy: managedBySchema.optional(),
  /**
   * A move of the cluster from one engine to another (`engine` is the one it
   * moves to), in two steps: `{ from, step: "adopt" }` then `{ from, step:
   * "handover" }`; see the README's playbook. Changing `engine` without it is
   * refused once the env repo holds the cluster.
   */
  move: moveSchema.optional(),
  /** Labels for its root object, for people and tools (region, provider). */
  labels: z.record(z.string(), z.string()).optional(),
  /** What serves apps' `expose` on it, replacing its environment's: `{ gateway: {…} }` or `{ ingress: {…} }`. */
  exposure: exposureSchema.optional(),
  /** Freeze windows of this cluster, in addition to its environment's. See Freeze window. */
  freeze: freezeSchema.optional(),
  /** The progressive delivery controller on this cluster and its metric providers; replaces its environment's whole. */
  progressiveDelivery: progressiveDeliverySchema.optional(),
});

export const gateSchema = z.strictObject({
  /** How long a release must run in this wave's previous wave before it may enter this one, e.g. "2h", "1d". */
  soak: z
    .string()
    .regex(/^([0-9]+[smhd])+$/, { message: 'must be a duration such as "30m", "2h" or "1d12h"' })
    .optional(),
  /** Who must approve a release into this wave; also added to CODEOWNERS for the wave's paths. */
  approvers: z.array(owner).optional(),
  /**
   * `true`: an app with progressive delivery here enters this wave only when the previous wave's env repo
   * renders its analyses at the release being promoted (a pre-merge check of the env repo: sluice reads no cluster).
   */
  analyses: z.boolean().optional(),
});

export const waveSchema = z.strictObject({
  /** The wave's name: what apps' `release` is keyed by. */
  name: dnsLabel,
  /** The clusters that receive a release together; every cluster is in exactly one wave. */
  clusters: z.array(z.string()).min(1, { message: "a wave needs at least one cluster" }),
  /** What a release needs before it enters this wave (see Gate). */
  gate: gateSchema.optional(),
});

export const teamSchema = z.strictObject({
  /** The team's CODEOWNERS owners ("@org/team"): they own its apps' manifests. */
  owners: z.array(owner).min(1, { message: "a team needs at least one owner" }),
  /** The namespaces the team deploys to; the first is its home (where Flux keeps its Kustomizations). A namespace has one team; the engines' and the system namespaces are reserved. */
  namespaces: z.array(dnsLabel).min(1, { message: "a team needs at least one namespace" }),
  /**
   * The team's SSO groups, as the identity provider's groups claim names them ("acme:payments"):
   * an Argo CD project role and, on Flux clusters, RoleBindings in the team's namespaces let them
   * view, sync (reconcile) and read the logs of the team's apps, and no one else's (see `access`).
   */
  groups: z.array(ssoGroup).min(1).optional(),
  /** The team's ResourceQuota in each of its namespaces, on every cluster; wins over the environment's. */
  quota: quotaSchema.optional(),
  /** The Pod Security Standard of the team's namespaces, everywhere; wins over the environment's. */
  podSecurity: podSecurityLevel.optional(),
  /**
   * Cluster-scoped kinds the team's apps may add, as "<group>/<Kind>"
   * ("scheduling.k8s.io/PriorityClass"); also allowed in its Argo CD project.
   * Kinds that would give the team the cluster (RBAC, admission, API
   * services, CRDs, External Secrets' cluster kinds, Namespace, Node,
   * PersistentVolume) are refused.
   */
  clusterResources: z
    .array(
      z
        .string()
        .regex(/^([a-z0-9.-]+\/)?[A-Z][A-Za-z0-9]*$/, { message: 'must be "<group>/<Kind>", e.g. "scheduling.k8s.io/PriorityClass"' }),
    )
    .optional(),
  /**
   * The age public keys ("age1…") of the team's own SOPS key (see
   * flux.decryptionSecret): each SOPS file its apps read must be encrypted to
   * one of them, and no file of another team may be. Default: unchecked.
   */
  sopsRecipients: z
    .array(z.string().regex(/^age1[02-9ac-hj-np-z]{20,}$/, { message: 'must be an age public key, "age1…", as age-keygen prints it' }))
    .min(1)
    .optional(),
  /** What the team is told of its apps, and where: `[{ channel: "payments-slack", on: ["sync-failed", "degraded"] }]`, channels from `notifications.channels`. */
  notify: z.array(subscriptionSchema).optional(),
});

const storeKeyPattern = z.string().regex(STORE_KEY_PATTERN, {
  message: 'must be a key pattern such as "{team}/*": "{team}" stands for the team\'s name, "*" for any characters',
});

/** An External Secrets store apps read from (see `secretStores`). */
export const secretStoreSchema = z.strictObject({
  /** "ClusterSecretStore" (serves every namespace) or "SecretStore" (one in each app's namespace). */
  kind: z.enum(["ClusterSecretStore", "SecretStore"]),
  /**
   * The keys of the store a team's apps may read, as patterns: "{team}" is
   * the team's name, "*" any run of characters ("/" included). Any other key
   * is refused at its line, as are keys with "." or ".." segments. Default
   * "{team}/*": a team reads the keys under its own name. "*" alone lets
   * every team read every key.
   */
  keys: z.union([storeKeyPattern, z.array(storeKeyPattern).min(1, { message: 'list at least one pattern, e.g. "{team}/*"' })]).optional(),
});

export const envRepoSchema = z.strictObject({
  url: z.string().regex(/^\S+$/, { message: "must be a git URL without spaces" }),
  /** The branch Argo CD follows. Default "main". */
  revision: z.string().min(1).optional(),
  /** Where the generated tree lives inside the env repo. Default: its root. */
  path: z
    .string()
    .regex(/^([a-z0-9][-a-z0-9_.]*)(\/[a-z0-9][-a-z0-9_.]*)*$/, { message: 'must be a relative path such as "deploy"' })
    .optional(),
  /**
   * "by-team" adds a directory level by team under apps/ and each cluster's
   * apps/, for fleets of more than 3,000 apps (see model/layout.ts). Default "flat".
   */
  layout: z.enum(ENV_LAYOUTS).optional(),
});

/** A field path in a custom resource, as dotted field names. */
function workloadPath(example: string) {
  return z.string().superRefine((path, context) => {
    if (WORKLOAD_PATH.test(path)) return;
    context.addIssue({
      code: "custom",
      message: `must be a path of field names joined by dots, such as "${example}", not ${JSON.stringify(path)}`,
      params: { hint: `write the path from the object's root without a leading dot, brackets or indexes, e.g. "${example}"` },
    });
  });
}

export const platformSchema = z.strictObject({
  /** The env repo: `{ url, revision = "main", path = "", layout = "flat" }` — the repo the clusters pull, the branch they follow, where `out/` lives in it, and "by-team" for a directory level by team under apps/ (fleets past 3,000 apps). */
  envRepo: envRepoSchema,
  /** The GitOps engine that pulls the env repo on each cluster: "argocd" or "flux"; a cluster may say otherwise. */
  engine: engineName,
  ...engineSettingsShape,
  /**
   * The platform's own Kubernetes objects, on every cluster: cluster-wide
   * ones (a ClusterIssuer, a StorageClass, a PriorityClass) and namespaced
   * ones in namespaces no team owns. The platform team owns them
   * (clusters/<cluster>/platform/objects.yaml); apps cannot add such objects.
   */
  objects: z
    .array(
      z.looseObject({
        apiVersion: z.string().min(1),
        kind: z.string().regex(/^[A-Z][A-Za-z0-9]*$/, { message: "must be a Kubernetes kind such as StorageClass" }),
        metadata: z.looseObject({ name: z.string().min(1), namespace: dnsLabel.optional() }),
      }),
    )
    .optional(),
  /** Cluster add-ons from pinned Helm charts, by name; apps may depend on them. */
  components: z.record(dnsLabel, componentSchema).optional(),
  /**
   * The platform team: owners of the env repo in CODEOWNERS, and in particular
   * of the GitOps objects under clusters/, the lock and the docs. Required:
   * an Application's project is what confines a team, so someone must own it.
   */
  owners: z
    .array(owner, {
      message: 'the platform needs owners, e.g. owners: ["@acme/platform"]: the GitOps objects in the env repo must be reviewed by someone',
    })
    .min(1, { message: "the platform needs at least one owner: the GitOps objects in the env repo must be reviewed by someone" }),
  /**
   * Where sluice keeps its section of the stacks repository's code owners
   * (the stack files → their teams, stacks/releases/<wave>/ → the wave's
   * approvers, out/ as in the env repo), between `# BEGIN sluice` and
   * `# END sluice` lines, leaving the rest of the file as written. Default:
   * the file the forge reads that exists (.github/CODEOWNERS, CODEOWNERS,
   * docs/CODEOWNERS, .gitlab/CODEOWNERS, relative to the repository's root),
   * else CODEOWNERS at the root, which GitHub and GitLab both read. `false`:
   * sluice leaves the stacks repository's code owners alone, and approvals
   * are then only as good as the file you keep.
   */
  stacksCodeowners: z
    .union([z.enum([".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS"]), z.literal(false)])
    .optional(),
  /** Where teams' notifications go: `{ channels: { <name>: { slack | teams | webhook } } }`; each team says what it gets in `teams.<team>.notify`. */
  notifications: notificationsSchema.optional(),
  /**
   * The analyses apps' progressive delivery runs, by name, written once for the fleet: a query on one of the
   * clusters' metric providers, its typed arguments, when it passes, how often it measures and how many failures
   * it tolerates. Rendered per app as an Argo Rollouts AnalysisTemplate or a Flagger MetricTemplate.
   */
  analyses: z.record(dnsLabel, analysisSchema).optional(),
  /**
   * Preview environments per pull request: the clusters that host them (never production), the apps
   * that may preview, the label that opens one, the most open at once per app, their lifetime, quota,
   * container defaults and host, the SCM, and how often the engine polls it. See Preview environments.
   */
  previews: previewsSchema.optional(),
  /** Classes of clusters with shared defaults (see Environment). */
  environments: z.record(dnsLabel, environmentSchema),
  /** The destinations (see Cluster). */
  clusters: z.record(dnsLabel, clusterSchema),
  /** The rollout order: a release reaches a wave only after every wave before it (see Wave). */
  waves: z.array(waveSchema).min(1, { message: "a platform needs at least one wave" }),
  /** Who owns what (see Team). */
  teams: z.record(dnsLabel, teamSchema),
  /**
   * What the teams' SSO groups (`teams.<team>.groups`) may do beyond viewing, syncing and reading
   * logs: `{ production: { delete, override }, nonProduction: { delete, override } }`. Default:
   * delete the apps' live objects and override a sync outside production only.
   */
  access: accessSchema.optional(),
  /**
   * Custom resources apps may add through `objects`, by apiVersion and kind,
   * with their scope (`spec.scope` of the CRD) and plural (`spec.names.plural`):
   * sluice cannot otherwise know whether a kind is namespaced, nor what RBAC
   * and admission rules call it. The plural may be left out (writing only the
   * scope) unless a team grant or a policy rule names the kind.
   * Cluster-scoped ones stay the platform's. A kind that makes pods declares
   * where its pod spec is (`podSpec: "spec.template.spec"`) and, if it
   * scales, its replica count (`replicas: "spec.replicas"`): the pod rules
   * then judge it before merge and at admission, and diff flags its image and
   * replica changes. An Argo Rollout (argoproj.io) needs no `podSpec`.
   */
  customResources: z
    .record(
      z.string().regex(/^[a-z0-9.-]+\/[a-z0-9]+$/, { message: 'must be an apiVersion such as "cert-manager.io/v1"' }),
      z.record(
        z.string().regex(/^[A-Z][A-Za-z0-9]*$/, { message: "must be a kind such as Certificate" }),
        z.union([
          z.enum(["Namespaced", "Cluster"]),
          z.strictObject({
            scope: z.enum(["Namespaced", "Cluster"]),
            plural: z
              .string()
              .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { message: "must be the CRD's spec.names.plural, lower case, e.g. certificates" }),
            podSpec: workloadPath("spec.template.spec").optional(),
            replicas: workloadPath("spec.replicas").optional(),
          }),
        ]),
      ),
    )
    .optional(),
  /**
   * The External Secrets stores apps read from, by their name in the
   * clusters. A SecretStore must exist in each app's namespace; a
   * ClusterSecretStore serves every namespace. With one store it is the
   * default; with several, environments, clusters or apps pick one with
   * `secretStore`, or a reference names its own `store`. Each is
   * `{ kind, keys = "{team}/*" }`: `keys` are the patterns of the keys a
   * team's apps may read ("{team}" is the team's name, "*" any characters);
   * any other key is an error at the reference.
   */
  secretStores: z.record(dnsLabel, secretStoreSchema).optional(),
  /** How often the External Secrets Operator reads stores again. Default "1h". */
  secretRefreshInterval: refreshInterval.optional(),
  /**
   * Secrets with data that may be deployed as they are, by "<app>/<name>"
   * ("platform/<name>" for the platform's own objects), each with the reason
   * (a public CA bundle, say). Any other Secret with
   * `data` or `stringData` fails synth: base64 is not encryption.
   */
  allowSecrets: z
    .record(
      z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, { message: 'must be "<app>/<Secret name>"' }),
      waiverReason,
    )
    .optional(),
  /** Waivers of plaintext findings in the platform's own settings (see allowLiteralsSchema). */
  allowLiterals: allowLiteralsSchema.optional(),
  /**
   * Where a release may be a plain tag that is not semver ("1.10", as many
   * public images are tagged): each rule allows them for images from a
   * registry (a prefix of the image; default any) in some environments
   * (default all), with the reason. Anywhere else a release is a semver tag,
   * a digest or a tag pinned by digest.
   */
  releases: z
    .strictObject({
      allowTags: z
        .array(
          z.strictObject({
            registry: z.string().min(1).optional(),
            environments: z.array(z.string()).min(1).optional(),
            reason: waiverReason,
          }),
        )
        .optional(),
    })
    .optional(),
  /** Policy: admission enforcement, approved registries, required labels, severities, the platform's own rules. */
  policy: policySchema.optional(),
  /**
   * The platform's own blueprints, by the name an app chooses them with
   * (`blueprint: "batch-job"`), next to the built-in "web-service": objects
   * with `name`, `render(app)` and optionally `settingOf` and `cacheKey` (see
   * `sluice/blueprints`, whose built-in ones a blueprint may wrap).
   */
  blueprints: z.record(dnsLabel, blueprintSchema).optional(),
  /**
   * Environment variables stacks may read while synth runs them. Any other
   * read is an error: output that depends on the environment differs between
   * a laptop and CI. Listed variables become part of what the caches are keyed by.
   */
  stackEnv: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: "must be an environment variable name" })).optional(),
});

export type PlatformInput = z.input<typeof platformSchema>;
export type EnvironmentInput = z.input<typeof environmentSchema>;
export type ClusterInput = z.input<typeof clusterSchema>;
export type WaveInput = z.input<typeof waveSchema>;
export type TeamInput = z.input<typeof teamSchema>;
