import type { KubernetesObject } from "../k8s/object.js";
import type { AppInput } from "../model/app-schema.js";
import type { ClusterInput, PlatformInput, WaveInput } from "../model/platform-schema.js";
import type { AnalysisInput } from "../model/progressive-schema.js";
import type { Settings } from "../model/settings-schema.js";
import type { Blueprint } from "../model/rendered.js";
import type { BuiltInBlueprintName } from "../model/blueprint-names.js";
import type { AppKind, KindSettingName, SettingName } from "../model/app-kinds.js";

/**
 * The authoring types. Their shapes come from the zod schemas in src/model;
 * only the name fields are narrowed here to the literal names declared in the
 * platform, so that a misspelt environment, cluster, wave or team is a type
 * error at the line where it is written.
 *
 * `NoInfer` keeps the names declared where they are *defined* (the keys of
 * `environments`, `clusters` and `teams`, the `name` of each wave): a typo in a
 * cluster's `environment` or a wave's `clusters` must not widen the union.
 */
export type PlatformSpec<
  E extends string,
  C extends string,
  W extends string,
  T extends string,
  B extends string = never,
  A extends string = never,
> = Omit<PlatformInput, "environments" | "clusters" | "waves" | "teams" | "blueprints" | "analyses"> & {
  environments: { readonly [K in E]: PlatformInput["environments"][string] };
  clusters: { readonly [K in C]: ClusterSpec<NoInfer<E>, NoInfer<C>> };
  waves: readonly WaveSpec<W, NoInfer<C>>[];
  teams: { readonly [K in T]: PlatformInput["teams"][string] };
  /** The platform's own blueprints, by the name apps choose them with (`blueprint: "batch-job"`); each kind's blueprint is built in under the kind's name. */
  blueprints?: { readonly [K in B]: Blueprint };
  /** The analyses apps' progressive plans run, by the name they are named with (see Progressive delivery). */
  analyses?: { readonly [K in A]: AnalysisInput };
};

export type ClusterSpec<E extends string, C extends string = string> = Omit<ClusterInput, "environment" | "managedBy"> & {
  environment: E;
  /** Argo CD on another cluster of the platform, the hub, manages this one: `{ hub, credentials, shard? }`. Default: its own engine, in-cluster. */
  managedBy?: Omit<NonNullable<ClusterInput["managedBy"]>, "hub"> & { hub: C };
};

export type WaveSpec<W extends string, C extends string> = Omit<WaveInput, "name" | "clusters"> & {
  name: W;
  clusters: readonly C[];
};

/** The names a platform declares; apps are typed against them. */
export interface PlatformNames {
  environment: string;
  cluster: string;
  wave: string;
  team: string;
  /** The platform's own blueprints (a platform that registers none has no such name). */
  blueprint?: string;
  /** The platform's analyses (a platform that declares none has no such name). */
  analysis?: string;
}

/** The names of a platform's own blueprints: never for a platform that registers none. */
export type BlueprintNames<N extends PlatformNames> = N extends { blueprint: infer B extends string } ? B : never;

/** The names of a platform's analyses: never for a platform that declares none. */
export type DeclaredAnalyses<N extends PlatformNames> = N extends { analysis: infer A extends string } ? A : never;

/** The analyses an app may name: any string for a platform that declares none (validation says which it lacks). */
export type AnalysisNames<N extends PlatformNames> = [DeclaredAnalyses<N>] extends [never] ? string : DeclaredAnalyses<N>;

/** The names of a platform, with `blueprint` only when it registers blueprints and `analysis` only when it declares analyses. */
export type NamesOf<E extends string, C extends string, W extends string, T extends string, B extends string, A extends string = never> = [
  A,
] extends [never]
  ? [B] extends [never]
    ? { environment: E; cluster: C; wave: W; team: T }
    : { environment: E; cluster: C; wave: W; team: T; blueprint: B }
  : [B] extends [never]
    ? { environment: E; cluster: C; wave: W; team: T; analysis: A }
    : { environment: E; cluster: C; wave: W; team: T; blueprint: B; analysis: A };

/** An analysis as an app names it: one of the platform's, by name, or by name with its arguments' values. */
export type AnalysisRefSpec<A extends string> = A | { readonly name: A; readonly args?: { readonly [arg: string]: number | string } };

/** A canary step's pause: a duration in one unit ("30s", "5m", "1h", "1d"), or "manual": until someone promotes it. */
export type StepPause = `${number}${"s" | "m" | "h" | "d"}` | "manual";

