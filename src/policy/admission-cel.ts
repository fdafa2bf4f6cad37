import { createRequire } from "node:module";
import type { parse } from "@bufbuild/cel";
import { CelCheckError, checkExpr } from "./cel-check.js";
import { BOOL, DYN, INT, STRING, TIMESTAMP, listOf, mapOf, objectOf, typeName, type CelType } from "./cel-types.js";

/**
 * sluice's second CEL implementation: what admission does with the emitted
 * policies, independent of the evaluator sluice checks with before merge
 * (@marcbachmann/cel-js, cel.ts). @bufbuild/cel is an ECMAScript CEL tested
 * against the cel-spec conformance suite and cel-go's parser tests; its
 * `matches()` uses @bufbuild/re2, a linear-time RE2 port (from re2js): Go's
 * regexp syntax, as the API server has it. Its parser and evaluator are bufbuild's; the type checking
 * is sluice's (cel-check.ts), with the variables the API server declares.
 */

type Program = (bindings: Record<string, unknown>) => unknown;
type CelModule = typeof import("@bufbuild/cel");

const require = createRequire(import.meta.url);
const DECLARED = ["object", "oldObject", "request", "namespaceObject", "authorizer", "variables"] as const;
let loaded: { readonly cel: CelModule; readonly environment: ReturnType<CelModule["celEnv"]> } | undefined;

/**
 * @bufbuild/cel, loaded on first use: a run whose rules were all compiled
 * before (admission-compile-cache.ts) and that evaluates no policy never
 * pays for loading it.
 */
function bufbuild(): NonNullable<typeof loaded> {
  if (!loaded) {
    const cel = require("@bufbuild/cel") as CelModule;
    const { strings } = require("@bufbuild/cel/ext") as typeof import("@bufbuild/cel/ext");
    loaded = {
      cel,
      environment: cel.celEnv({ funcs: strings, variables: Object.fromEntries(DECLARED.map((name) => [name, cel.CelScalar.DYN])) }),
    };
  }
  return loaded;
}

const programs = new Map<string, Program>();
const checked = new Map<string, CelType | string>();

const GVK = objectOf("kubernetes.GroupVersionKind", { group: STRING, version: STRING, kind: STRING });
const GVR = objectOf("kubernetes.GroupVersionResource", { group: STRING, version: STRING, resource: STRING });
/** `request`, as the API server declares it (admission/plugin/cel/compile.go). */
const REQUEST = objectOf("kubernetes.AdmissionRequest", {
  kind: GVK,
  resource: GVR,
  subResource: STRING,
  requestKind: GVK,
  requestResource: GVR,
  requestSubResource: STRING,
  name: STRING,
  namespace: STRING,
  operation: STRING,
  userInfo: objectOf("kubernetes.UserInfo", {
    username: STRING,
    uid: STRING,
    groups: listOf(STRING),
    extra: mapOf(STRING, listOf(STRING)),
  }),
  dryRun: BOOL,
  options: DYN,
});
/** `namespaceObject`: the trimmed Namespace the API server declares. */
const NAMESPACE = objectOf("kubernetes.Namespace", {
  metadata: objectOf("kubernetes.NamespaceMetadata", {
    name: STRING,
    generateName: STRING,
    namespace: STRING,
    labels: mapOf(STRING, STRING),
    annotations: mapOf(STRING, STRING),
    UID: STRING,
    creationTimestamp: TIMESTAMP,
    deletionGracePeriodSeconds: INT,
    deletionTimestamp: TIMESTAMP,
    generation: INT,
    resourceVersion: STRING,
    finalizers: listOf(STRING),
  }),
  spec: objectOf("kubernetes.NamespaceSpec", { finalizers: listOf(STRING) }),
  status: objectOf("kubernetes.NamespaceStatus", { phase: STRING, conditions: listOf(DYN) }),
});
const AUTHORIZER = objectOf("kubernetes.authorization.Authorizer", {});

/** Why an expression does not compile for admission, as a sluice error wants to say it. */
export class AdmissionCompileError extends Error {}

