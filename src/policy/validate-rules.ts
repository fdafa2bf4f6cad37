import type { Diagnostic } from "../model/diagnostic.js";
import type { PlatformModel } from "../model/model.js";
import { childOrigin } from "../model/origin.js";
import { KUBERNETES_VERSION } from "../k8s/builtin-kinds.js";
import { pluralOf } from "../k8s/kinds.js";
import { groupKind } from "../k8s/object.js";
import type { AdmissionCompileCache } from "./admission-compile-cache.js";
import { admissionCompileProblem } from "./agreement.js";
import { celProblem } from "./cel.js";
import { policyContextOf } from "./policy.js";
import { builtInRuleOrigin } from "./rule-origin.js";
import type { Rule } from "../model/rule.js";

const COMPILE_HINT =
  "Kubernetes compiles CEL with RE2 regular expressions (no lookaround or backreferences), literals of one type, and only its declared variables and functions; see the README's Policies";

const RULE_ID = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SEVERITIES = new Set(["error", "warn", "off"]);
const KIND = /^([a-z0-9.-]+\/)?[A-Z][A-Za-z0-9]*$/;

/**
 * Checks the platform's own rules (policy.rules) the way zod checks the rest:
 * a unique id, a severity, a known `on`, a CEL expression that parses, kinds
 * written "<group>/<Kind>"; and that policy.severity names rules that exist.
 * Then that the API server could compile each CEL rule's admission policy
 * (admission-cel.ts): an error at the rule's definition — the platform's
 * stack line, or the built-in rule's line in lib/rules. Returns the rule
 * index (built-in and the platform's) by id.
 */
export function validateRules(
  platform: PlatformModel,
  builtIn: readonly Rule[],
  compiled?: AdmissionCompileCache,
): { rules: Map<string, Rule>; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const rules = new Map(builtIn.map((rule) => [rule.id, rule]));
  const context = policyContextOf(platform);
  for (const rule of builtIn) {
    if (rule.on !== "object" && rule.on !== "pod" && rule.on !== "container") continue;
    const compileError = admissionCompileProblem(rule, context, { ...(compiled ? { cache: compiled } : {}) });
    if (compileError) {
      diagnostics.push({
        code: "validate/rule",
        message: `built-in rule ${rule.id} cannot be exported to admission as written: ${compileError}`,
        origin: builtInRuleOrigin(rule.id),
        hint: COMPILE_HINT,
      });
    }
  }
  platform.policy.rules.forEach((rule, index) => {
    const at = (...path: (string | number)[]) => childOrigin(platform.origin, "policy", "rules", index, ...path);
    const problem = (field: string, message: string, hint?: string) =>
      diagnostics.push({
        code: "validate/rule",
        message: `rule ${JSON.stringify(rule.id)}: ${message}`,
        origin: at(field),
        ...(hint ? { hint } : {}),
      });
    if (!RULE_ID.test(rule.id)) problem("id", "the id must be lower-case letters, digits and '-'", 'e.g. id: "cost-center-label"');
    else if (rules.has(rule.id))
      problem(
        "id",
        builtIn.some((r) => r.id === rule.id) ? "a built-in rule has this id" : "another rule has this id",
        "give the rule an id of its own",
      );
    if (typeof rule.description !== "string" || rule.description.trim() === "")
      problem("description", "needs a description", "say in a sentence what the rule asks for and why");
    if (!SEVERITIES.has(rule.severity)) problem("severity", 'severity must be "error", "warn" or "off"');
    if (rule.on === "object" || rule.on === "pod" || rule.on === "container") {
      const before = diagnostics.length;
      if (typeof rule.check !== "string")
        problem(
          "check",
          "check must be a CEL expression (a string)",
          'or make it an instance rule: on: "instance" with check(input) { ... }',
        );
      else {
        const parseError = celProblem(rule.check);
        if (parseError) problem("check", `the CEL expression does not parse: ${parseError}`);
      }
      if (typeof rule.message !== "string" || rule.message === "") problem("message", "needs a message saying what to change");
      if (rule.on === "object" && (!Array.isArray(rule.kinds) || rule.kinds.length === 0))
        problem("kinds", 'an object rule needs the kinds it applies to, e.g. kinds: ["apps/Deployment"]');
      (rule.kinds ?? []).forEach((kind, position) => {
        if (typeof kind !== "string" || !KIND.test(kind))
          problem("kinds", `kinds[${position}] must be "<group>/<Kind>" or a core "<Kind>", e.g. "apps/Deployment" or "Service"`);
        else if (pluralOf(groupKind(kind).group, groupKind(kind).kind, platform.customResources) === undefined) {
          problem(
            "kinds",
            `kinds[${position}] is ${kind}, which Kubernetes ${KUBERNETES_VERSION} does not serve and customResources does not declare with its plural, so admission could not match it`,
            'check the group and kind (core kinds have no group: "Service"), or declare the custom resource as { scope, plural }',
          );
        }
      });
      // Only a rule that is otherwise sound has an admission policy to compile.
      if (diagnostics.length === before && typeof rule.check === "string") {
        const compileError = admissionCompileProblem(rule, context, {
          customResources: platform.customResources,
          ...(compiled ? { cache: compiled } : {}),
        });
        if (compileError) problem("check", `the rule cannot be exported to admission as written: ${compileError}`, COMPILE_HINT);
      }
    } else if (rule.on === "instance" || rule.on === "fleet") {
      if (typeof rule.check !== "function") problem("check", `an ${rule.on} rule's check is a function`);
    } else {
      problem("on", 'on must be "object", "pod", "container", "instance" or "fleet"');
    }
    if (!rules.has(rule.id)) rules.set(rule.id, rule);
  });
  compiled?.save();
  for (const id of Object.keys(platform.policy.override)) {
    if (rules.has(id)) continue;
    diagnostics.push({
      code: "validate/unknown-rule",
      message: `policy.severity names rule ${JSON.stringify(id)}, which does not exist`,
      origin: childOrigin(platform.origin, "policy", "severity", id),
      hint: `use one of: ${[...rules.keys()].sort().join(", ")}`,
    });
  }
  return { rules, diagnostics };
}