/**
 * service: how a release moves inside a cluster, its analyses named from the platform's `analyses`
 * (see Settings["progressive"]; the schema checks the rest: weights 1–100 and rising, one strategy).
 */
export type ProgressiveSpec<A extends string> =
  | false
  | {
      readonly canary?: {
        readonly steps: readonly { readonly weight?: number; readonly pause?: StepPause; readonly analysis?: AnalysisRefSpec<A> }[];
        readonly background?: readonly AnalysisRefSpec<A>[];
        readonly replicaBased?: true;
      };
      readonly blueGreen?: {
        readonly previewExposure?: { readonly host: string };
        readonly autoPromote?: boolean;
        readonly analysis?: readonly AnalysisRefSpec<A>[];
      };
      readonly adoptDeployment?: true;
    };

/**
 * Settings written as an override: every field optional at every depth.
 * An interface rather than an alias so that type errors name it instead of
 * spelling out its whole shape.
 */
export interface Override extends Settings {}

/**
 * The settings an app of one kind writes (`A`: the analyses its progressive plan may name; a helper
 * typed without them can set a plan that names none): its kind's, with every other
 * kind's refused (`?: never`), so that `ports` on a cron job or a `schedule`
 * on a service is a type error at the line where it is written.
 */
export type KindSettings<K extends AppKind, A extends string = never> = Omit<Pick<Settings, KindSettingName<K>>, "progressive"> &
  ("progressive" extends KindSettingName<K> ? { progressive?: ProgressiveSpec<A> } : unknown) & {
    readonly [S in Exclude<SettingName, KindSettingName<K>>]?: never;
  };

/** What every app writes, whatever its kind. */
type AppCommon<N extends PlatformNames> = Omit<
  AppInput,
  "kind" | "team" | "blueprint" | "release" | "environments" | "clusters" | "objects" | "waivers" | SettingName
> & {
  /** The blueprint that renders the app: its kind's built-in one (the default) or one the platform registers in `blueprints` for that kind. */
  blueprint?: BlueprintNames<N> | BuiltInBlueprintName;
  /** The owning team, from the platform's `teams`. */
  team: N["team"];
  /**
   * The release (immutable tag or digest) each wave runs. A wave without a
   * release does not run the app; releases must cover a prefix of the wave
   * order, since a release reaches a wave only after the waves before it.
   */
  release: { readonly [K in N["wave"]]?: string };
  /** Extra Kubernetes objects rendered as written, next to the app's own. */
  objects?: readonly KubernetesObject[];
  /**
   * Policy rules this app does not follow, by rule id, with the reason, an
   * optional expiry date ("2027-03-31") and optionally only on some clusters.
   */
  waivers?: { readonly [rule: string]: Waiver<N["cluster"]> };
};

/** An app of one kind: its kind's settings, and overrides of them per environment and per cluster. */
export type AppOfKind<N extends PlatformNames, K extends AppKind> = AppCommon<N> &
  KindSettings<NoInfer<K>, AnalysisNames<N>> &
  (NoInfer<K> extends "cronJob" ? { readonly schedule: string } : unknown) & {
    /** What the app is: "service" (the default), "worker", "cronJob", "job" or "statefulService". */
    readonly kind?: K;
    /**
     * Overrides for every cluster of an environment. Analyses are named as strings here (validation
     * checks them, at their line): the platform's names would make the type TypeScript prints for a
     * misspelt environment or cluster too long to show them all.
     */
    environments?: { readonly [E in N["environment"]]?: KindSettings<NoInfer<K>, string> };
    /** Overrides for one cluster; they win over environment overrides. */
    clusters?: { readonly [C in N["cluster"]]?: KindSettings<NoInfer<K>, string> };
  };

/**
 * An app: one of the kinds (see app-kinds.ts) — a `service` unless `kind`
 * says otherwise — with the settings of that kind.
 */
export type AppSpec<N extends PlatformNames> = { [K in AppKind]: AppOfKind<N, K> }[AppKind];

/** A waiver of one policy rule (see AppSpec.waivers). */
export interface Waiver<C extends string = string> {
  /** Why, in a sentence a security reviewer can check. */
  readonly reason: string;
  /** "YYYY-MM-DD": from that day on, the waiver is an error. */
  readonly expires?: string;
  /** Only on these clusters. Default: every cluster the app runs on. */
  readonly clusters?: readonly C[];
}