/** The expressions of one admission policy: its variables in order, then its validations or match conditions. */
export interface PolicyExpressions {
  readonly variables: readonly { readonly name: string; readonly expression: string }[];
  /** Expressions that must be bool: validations and match conditions. */
  readonly conditions: readonly string[];
}

/**
 * Compiles a policy's expressions as the API server does: `object` is dyn
 * (one policy matches several kinds), each variable's type is what its
 * expression returns, and conditions must be bool. With `objectTypes` (the
 * matched kinds' schemas), also checks them against each, as the API
 * server's type checking does: a field a kind does not have is a selection
 * that fails on every object. Throws AdmissionCompileError. Each distinct
 * expression and variable typing is checked once per process.
 */
export function compilePolicy(policy: PolicyExpressions, objectTypes: readonly CelType[] = []): void {
  for (const object of [DYN, ...objectTypes]) {
    const variables: [string, CelType][] = [];
    for (const variable of policy.variables) {
      variables.push([variable.name, typeOf(variable.expression, object, variables, `variable ${variable.name}`)]);
    }
    for (const condition of policy.conditions) {
      const type = typeOf(condition, object, variables, "expression");
      if (type.kind !== "bool" && type.kind !== "dyn")
        throw new AdmissionCompileError(`${condition}: must evaluate to bool, not ${typeName(type)}`);
    }
  }
}

function typeOf(expression: string, object: CelType, variables: readonly [string, CelType][], what: string): CelType {
  const key = `${typeName(object)}\0${variables.map(([name, type]) => `${name}:${typeName(type)}`).join(",")}\0${expression}`;
  let result = checked.get(key);
  if (result === undefined) {
    try {
      const declared = new Map<string, CelType>([
        ["object", object],
        ["oldObject", object],
        ["request", REQUEST],
        ["namespaceObject", NAMESPACE],
        ["authorizer", AUTHORIZER],
        ["variables", objectOf("kubernetes.variables", Object.fromEntries(variables))],
      ]);
      result = checkExpr(parsed(expression), declared);
    } catch (error) {
      result =
        error instanceof CelCheckError || error instanceof AdmissionCompileError ? error.message : `does not parse: ${firstLine(error)}`;
    }
    checked.set(key, result);
  }
  if (typeof result === "string") {
    const against = object.kind === "dyn" ? "" : ` (checked against ${typeName(object)})`;
    throw new AdmissionCompileError(`${what} \`${expression}\`${against}: ${result}`);
  }
  return result;
}

function parsed(expression: string): ReturnType<typeof parse>["expr"] {
  try {
    return bufbuild().cel.parse(expression).expr;
  } catch (error) {
    // Kubernetes has optional field selection (`a.?b`); @bufbuild/cel 0.6 does not parse it.
    if (/\.\?|\[\?/.test(expression))
      throw new AdmissionCompileError(
        "optional field selection (`.?`) is Kubernetes CEL that sluice's second evaluator cannot parse, so sluice cannot check it; use has()",
      );
    throw new AdmissionCompileError(`does not parse: ${firstLine(error)}`);
  }
}

/** Evaluates an expression with the second implementation: its value, or the error that stopped it. */
export function evaluateAdmission(
  expression: string,
  bindings: Record<string, unknown>,
): { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string } {
  const { cel, environment } = bufbuild();
  let program = programs.get(expression);
  if (!program) {
    const planned = cel.plan(environment, cel.parse(expression));
    program = (input) => planned(input as Parameters<typeof planned>[0]);
    programs.set(expression, program);
  }
  try {
    const value = program(bindings);
    return cel.isCelError(value) ? { ok: false, error: value.message } : { ok: true, value };
  } catch (error) {
    return { ok: false, error: firstLine(error) };
  }
}

/**
 * A JSON value as the API server hands it to CEL: whole numbers are int
 * (int64), not double, as in an object decoded from its schema.
 */
export function celInput(value: unknown): unknown {
  if (typeof value === "number") return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(celInput);
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, celInput(item)]));
  return value;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0]!;
}
