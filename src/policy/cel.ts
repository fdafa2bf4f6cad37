import { createRequire } from "node:module";
import type { JsonValue } from "../model/rule.js";

type CelModule = typeof import("@marcbachmann/cel-js");
type Compiled = (context: Record<string, unknown>) => unknown;
type Re2Module = typeof import("@bufbuild/re2");
/** A node of cel-js's syntax tree: a call is `{ op: "call" | "rcall", args: [name, ...] }`. */
interface CelNode {
  readonly op: string;
  args: unknown;
}

const require = createRequire(import.meta.url);
let environment: InstanceType<CelModule["Environment"]> | undefined;
const compiled = new Map<string, Compiled>();

/**
 * The CEL evaluator (@marcbachmann/cel-js), loaded on first use: a synth
 * whose instances all come from the render cache evaluates nothing.
 * Optional field selection (`object.?spec.?hostNetwork`) is on, as in
 * Kubernetes; variables are dynamic, as `object` is at admission.
 * `matches()` is RE2's, as the API server's is (cel-js's own uses
 * JavaScript's RegExp, which backtracks: `^(a+)+$` on a long value runs for
 * minutes, and RE2 syntax such as `(?i)` does not compile): cel-js cannot
 * replace a standard function, so sluice registers its own under another
 * name and points every parsed `matches` call at it.
 */
function celEnvironment(): InstanceType<CelModule["Environment"]> {
  if (!environment) {
    const { Environment } = require("@marcbachmann/cel-js") as CelModule;
    environment = new Environment({ unlistedVariablesAreDyn: true, enableOptionalTypes: true, homogeneousAggregateLiterals: false })
      .registerFunction(`string.${RE2_MATCHES}(string): bool`, (text: string, pattern: string) => re2Matches(text, pattern))
      .registerFunction(`${RE2_MATCHES}(string, string): bool`, (text: string, pattern: string) => re2Matches(text, pattern));
    // `(?i)` is RE2 syntax JavaScript's RegExp refuses: this holds only if the calls were repointed.
    const probe = environment.parse("'A'.matches('(?i)a')");
    useRe2((probe as unknown as { ast: unknown }).ast);
    if (probe({}) !== true) throw new Error("@marcbachmann/cel-js changed its syntax tree: sluice cannot point matches() at RE2");
  }
  return environment;
}

const RE2_MATCHES = "sluice_re2_matches";
const patterns = new Map<string, { test(text: string): boolean }>();

// RE2 in JavaScript takes microseconds a match where RegExp takes nanoseconds; a fleet matches
// the same image on every cluster, so answers are remembered (a bounded number).
const answers = new Map<string, boolean>();
const MAX_ANSWERS = 50_000;

/** Whether RE2 finds `pattern` in `text` (linear in the text, whatever the pattern). */
function re2Matches(text: string, pattern: string): boolean {
  const key = `${pattern}\0${text}`;
  let answer = answers.get(key);
  if (answer === undefined) {
    if (answers.size >= MAX_ANSWERS) answers.clear();
    answers.set(key, (answer = re2Find(text, pattern)));
  }
  return answer;
}

function re2Find(text: string, pattern: string): boolean {
  let compiled = patterns.get(pattern);
  if (!compiled) {
    const { RE2JS } = require("@bufbuild/re2") as Re2Module;
    try {
      compiled = RE2JS.compile(pattern);
    } catch (error) {
      throw new Error(`invalid regular expression '${pattern}' for RE2: ${error instanceof Error ? error.message : String(error)}`);
    }
    patterns.set(pattern, compiled);
  }
  return compiled.test(text);
}

/** Points the `matches` calls of a parsed expression at RE2's (celEnvironment). */
function useRe2(node: unknown): void {
  if (node === null || typeof node !== "object") return;
  if (Array.isArray(node)) {
    for (const item of node) useRe2(item);
    return;
  }
  const call = node as CelNode;
  if (typeof call.op !== "string") return;
  // A call's args are [name, ...]; an operator's are its operands, or its one operand (`!x`).
  if ((call.op === "call" || call.op === "rcall") && Array.isArray(call.args) && call.args[0] === "matches") call.args[0] = RE2_MATCHES;
  useRe2(call.args);
}

/** Parses an expression once; throws the parser's message when it is not CEL. */
export function compileCel(expression: string): Compiled {
  let run = compiled.get(expression);
  if (!run) {
    const parsed = celEnvironment().parse(expression);
    useRe2((parsed as unknown as { ast: unknown }).ast);
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
export function passes(
  expression: string,
  context: Record<string, unknown>,
): { readonly ok: true } | { readonly ok: false; readonly error?: string } {
  try {
    const result = compileCel(expression)(context);
    return result === true ? { ok: true } : { ok: false };
  } catch (error) {
    return {
      ok: false,
      error: (error instanceof Error ? error.message : String(error)).split("\n")[0]!.replaceAll(RE2_MATCHES, "matches"),
    };
  }
}

/** A JSON value as a CEL literal, for admission policy variables. */
export function celLiteral(value: JsonValue): string {
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number")
    return Number.isInteger(value) ? String(value) : String(value).includes(".") ? String(value) : `${value}.0`;
  if (typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map((item) => celLiteral(item as JsonValue)).join(", ")}]`;
  const record = value as { readonly [key: string]: JsonValue };
  return `{${Object.keys(record)
    .sort()
    .map((key) => `${JSON.stringify(key)}: ${celLiteral(record[key]!)}`)
    .join(", ")}}`;
}
