import { createRequire } from "node:module";
import type { JsonValue } from "./rule.js";

type CelModule = typeof import("@marcbachmann/cel-js");
type Compiled = (context: Record<string, unknown>) => unknown;

const require = createRequire(import.meta.url);
let environment: InstanceType<CelModule["Environment"]> | undefined;
const compiled = new Map<string, Compiled>();

/**
 * The CEL evaluator (@marcbachmann/cel-js), loaded on first use: a synth
 * whose instances all come from the render cache evaluates nothing.
 * Optional field selection (`object.?spec.?hostNetwork`) is on, as in
 * Kubernetes; variables are dynamic, as `object` is at admission.
 */
function celEnvironment(): InstanceType<CelModule["Environment"]> {
  if (!environment) {
    const { Environment } = require("@marcbachmann/cel-js") as CelModule;
    environment = new Environment({ unlistedVariablesAreDyn: true, enableOptionalTypes: true, homogeneousAggregateLiterals: false });
  }
  return environment;
}

/** Parses an expression once; throws the parser's message when it is not CEL. */
export function compileCel(expression: string): Compiled {
  let run = compiled.get(expression);
  if (!run) {
    const parsed = celEnvironment().parse(expression);
    run = (context) => parsed(context);
    compiled.set(expression, run);
  }
  return run;
}

/** Why an expression does not parse, or undefined when it does. */
export function celProblem(expression: string): string | undefined {
  try {
    compileCel(expression);
    return undefined;
  } catch (error) {
    return (error instanceof Error ? error.message : String(error)).split("\n")[0];
  }
}

/**
 * Evaluates a rule's check: true when the subject complies. An expression
 * that fails to evaluate (a field it reads without `has()`) does not comply:
 * at admission, with failurePolicy Fail, the API server refuses the object too.
 */
export function passes(expression: string, context: Record<string, unknown>): { readonly ok: true } | { readonly ok: false; readonly error?: string } {
  try {
    const result = compileCel(expression)(context);
    return result === true ? { ok: true } : { ok: false };
  } catch (error) {
    return { ok: false, error: (error instanceof Error ? error.message : String(error)).split("\n")[0] };
  }
}

/** A JSON value as a CEL literal, for admission policy variables. */
export function celLiteral(value: JsonValue): string {
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : String(value).includes(".") ? String(value) : `${value}.0`;
  if (typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map((item) => celLiteral(item as JsonValue)).join(", ")}]`;
  const record = value as { readonly [key: string]: JsonValue };
  return `{${Object.keys(record)
    .sort()
    .map((key) => `${JSON.stringify(key)}: ${celLiteral(record[key]!)}`)
    .join(", ")}}`;
}
