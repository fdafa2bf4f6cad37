import type { KubernetesObject } from "../k8s/object.js";
import type { AppModel, ClusterModel, RawObject } from "./model.js";
import type { ResolvedApp } from "./resolved.js";

/**
 * The public rule API: what the built-in rules in lib/rules are written
 * against, and what a platform team writes its own rules with.
 *
 * A rule is data. Most rules are a CEL expression over one rendered object
 * (`CelRule`): sluice evaluates it before merge, and exports the very same
 * expression as admission policy (ValidatingAdmissionPolicy or Kyverno
 * ValidatingPolicy) so that the clusters enforce what review enforced.
 * Rules that need the typed model rather than one object are TypeScript
 * functions (`InstanceRule`, `FleetRule`): they run before merge only.
 *
 * Part of the model: a platform holds its rules (`PolicySettings`), and a
 * rule reads the model's apps and clusters. Evaluating them is src/policy/.
 */

export type Severity = "error" | "warn";
/** A severity, or "off" to not apply the rule. */
export type SeveritySetting = Severity | "off";

interface RuleBase {
  /** Stable, lower-case and dashed: what findings, waivers and the admission policy are named by. */
  readonly id: string;
  /** One sentence: what the rule asks for and why. */
  readonly description: string;
  /** The severity everywhere, unless `production` or `environments` say otherwise ("off": only where they do). */
  readonly severity: SeveritySetting;
  /** The severity on clusters of environments that serve production. */
  readonly production?: SeveritySetting;
  /** The severity per environment name; wins over `production`. */
  readonly environments?: Readonly<Record<string, SeveritySetting>>;
  /** Whether an app may waive the rule. Default true. */
  readonly waivable?: boolean;
  /** What to change, in the user's terms: the finding's hint. */
  readonly hint?: string;
}

/** What a CEL rule's expression sees besides `object` (and `pod`/`container`). */
export interface PolicyContext {
  /** The platform's approved image registries (prefixes such as "registry.example.com/"). */
  readonly registries: readonly string[];
  /** Labels every workload must carry. */
  readonly requiredLabels: readonly string[];
  /** Team → the cluster-scoped kinds ("<group>/<Kind>") the platform grants it. */
  readonly clusterResources: Readonly<Record<string, readonly string[]>>;
  /** Apps that run more pods than this move their releases progressively (rule progressive-delivery). Default 4. */
  readonly progressiveAbove?: number;
}

/**
 * A rule over one rendered object, as a CEL expression that is true when the
 * object complies — the language of Kubernetes ValidatingAdmissionPolicy and
 * Kyverno's ValidatingPolicy, limited to what both evaluate the same way
 * (standard CEL with `has()`, the macros, and string functions).
 *
 * `on` says what the expression is about:
 * - "object": the whole object, as `object`, for the kinds in `kinds`;
 * - "pod": the pod spec of any kind with one (Pod, Deployment, StatefulSet,
 *   DaemonSet, ReplicaSet, ReplicationController, Job, CronJob,
 *   PodTemplate, and an Argo Rollout or a custom resource with a `podSpec`
 *   where the platform declares them: see k8s/workloads.ts), as `pod`, with
 *   `object` too;
 * - "container": each container and init container of that pod spec, as
 *   `container`: a finding names the container, and admission checks that
 *   every container passes.
 */
export interface CelRule extends RuleBase {
  readonly on: "object" | "pod" | "container";
  /**
   * The kinds it applies to, as "<group>/<Kind>" ("apps/Deployment") or
   * "<Kind>" for the core group ("Service"). Required for "object"; for
   * "pod" and "container", narrows the workload kinds.
   */
  readonly kinds?: readonly string[];
  /**
   * Values the expression reads as `variables.<name>`, from the platform's
   * policy settings; exported to admission as CEL literals.
   */
  readonly variables?: (context: PolicyContext) => Readonly<Record<string, JsonValue>>;
  /** True when the object complies. */
  readonly check: string;
  /** What is wrong, said to the person who must change it. */
  readonly message: string;
  /**
   * The field to change, relative to the subject (`object`, the pod spec, or
   * the container), e.g. ".resources" or ".spec.replicas": where a finding
   * points in the stack (admission policies have no field path to carry it).
   */
  readonly field?: string;
}

/** One rendered app instance, as an instance rule sees it. */
export interface InstanceInput {
  readonly app: ResolvedApp;
  /** The instance's objects, as they will be written. */
  readonly objects: readonly KubernetesObject[];
  readonly context: PolicyContext;
}

/** Something an instance rule found. */
export interface Violation {
  readonly message: string;
  /** The object at fault: an element of `objects`. Default: none (the app itself). */
  readonly object?: KubernetesObject;
  /** The field within `object` to change, as path segments. */
  readonly field?: readonly (string | number)[];
  /** The setting to change, as a dotted path ("replicas", "autoscaling.min", "resources"). */
  readonly setting?: string;
}

/** A rule over one app instance as a whole (its settings and all its objects). Pre-merge only. */
export interface InstanceRule extends RuleBase {
  readonly on: "instance";
  check(input: InstanceInput): readonly Violation[];
}

/** The apps on one cluster, as a fleet rule sees them. */
export interface FleetInput {
  readonly cluster: ClusterModel;
  /**
   * Each app running there, with its raw objects followed by the route or
   * Ingress its `expose` gives it there (host and path only; its origin is
   * the line that sets the host).
   */
  readonly apps: readonly { readonly app: AppModel; readonly objects: readonly RawObject[] }[];
  /** The platform's own objects, which are on every cluster (its Argo CD's Ingress, say). Default: none. */
  readonly platformObjects?: readonly RawObject[];
}

/** Something a fleet rule found, in one app. */
export interface FleetViolation {
  readonly app: string;
  readonly message: string;
  /** Index into that app's `objects`. */
  readonly object?: number;
  readonly field?: readonly (string | number)[];
}

/** A rule across the apps on one cluster (two apps claiming one host, say). Pre-merge only. */
export interface FleetRule extends RuleBase {
  readonly on: "fleet";
  check(input: FleetInput): readonly FleetViolation[];
}

export type Rule = CelRule | InstanceRule | FleetRule;

export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** Types a rule in place: `export const costCenter = defineRule({ ... })`. */
export function defineRule<R extends Rule>(rule: R): R {
  return rule;
}

/** The platform's say over a rule: its severity, per environment or in production. */
export interface RuleOverride {
  readonly severity?: SeveritySetting;
  readonly production?: SeveritySetting;
  readonly environments?: Readonly<Record<string, SeveritySetting>>;
}

/** Kubernetes ValidatingAdmissionPolicy, Kyverno ValidatingPolicy, or no admission policy. */
export type AdmissionBackend = "kubernetes" | "kyverno" | "none";

/** What the platform says about policy (platform `policy`), validated. */
export interface PolicySettings {
  readonly admission: AdmissionBackend;
  readonly registries: readonly string[];
  readonly requiredLabels: readonly string[];
  /** See PolicyContext.progressiveAbove. */
  readonly progressiveAbove?: number;
  /** Rule id → the platform's severity for it. */
  readonly override: Readonly<Record<string, RuleOverride>>;
  /** The platform's own rules, after the built-in ones. */
  readonly rules: readonly Rule[];
}
