import type { EnvLayout } from "./layout.js";
import type { TeamAccess } from "./access-schema.js";
import type { AppKind } from "./app-kinds.js";
import type { CustomResources } from "../k8s/kinds.js";
import type { KubernetesObject } from "../k8s/object.js";
import type { Capability } from "./capabilities.js";
import type { Origin } from "./origin.js";
import type { PolicySettings } from "./rule.js";
import type { Blueprint } from "./rendered.js";
import type { PlatformSettings, Settings } from "./settings-schema.js";
import type { ExposureSpec } from "./exposure-schema.js";
import type { FreezeWindow } from "./freeze-schema.js";
import type { ArgType, MetricProviderInput, ProgressiveController } from "./progressive-schema.js";
import type { PreviewsInput } from "./preview-schema.js";
import type { ChannelModel, Subscription } from "./notifications.js";

/**
 * The validated model: the stacks' declarations after schema and
 * cross-reference checks, with defaults filled in and every name known to
 * exist. Resolve builds on this; nothing here is merged yet.
 */
export interface Model {
  readonly platform: PlatformModel;
  /** Sorted by name. */
  readonly apps: readonly AppModel[];
  /** The stack files, relative to the project root, sorted. */
  readonly files: readonly string[];
  /** The stacks directory, relative to the project root ("stacks"): release files are under its releases/. */
  readonly stacks: string;
  /** What runs before what on each cluster (see src/pipeline/validate/order.ts). */
  readonly order: Ordering;
}

/** Something an app or component waits for: another app, or a platform component. */
export interface Dependency {
  readonly kind: "app" | "component";
  readonly name: string;
}

/** The declared dependencies, checked and laid out per cluster. */
export interface Ordering {
  /** The position in the cluster's sync order: 0 for what depends on nothing, else one more than its deepest dependency. */
  depth(cluster: string, node: Dependency): number;
  /** What it waits for on that cluster, in name order. */
  dependencies(cluster: string, node: Dependency): readonly Dependency[];
}

export interface SyncPolicy {
  readonly automated: boolean;
  readonly prune: boolean;
  readonly selfHeal: boolean;
}

export interface PlatformModel {
  readonly origin: Origin;
  /** `layout`: where app instances' files sit (see layout.ts). */
  readonly envRepo: { readonly url: string; readonly revision: string; readonly path: string; readonly layout: EnvLayout };
  /** The default engine; each cluster says which it runs. */
  readonly engine: EngineName;
  /** Each registered engine's settings, defaults filled in, by the engine's name (see engine-names.ts). */
  readonly engineSettings: EngineSettings;
  /** The platform's own objects, on every cluster, with their scope, in the order written. */
  readonly objects: readonly (RawObject & { readonly scope: "Namespaced" | "Cluster" })[];
  /** Cluster add-ons from pinned Helm charts, sorted by name. */
  readonly components: readonly ComponentModel[];
  /** The analyses of apps' progressive delivery, by name (see progressive-schema.ts). */
  readonly analyses: Readonly<Record<string, AnalysisModel>>;
  /** Preview environments, when the platform declares them (see preview-schema.ts). */
  readonly previews?: PreviewsModel;
  readonly owners: readonly string[];
  /** Where sluice's section of the stacks repository's CODEOWNERS goes; undefined: the default place, false: nowhere. */
  readonly stacksCodeowners?: string | false;
  /** Sorted by name. */
  readonly environments: readonly EnvironmentModel[];
  /** Sorted by name. */
  readonly clusters: readonly ClusterModel[];
  /** In rollout order. */
  readonly waves: readonly WaveModel[];
  /** Sorted by name. */
  readonly teams: readonly TeamModel[];
  /** What the teams' SSO groups may do in production and elsewhere, defaults filled in. */
  readonly access: TeamAccess;
  /** apiVersion → kind → scope (and plural, where declared) of the custom resources apps may add. */
  readonly customResources: CustomResources;
  readonly secrets: SecretsPolicy;
  /** Environment variables stacks may read (see platform-schema.ts). */
  readonly stackEnv: readonly string[];
  readonly policy: PolicySettings;
  /** The platform's own blueprints, by the name apps choose them with (the built-in ones are not listed). */
  readonly blueprints: Readonly<Record<string, Blueprint>>;
  /** Where teams' notifications go, sorted by name (see notifications-schema.ts). */
  readonly channels: readonly ChannelModel[];
  /** Where plain, non-semver tags are allowed as releases (see platform-schema.ts). */
  readonly allowTags: readonly { readonly registry?: string; readonly environments?: readonly string[]; readonly reason: string }[];
}

export type { EngineName, EngineSettings } from "./engine-names.js";
import type { EngineName, EngineSettings } from "./engine-names.js";

export type Chart =
  | { readonly repository: string; readonly name: string; readonly version: string }
  | { readonly oci: string; readonly version: string; readonly digest: string };

