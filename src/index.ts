/**
 * sluice's public surface: the SDK (src/sdk.ts) and the programmatic API.
 * Stacks and programs that drive sluice import from here and from nowhere
 * else; the blueprints, rules and secret providers in lib/ import the SDK
 * only, so that the API, which loads them, is not loaded by them.
 */

// The DSL, building blueprints, and rules (src/sdk.ts, also `sluice/sdk`)
export * from "./sdk.js";

// Reporting
export type { Origin } from "./model/origin.js";
export { formatOrigin, formatPath } from "./model/origin.js";
export type { Diagnostic } from "./model/diagnostic.js";
export { formatDiagnostic } from "./model/diagnostic.js";
export { SluiceError, InternalError, isSluiceError, PolicyViolation, isPolicyViolation } from "./errors.js";
export { pinpoint } from "./locate/index.js";

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
export type { Drift, WriteResult } from "./env-repo/index.js";

// Policy findings
export type { Finding } from "./policy/finding.js";
