import { createHash } from "node:crypto";
import { workloadTable, type WorkloadTable } from "../k8s/workloads.js";
import type { PlatformModel } from "../model/model.js";
import type { AdmissionBackend } from "../model/rule.js";
import { childOrigin, type Origin } from "../model/origin.js";
import { own } from "../model/own.js";
import type { PolicyContext, Rule, RuleOverride } from "../model/rule.js";

export type { AdmissionBackend, PolicySettings } from "../model/rule.js";

export const DEFAULT_REQUIRED_LABELS = ["app.kubernetes.io/name", "app.kubernetes.io/part-of"];

/** The rules in force on a platform, and what they read. */
export interface Policy {
  /** Built-in rules first, then the platform's, each id once. */
  readonly rules: readonly Rule[];
  readonly context: PolicyContext;
  /** The kinds the pod rules judge on this platform: the built-in workloads and its custom ones (see k8s/workloads.ts). */
  readonly workloads: WorkloadTable;
  readonly admission: AdmissionBackend;
  override(id: string): RuleOverride | undefined;
  /**
   * Where one of the platform's rules is defined (its `policy.rules` entry);
   * undefined for a built-in rule. A platform rule written as a function
   * runs under a time budget, and is reported there when it fails.
   */
  platformRuleOrigin(rule: Rule): Origin | undefined;
  /**
   * A hash of everything that decides the findings on an instance: rule
   * definitions (a function rule by its source text), settings and
   * severities. Part of each instance's render key, since a cached instance
   * is not evaluated again.
   */
  readonly fingerprint: string;
}

/**
 * The rules in force: the built-in ones, then the platform's. `sharedCode`
 * hashes the stack code that other stacks import (the platform's stack, its
 * helpers): a platform rule written as a function may call it, and its own
 * source text alone would not show such a change.
 */
export function buildPolicy(platform: PlatformModel, builtIn: readonly Rule[], sharedCode: () => string = () => ""): Policy {
  const settings = platform.policy;
  const rules = [...builtIn, ...settings.rules];
  const context = policyContextOf(platform);
  const fingerprint = createHash("sha256")
    .update(JSON.stringify([settings.admission, context, settings.override]))
    .update(JSON.stringify(rules.map((rule) => ruleFingerprint(rule))))
    .update(settings.rules.some(hasCode) ? sharedCode() : "")
    .digest("hex")
    .slice(0, 32);
  const platformRuleOrigin = (rule: Rule) => {
    const index = settings.rules.indexOf(rule);
    return index < 0 ? undefined : childOrigin(platform.origin, "policy", "rules", index, "check");
  };
  return {
    rules,
    context,
    workloads: workloadTable(platform.customResources),
    admission: settings.admission,
    override: (id) => own(settings.override, id),
    platformRuleOrigin,
    fingerprint,
  };
}

/** What the platform's CEL rules read: its registries, required labels and each team's cluster-scoped grants. */
export function policyContextOf(platform: PlatformModel): PolicyContext {
  return {
    registries: platform.policy.registries,
    requiredLabels: platform.policy.requiredLabels,
    clusterResources: Object.fromEntries(platform.teams.map((team) => [team.name, team.clusterResources])),
    ...(platform.policy.progressiveAbove !== undefined ? { progressiveAbove: platform.policy.progressiveAbove } : {}),
  };
}

function hasCode(rule: Rule): boolean {
  return Object.values(rule).some((value) => typeof value === "function");
}

function ruleFingerprint(rule: Rule): unknown {
  return JSON.stringify(rule, (_key, value: unknown) => (typeof value === "function" ? `fn:${String(value)}` : value));
}