/** A cluster add-on from a pinned Helm chart (see platform-schema.ts). */
export interface ComponentModel {
  readonly name: string;
  readonly chart: Chart;
  readonly namespace: string;
  readonly values: Readonly<Record<string, unknown>>;
  /** Environment → values merged over `values`. */
  readonly environmentValues: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** The clusters it runs on, sorted. */
  readonly clusters: readonly string[];
  readonly dependsOn: readonly string[];
  /** What it installs that the output relies on (see capabilities.ts), sorted. */
  readonly provides: readonly Capability[];
  readonly origin: Origin;
}

export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

/** A namespace's ResourceQuota, by the quota's keys ("requests.cpu", "pods"). */
export type Quota = Readonly<Record<string, string | number>>;

/** The platform's secret stores and what it allows in plaintext (see platform-schema.ts). */
export interface SecretsPolicy {
  /** Each store's kind, and the key patterns a team reads from it ("{team}" is the team's name). */
  readonly stores: Readonly<Record<string, { readonly kind: "ClusterSecretStore" | "SecretStore"; readonly keys: readonly string[] }>>;
  readonly refreshInterval: string;
  /** "<app>/<Secret name>" → why that Secret may carry data. */
  readonly allowSecrets: Readonly<Record<string, string>>;
  /** Property path → why the literal there is not a secret. */
  readonly allowLiterals: Readonly<Record<string, string>>;
}

export interface EnvironmentModel {
  readonly name: string;
  readonly settings: PlatformSettings;
  readonly sync: SyncPolicy;
  /** The env repo revision its clusters' roots and Applications follow. */
  readonly revision: string;
  /** Serves production (declared, or named prod…). */
  readonly production: boolean;
  /** The Pod Security Standard its team namespaces enforce. */
  readonly podSecurity: PodSecurityLevel;
  readonly quota?: Quota;
  /** What serves apps' `expose` on its clusters, unless a cluster names its own. */
  readonly exposure?: Exposure;
  /** How a changed secret reaches pods that read it as environment variables (see platform-schema.ts). */
  readonly secretRotation?: "reloader" | "files";
  /** Its freeze windows, in the order written. */
  readonly freeze: readonly FreezeWindow[];
  readonly origin: Origin;
}

/** What serves apps' `expose` on a cluster, as declared, with where it was declared. */
export type Exposure = ExposureSpec & { readonly origin: Origin };

export interface ClusterModel {
  readonly name: string;
  readonly environment: string;
  /** The GitOps engine on the cluster. */
  readonly engine: EngineName;
  readonly server: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly wave: string;
  readonly settings: PlatformSettings;
  /** What serves apps' `expose` here: the cluster's own `exposure`, or its environment's. */
  readonly exposure?: Exposure;
  /** The hub whose Argo CD manages it; absent, its own engine deploys in-cluster. */
  readonly managedBy?: ManagedBy;
  /**
   * A move between engines under way: `engine` above is the one whose
   * objects are at clusters/<cluster>/ — the old one while adopting, the new
   * one from the handover — and `to` writes under clusters/<cluster>/<to>/.
   */
  readonly move?: EngineMove;
  /** The freeze windows in force on it: its environment's, then its own (they add up). */
  readonly freeze: readonly FreezeWindow[];
  /** The progressive delivery controller here: the cluster's own `progressiveDelivery`, or its environment's. */
  readonly progressiveDelivery?: ProgressiveDelivery;
  readonly origin: Origin;
}

/** The controller that runs apps' progressive plans on a cluster, and its metric providers (see progressive-schema.ts). */
export interface ProgressiveDelivery {
  readonly controller: ProgressiveController;
  /** The controller's namespace. */
  readonly namespace: string;
  /** Metric providers by name. */
  readonly metrics: Readonly<Record<string, MetricProviderInput>>;
  readonly origin: Origin;
}

/** One of the platform's analyses, with its defaults (see progressive-schema.ts). */
export interface AnalysisModel {
  readonly name: string;
  readonly metric: string;
  readonly query: string;
  /** Argument name → its type and default. */
  readonly args: Readonly<Record<string, { readonly type: ArgType; readonly default?: number | string }>>;
  readonly max?: number | string;
  readonly min?: number | string;
  readonly interval: string;
  readonly count: number;
  readonly failureLimit: number;
  readonly origin: Origin;
}

/** A cluster's move between engines (see move-schema.ts). */
export interface EngineMove {
  readonly from: EngineName;
  readonly to: EngineName;
  readonly step: "adopt" | "handover";
  readonly origin: Origin;
}

/** A spoke's hub and how the hub's Argo CD reaches it (see hub-schema.ts). */
export interface ManagedBy {
  readonly hub: string;
  readonly credentials:
    | {
        readonly key: string;
        readonly property: string;
        readonly store: { readonly name: string; readonly kind: "ClusterSecretStore" | "SecretStore" };
      }
    | { readonly secret: string };
  readonly shard?: number;
  readonly origin: Origin;
}

