/**
 * The SDK: what a stack, a blueprint or a rule imports — the DSL, the
 * authoring types, the labels and YAML helpers a blueprint builds with,
 * `defineRule` and the rule types. lib/ (the built-in blueprint, rules and
 * secret providers) builds on this module only, exactly as a team's own
 * would. It loads no part of the engine (no esbuild, no pipeline, no
 * renderer), so `import … from "sluice/sdk"` is light; src/index.ts
 * re-exports it with the programmatic API.
 */

// The DSL
export { definePlatform } from "./dsl/platform.js";
export { externalSecret, sealedSecret, secret, sopsSecret } from "./dsl/secrets.js";
export type { ExternalSecretSource, SealedSecretSource, SecretKey, SecretSource, SopsSecretSource, WholeSecret } from "./dsl/secrets.js";
export type { App, OpenedPreviewSpec, OpenPreview, Platform, Release } from "./dsl/platform.js";
export type {
  AppOfKind,
  AppSpec,
  ClusterSpec,
  KindSettings,
  Override,
  PlatformNames,
  PlatformSpec,
  Waiver,
  WaveSpec,
} from "./dsl/types.js";
export type { AppKind } from "./model/app-kinds.js";
export { APP_KINDS } from "./model/app-kinds.js";
export type { KubernetesObject } from "./k8s/object.js";
export type { Settings } from "./model/settings-schema.js";
export type { ExposeSpec, ExposureSpec } from "./model/exposure-schema.js";
export { reloaderWatches, secretsReadAsEnv } from "./model/rotation.js";

// Building blueprints
export type { Blueprint, Rendered, RenderedDocument, RenderedObject } from "./model/rendered.js";
export type {
  ResolvedApp,
  ResolvedExpose,
  ResolvedOwnedField,
  ResolvedAnalysis,
  ResolvedBlueGreen,
  ResolvedCanary,
  ResolvedProgressive,
  ResolvedContainer,
  ResolvedProbe,
  ResolvedSecret,
  ResolvedSecretSource,
  ResolvedSettings,
  ResolvedVolume,
  SecretKeySelector,
} from "./model/resolved.js";
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

// Reading objects, for rules and blueprints: which kinds are workloads and where their pod spec is.
export { isKind } from "./k8s/is-kind.js";
export type { KnownKinds, ObjectOfKind } from "./k8s/is-kind.js";
export { SERVING_WORKLOADS, podSpecOf, workloadOf } from "./k8s/workloads.js";
export type { Workload } from "./k8s/workloads.js";

// Policy
export { defineRule } from "./model/rule.js";
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
} from "./model/rule.js";
