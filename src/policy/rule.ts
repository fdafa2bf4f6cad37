import type { Rule, RuleOverride, SeveritySetting } from "../model/rule.js";

// The rule contract is part of the model (src/model/rule.ts); re-exported
// here for the policy code that evaluates it.
export { defineRule } from "../model/rule.js";
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
} from "../model/rule.js";

/** The severity of a rule on a cluster of `environment`. */
export function severityOf(
  rule: Rule,
  environment: { readonly name: string; readonly production: boolean },
  overrides?: RuleOverride,
): SeveritySetting {
  const fromEnvironments = (map: Readonly<Record<string, SeveritySetting>> | undefined) =>
    map && Object.hasOwn(map, environment.name) ? map[environment.name] : undefined;
  return (
    fromEnvironments(overrides?.environments) ??
    (environment.production ? overrides?.production : undefined) ??
    overrides?.severity ??
    fromEnvironments(rule.environments) ??
    (environment.production ? rule.production : undefined) ??
    rule.severity
  );
}
