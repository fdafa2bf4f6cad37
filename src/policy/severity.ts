import type { Rule, RuleOverride, SeveritySetting } from "../model/rule.js";

/**
 * The severity of a rule on a cluster of `environment`: the platform's say
 * (per environment, then in production, then everywhere) wins over the
 * rule's own, in the same order.
 */
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
