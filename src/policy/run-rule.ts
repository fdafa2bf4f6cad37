import vm from "node:vm";
import { SluiceError } from "../errors.js";
import type { Origin } from "../model/origin.js";

/** How long one call of a platform rule's check function may run. */
export const RULE_TIME_BUDGET_MS = 5000;
/** Findings reported per rule and call; the rest are counted in one more finding. */
export const MAX_VIOLATIONS = 100;

/** A rule written as a function, and where it is defined: the platform's `policy.rules` entry, or none for a built-in rule. */
export interface FunctionRule<T> {
  readonly id: string;
  readonly origin: Origin | undefined;
  readonly check: () => unknown;
  /** Why one returned element is not a violation, or undefined. */
  readonly invalid: (violation: Record<string, unknown>) => string | undefined;
  /** The finding that stands for the violations past MAX_VIOLATIONS. */
  readonly more: (first: T, count: number) => T;
}

// One context and one script for every call: only the watchdog of `timeout` is per call.
let sandbox: { readonly context: vm.Context; readonly script: vm.Script } | undefined;

/**
 * Runs a rule written as a function. One that throws, returns something
 * other than a list of violations, or runs past its time budget is the
 * rule's author's to fix, not a bug in sluice: it is reported naming the rule,
 * where it ran and (for the platform's rules) its definition, and nothing is
 * written. A platform rule's check runs under a time budget: JavaScript runs
 * it in sluice's own thread, and V8 stops it there (vm's `timeout`) when the
 * budget is spent. Built-in rules run as they are.
 */
export function runRule<T>(rule: FunctionRule<T>, where: string): readonly T[] {
  const refuse = (message: string, hint: string): never => {
    throw new SluiceError(`Policy rule ${rule.id} failed; nothing was written.`, [
      { code: "policy/rule-failed", message: `rule ${rule.id} ${message}`, hint, ...(rule.origin ? { origin: rule.origin } : {}) },
    ]);
  };
  let returned: unknown;
  try {
    returned = rule.origin ? withBudget(rule.check) : rule.check();
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code === "ERR_SCRIPT_EXECUTION_TIMEOUT") {
      refuse(
        `ran for more than ${RULE_TIME_BUDGET_MS / 1000} s on ${where} and was stopped`,
        "a check function must return: look for a loop that never ends, or work that grows with the fleet (a rule gets one instance, or one cluster's apps, per call)",
      );
    }
    refuse(
      `threw on ${where}: ${error instanceof Error ? error.message : String(error)}`,
      "fix the rule's check function; `checkRule` from sluice/testing runs it on the same input",
    );
  }
  if (!Array.isArray(returned)) {
    refuse(
      `returned ${describe(returned)} on ${where}, not a list of violations`,
      "return an array: [] when nothing is wrong, else one { message, ... } per violation",
    );
  }
  const violations = returned as readonly unknown[];
  const kept = violations.slice(0, MAX_VIOLATIONS);
  kept.forEach((violation, index) => {
    const problem =
      violation === null || typeof violation !== "object" || Array.isArray(violation)
        ? `is ${describe(violation)}`
        : rule.invalid(violation as Record<string, unknown>);
    if (problem)
      refuse(`returned a list on ${where} whose element ${index} ${problem}`, "each violation is an object with a message (a string)");
  });
  const reported = kept as readonly T[];
  return violations.length > MAX_VIOLATIONS ? [...reported, rule.more(reported[0]!, violations.length - MAX_VIOLATIONS)] : reported;
}

function withBudget(check: () => unknown): unknown {
  if (!sandbox) {
    const context = vm.createContext({ check: undefined });
    sandbox = { context, script: new vm.Script("check()") };
  }
  sandbox.context.check = check;
  try {
    return sandbox.script.runInContext(sandbox.context, { timeout: RULE_TIME_BUDGET_MS });
  } finally {
    sandbox.context.check = undefined;
  }
}

/** A returned value, in a few words: "null", "an object with keys a, b", "a Promise". */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") {
    if (typeof (value as { then?: unknown }).then === "function") return "a Promise (check functions are synchronous)";
    const keys = Object.keys(value);
    return keys.length === 0 ? "an empty object" : `an object with keys ${keys.slice(0, 5).join(", ")}${keys.length > 5 ? ", …" : ""}`;
  }
  if (typeof value === "string") return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`;
  return `${typeof value === "number" ? "a number" : `a ${typeof value}`} (${String(value)})`;
}