export interface WaveModel {
  readonly name: string;
  /** 0-based position in the rollout. */
  readonly index: number;
  /** Sorted by name. */
  readonly clusters: readonly string[];
  /** `analyses`: the previous wave must render the app's analyses at the release (see platform-schema.ts). */
  readonly gate: { readonly soak?: string; readonly approvers: readonly string[]; readonly analyses?: boolean };
  readonly origin: Origin;
}

export interface TeamModel {
  readonly name: string;
  readonly owners: readonly string[];
  readonly namespaces: readonly string[];
  /** The team's SSO groups (see platform-schema.ts), sorted; empty when the platform names none. */
  readonly groups: readonly string[];
  readonly quota?: Quota;
  readonly podSecurity?: PodSecurityLevel;
  /** Cluster-scoped kinds ("<group>/<Kind>") its apps may add. */
  readonly clusterResources: readonly string[];
  /** The team's own SOPS key's age public keys; empty when the platform does not say. */
  readonly sopsRecipients: readonly string[];
  /** What it is told of its apps, on which channels, in the order written (one entry per channel). */
  readonly notify: readonly Subscription[];
  readonly origin: Origin;
}

/** A rule an app does not follow, and why (see app-schema.ts). */
export interface Waiver {
  readonly reason: string;
  /** "YYYY-MM-DD": an error from that day on. */
  readonly expires?: string;
  /** Only on these clusters; default: everywhere. */
  readonly clusters?: readonly string[];
  readonly origin: Origin;
}

/** Who may call an app: another app, or every pod of a namespace; on the ports named (all of the app's when none are). */
export type Caller = ({ readonly app: string } | { readonly namespace: string }) & { readonly ports?: readonly string[] };

export interface AppModel {
  readonly name: string;
  readonly team: string;
  readonly image: string;
  readonly namespace: string;
  readonly partOf: string;
  /** What it is (see app-kinds.ts): which settings it takes, and the blueprint it renders with by default. */
  readonly kind: AppKind;
  /** The blueprint it chose, by name; none renders with its kind's built-in one (see blueprint-names.ts). */
  readonly blueprint?: string;
  /** Wave name → release, only for the waves the app runs in. */
  readonly release: Readonly<Record<string, string>>;
  readonly settings: Settings;
  readonly environmentOverrides: Readonly<Record<string, Settings>>;
  readonly clusterOverrides: Readonly<Record<string, Settings>>;
  readonly objects: readonly RawObject[];
  /** Property path → why the literal there is not a secret. */
  readonly allowLiterals: Readonly<Record<string, string>>;
  /** Rule id → the waiver. */
  readonly waivers: Readonly<Record<string, Waiver>>;
  readonly callers: readonly Caller[];
  /** Apps and components it waits for, by name, as written. */
  readonly dependsOn: readonly string[];
  /**
   * Wave → where a release file (platform.release) sets its release, for the
   * waves whose release is not kept in the app's own stack. See
   * releaseOriginOf() and releaseFileOf().
   */
  readonly releaseOrigins: Readonly<Record<string, Origin>>;
  /** Its preview environments' settings over the preview cluster's, when it opts in (see preview-schema.ts). */
  readonly preview?: { readonly settings: Settings; readonly origin: Origin };
  readonly origin: Origin;
}

/** The platform's preview environments, defaults filled in (see preview-schema.ts). */
export interface PreviewsModel {
  /** Sorted. */
  readonly clusters: readonly string[];
  readonly apps: readonly string[];
  readonly label: string;
  readonly maxOpen: number;
  readonly lifetime: string;
  readonly quota: Quota;
  readonly limits: {
    readonly default: { readonly cpu?: string; readonly memory?: string };
    readonly defaultRequest: { readonly cpu?: string; readonly memory?: string };
  };
  readonly host: string;
  readonly tag: string;
  /** Where the engine lists labelled pull requests; undefined: previews are opened by records (`opened`). */
  readonly scm?: NonNullable<PreviewsInput["scm"]>;
  readonly targetBranch?: string;
  readonly poll: string;
  /** The previews opened by records (platform.preview), by app then number. */
  readonly opened: readonly OpenedPreview[];
  readonly origin: Origin;
}

/** Pull request `number`'s preview of `app`, opened by a record in stacks/previews/ (see Platform.preview). */
export interface OpenedPreview {
  readonly app: string;
  readonly number: number;
  /** The pull request's head commit, when the record names it. */
  readonly sha?: string;
  /** The record's call. */
  readonly origin: Origin;
}

/** Where an app's release for a wave is written: in its release file, or in the app's own `release`. */
export function releaseOriginOf(app: Pick<AppModel, "releaseOrigins" | "origin">, wave: string): Origin {
  return Object.hasOwn(app.releaseOrigins, wave)
    ? app.releaseOrigins[wave]!
    : { ...app.origin, path: [...(app.origin.path ?? []), "release", wave] };
}

/** The stack file that holds an app's release for a wave: its release file, or the app's own stack. */
export function releaseFileOf(app: Pick<AppModel, "releaseOrigins" | "origin">, wave: string): string {
  return releaseOriginOf(app, wave).file;
}

export interface RawObject {
  readonly object: KubernetesObject;
  readonly origin: Origin;
}
