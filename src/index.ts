/**
 * sluice's public surface. Stacks, blueprints in lib/ and programs that
 * drive sluice import from here and from nowhere else.
 */

// Reading objects, for rules and blueprints. Before the programmatic API:
// lib/ imports this module while the engine that loads lib/ is still loading,
// and the built-in rules read SERVING_WORKLOADS as they are defined.
export { isKind } from "./k8s/is-kind.js";
export type { KnownKinds, ObjectOfKind } from "./k8s/is-kind.js";
export { SERVING_WORKLOADS, podSpecOf, workloadOf } from "./k8s/workloads.js";
export type { Workload } from "./k8s/workloads.js";

// The DSL
export { definePlatform } from "./dsl/platform.js";
export { externalSecret, sealedSecret, secret, sopsSecret } from "./dsl/secrets.js";
export type { ExternalSecretSource, SealedSecretSource, SecretKey, SecretSource, SopsSecretSource, WholeSecret } from "./dsl/secrets.js";
export type { App, Platform, Release } from "./dsl/platform.js";
export type { AppSpec, ClusterSpec, Override, PlatformNames, PlatformSpec, Waiver, WaveSpec } from "./dsl/types.js";
export type { KubernetesObject } from "./k8s/object.js";
export type { Settings } from "./model/settings-schema.js";

// Building blueprints
export type { Blueprint, Rendered, RenderedDocument, RenderedObject } from "./model/rendered.js";
export type { ResolvedApp, ResolvedProbe, ResolvedSecret, ResolvedSecretSource, ResolvedSettings, SecretKeySelector } from "./model/resolved.js";
export type {
  AppModel,
  ClusterModel,
  EnvironmentModel,
  Model,
  PlatformModel,
  RawObject,
  SyncPolicy,
  TeamModel,
  WaveModel,
} from "./model/model.js";
export { podLabels, recommendedLabels, selectorLabels, versionLabel } from "./k8s/labels.js";
export { toYaml, toYamlDocuments } from "./k8s/yaml.js";

// Reporting
export type { Origin } from "./model/origin.js";
export { formatOrigin, formatPath } from "./model/origin.js";
export type { Diagnostic } from "./model/diagnostic.js";
export { formatDiagnostic } from "./model/diagnostic.js";
export { SluiceError, InternalError, isSluiceError, PolicyViolation, isPolicyViolation } from "./errors.js";
export { pinpoint } from "./pipeline/locate.js";

// The programmatic API
export { checkPolicy, diff, plan, synth } from "./synth.js";
export type { CheckResult, DiffOptions, Planned, PlanOptions, Stage, SynthOptions, SynthResult } from "./synth.js";
export type { ClusterDiff, DiffBase, DiffResult } from "./diff/diff.js";
export type { Attention, AttentionKind, ClusterInfo } from "./diff/attention.js";
export type { FileChange, ObjectChange } from "./diff/changes.js";
export type { FieldChange } from "./diff/fields.js";
export { promote, release, rollback } from "./promote/promote.js";
export { status } from "./promote/status.js";
export type { AppStatus, NextStep, StatusResult, WaveStatus } from "./promote/status.js";
export { gates } from "./promote/gates.js";
export { publish } from "./publish/publish.js";
export type { PublishOptions, PublishResult } from "./publish/publish.js";
export type { GatesResult } from "./promote/gates.js";
export type { PromoteOptions, Promotion, Refusal } from "./promote/promote.js";
export type { FilePlan, Lock, PlannedFile, PlannedObject } from "./model/plan.js";
export type { Drift } from "./pipeline/compare.js";
export type { WriteResult } from "./pipeline/write.js";

// Policy
export { defineRule } from "./policy/rule.js";
export type {
  CelRule,
  FleetInput,
  FleetRule,
  FleetViolation,
  InstanceInput,
  InstanceRule,
  JsonValue,
  PolicyContext,
  Rule,
  RuleOverride,
  Severity,
  SeveritySetting,
  Violation,
} from "./policy/rule.js";
export type { Finding } from "./policy/finding.js";
