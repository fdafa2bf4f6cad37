import { createRequire } from "node:module";
import type { parse } from "@bufbuild/cel";
import {
  BOOL,
  BYTES,
  DOUBLE,
  DURATION,
  DYN,
  INT,
  NULL,
  STRING,
  TIMESTAMP,
  TYPE,
  UINT,
  listOf,
  sameType,
  typeName,
  type CelType,
} from "./cel-types.js";

/**
 * A CEL type checker for the expressions sluice exports to admission, over
 * the syntax tree @bufbuild/cel parses (its own checker does not check calls
 * or selections yet). It enforces what the API server enforces when it
 * compiles a policy (the Kubernetes 1.34 CEL environment): declared
 * variables only, known functions with matching argument types,
 * homogeneous list and map literals, regular-expression literals that RE2
 * compiles; and, where `object` has a schema, field selections that exist.
 */

export class CelCheckError extends Error {}

/** Kubernetes CEL functions sluice's second evaluator does not implement: a rule using one cannot be cross-checked. */
const NOT_CROSS_CHECKED = new Set([
  "find",
  "findAll",
  "quantity",
  "isQuantity",
  "url",
  "isURL",
  "ip",
  "isIP",
  "cidr",
  "isCIDR",
  "format",
  "semver",
  "isSemver",
  "isSorted",
  "sum",
  "min",
  "max",
  "distinct",
  "flatten",
  "range",
  "reverse",
  "slice",
  "sort",
  "sortBy",
  "first",
  "last",
  "sets.contains",
  "sets.equivalent",
  "sets.intersects",
  "strings.quote",
  "optional.of",
  "optional.none",
  "optional.ofNonZeroValue",
  "orValue",
  "hasValue",
  "value",
  "or",
  "all",
  "exists",
  "existsOne",
  "transformList",
  "transformMap",
  "transformMapEntry",
  "getHours",
  "getMinutes",
  "getSeconds",
  "getMilliseconds",
  "getFullYear",
  "getMonth",
  "getDate",
  "getDayOfMonth",
  "getDayOfWeek",
  "getDayOfYear",
  "group",
  "serviceAccount",
  "resource",
  "subresource",
  "namespace",
  "name",
  "check",
  "allowed",
  "reason",
  "errored",
  "error",
  "path",
  "fieldSelector",
  "labelSelector",
]);

type Scope = ReadonlyMap<string, CelType>;

/** Type names are values in CEL: `type(x) == string`. */
const TYPE_NAMES = new Set(["int", "uint", "double", "bool", "string", "bytes", "list", "map", "null_type", "type"]);

const isDyn = (type: CelType) => type.kind === "dyn";
const numeric = (type: CelType) => type.kind === "int" || type.kind === "uint" || type.kind === "double";

function fail(message: string): never {
  throw new CelCheckError(message);
}

function noOverload(name: string, types: readonly CelType[]): never {
  return fail(`found no matching overload for '${name}' applied to '(${types.map(typeName).join(", ")})'`);
}

/** The type of an expression under the declared variables; throws CelCheckError with cel-go's wording where it can. */
export function checkExpr(expr: Expr, declared: Scope): CelType {
  return new Checker(declared).check(expr, new Map());
}

type Expr = ReturnType<typeof parse>["expr"];

class Checker {
  constructor(private readonly declared: Scope) {}

  check(expr: Expr, scope: Scope): CelType {
    const kind = expr.exprKind;
    switch (kind.case) {
      case "constExpr":
        return constantType(kind.value.constantKind.case);
      case "identExpr": {
        const name = kind.value.name;
        const type = scope.get(name) ?? this.declared.get(name) ?? (TYPE_NAMES.has(name) ? TYPE : undefined);
        return type ?? fail(`undeclared reference to '${name}'`);
      }
      case "selectExpr": {
        const operand = this.check(kind.value.operand!, scope);
        const type = select(operand, kind.value.field);
        // has(a.b): the same selection, tested for presence.
        return kind.value.testOnly ? BOOL : type;
      }
      case "listExpr": {
        const types = kind.value.elements.map((element) => this.check(element, scope));
        return listOf(homogeneous(types, "list"));
      }
      case "structExpr": {
        if (kind.value.messageName) fail(`unknown type '${kind.value.messageName}': only map literals are supported`);
        const keys: CelType[] = [];
        const values: CelType[] = [];
        for (const entry of kind.value.entries) {
          if (entry.keyKind.case !== "mapKey") fail("a map literal needs keys");
          keys.push(this.check(entry.keyKind.value, scope));
          values.push(this.check(entry.value!, scope));
        }
        return { kind: "map", key: homogeneous(keys, "map key"), value: homogeneous(values, "map value") };
      }
      case "comprehensionExpr": {
        const c = kind.value;
        const range = this.check(c.iterRange!, scope);
        const inner = new Map(scope);
        const [first, second] =
          range.kind === "list"
            ? [c.iterVar2 ? INT : range.element, range.element]
            : range.kind === "map"
              ? [range.key, range.value]
              : isDyn(range)
                ? [DYN, DYN]
                : fail(`expression of type '${typeName(range)}' cannot be the range of a comprehension (must be list, map, or dynamic)`);
        inner.set(c.iterVar, first);
        if (c.iterVar2) inner.set(c.iterVar2, second);
        const init = this.check(c.accuInit!, scope);
        inner.set(c.accuVar, init.kind === "list" ? listOf(DYN) : init);
        this.check(c.loopCondition!, inner);
        const step = this.check(c.loopStep!, inner);
        inner.set(c.accuVar, init.kind === "list" ? step : init);
        return this.check(c.result!, inner);
      }
      case "callExpr": {
        const target = kind.value.target ? this.check(kind.value.target, scope) : undefined;
        const args = kind.value.args.map((arg) => this.check(arg, scope));
        const result = call(kind.value.function, target, args);
        if (
          (kind.value.function === "matches" || kind.value.function === "find" || kind.value.function === "findAll") &&
          kind.value.args.length > 0
        ) {
          const pattern = kind.value.args[kind.value.target ? 0 : 1];
          if (pattern?.exprKind.case === "constExpr" && pattern.exprKind.value.constantKind.case === "stringValue")
            checkRegex(pattern.exprKind.value.constantKind.value);
        }
        return result;
      }
      default:
        return fail(`unsupported expression (${String(kind.case)})`);
    }
  }
}

function constantType(kind: string | undefined): CelType {
  switch (kind) {
    case "boolValue":
      return BOOL;
    case "int64Value":
      return INT;
    case "uint64Value":
      return UINT;
    case "doubleValue":
      return DOUBLE;
    case "stringValue":
      return STRING;
    case "bytesValue":
      return BYTES;
    case "nullValue":
      return NULL;
    default:
      return DYN;
  }
}

/** The Kubernetes CEL environment has homogeneous aggregate literals on: `[1, 'a']` does not compile. */
function homogeneous(types: readonly CelType[], what: string): CelType {
  if (types.length === 0) return DYN;
  const first = types[0]!;
  for (const type of types.slice(1))
    if (!sameType(first, type))
      fail(
        `expected type '${typeName(first)}' but found '${typeName(type)}' in a ${what} literal (Kubernetes requires literals of one type)`,
      );
  return first;
}

/**
 * The Kubernetes environment validates regular-expression literals with RE2
 * when it compiles. sluice's pre-merge evaluator matches with the same RE2
 * (cel.ts), so a pattern that compiles here reads the same before merge.
 */
function checkRegex(pattern: string): void {
  try {
    // Loaded with @bufbuild/cel, which matches with it: the same RE2 its `matches()` uses.
    (createRequire(import.meta.url)("@bufbuild/re2") as typeof import("@bufbuild/re2")).RE2JS.compile(pattern);
  } catch (error) {
    fail(`invalid regular expression '${pattern}' for RE2: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function select(operand: CelType, field: string): CelType {
  switch (operand.kind) {
    case "dyn":
      return DYN;
    case "map":
      return operand.value;
    case "object":
      return operand.field(field) ?? fail(`undefined field '${field}' (in ${operand.name})`);
    default:
      return fail(`type '${typeName(operand)}' does not support field selection`);
  }
}

const ORDERED = new Set(["int", "uint", "double", "string", "bytes", "bool", "timestamp", "duration"]);
const CONVERSIONS: Readonly<Record<string, CelType>> = {
  int: INT,
  uint: UINT,
  double: DOUBLE,
  string: STRING,
  bool: BOOL,
  bytes: BYTES,
  timestamp: TIMESTAMP,
  duration: DURATION,
  type: TYPE,
  dyn: DYN,
};

function requireArgs(name: string, types: readonly CelType[], ...wanted: readonly CelType[][]): void {
  const ok = wanted.some(
    (option) => option.length === types.length && option.every((want, i) => isDyn(want) || isDyn(types[i]!) || sameType(want, types[i]!)),
  );
  if (!ok) noOverload(name, types);
}

/**
 * Arithmetic on a value read from the object (dyn) with a number: the API
 * server reads a whole JSON number as int, sluice's pre-merge evaluator as
 * double, so `object.spec.replicas + 1` fails before merge and passes at
 * admission (and `+ 1.0` the other way round; `/` even differs in value).
 */
function numericDivergence(name: string, a: CelType, b: CelType): void {
  const mixed = (isDyn(a) && numeric(b)) || (numeric(a) && isDyn(b)) || ((name === "_/_" || name === "_%_") && isDyn(a) && isDyn(b));
  if (mixed)
    fail(
      `arithmetic ('${name.replace(/_/g, "")}') on a number read from the object: the API server reads whole JSON numbers as int, \`sluice check\` as double, so the two would disagree; convert it first, e.g. int(object.spec.replicas) + 1`,
    );
}

/** A function call's result type, or CelCheckError when no overload fits (or sluice cannot cross-check it). */
function call(name: string, target: CelType | undefined, args: readonly CelType[]): CelType {
  const all = target ? [target, ...args] : args;
  switch (name) {
    case "_&&_":
    case "_||_":
      requireArgs(name, all, [BOOL, BOOL]);
      return BOOL;
    case "!_":
    case "@not_strictly_false":
      requireArgs(name, all, [BOOL]);
      return BOOL;
    case "_?_:_": {
      requireArgs(name, [all[0]!], [BOOL]);
      const [, a, b] = all as [CelType, CelType, CelType];
      if (isDyn(a) || isDyn(b)) return DYN;
      if (a.kind === "null") return b;
      if (b.kind === "null") return a;
      if (a.kind === "list" && b.kind === "list" && (isDyn(a.element) || isDyn(b.element))) return listOf(DYN);
      if (!sameType(a, b)) noOverload(name, all);
      return a;
    }
    case "_==_":
    case "_!=_": {
      const [a, b] = all as [CelType, CelType];
      if (
        !(
          isDyn(a) ||
          isDyn(b) ||
          a.kind === "null" ||
          b.kind === "null" ||
          sameType(a, b) ||
          (numeric(a) && numeric(b)) ||
          (a.kind === "list" && b.kind === "list") ||
          (a.kind === "map" && b.kind === "map")
        )
      )
        noOverload(name, all);
      return BOOL;
    }
    case "_<_":
    case "_<=_":
    case "_>_":
    case "_>=_": {
      const [a, b] = all as [CelType, CelType];
      const ok =
        isDyn(a) || isDyn(b)
          ? ORDERED.has(isDyn(a) ? b.kind : a.kind) || (isDyn(a) && isDyn(b))
          : (numeric(a) && numeric(b)) || (a.kind === b.kind && ORDERED.has(a.kind));
      if (!ok) noOverload(name, all);
      return BOOL;
    }
    case "_+_": {
      const [a, b] = all as [CelType, CelType];
      numericDivergence(name, a, b);
      if (isDyn(a) && isDyn(b)) return DYN;
      if (a.kind === "list" || b.kind === "list") {
        if (!((a.kind === "list" || isDyn(a)) && (b.kind === "list" || isDyn(b)))) noOverload(name, all);
        return a.kind === "list" && b.kind === "list" && sameType(a.element, b.element) ? a : listOf(DYN);
      }
      const known = isDyn(a) ? b : a;
      if (!["int", "uint", "double", "string", "bytes", "timestamp", "duration"].includes(known.kind)) noOverload(name, all);
      if (
        !isDyn(a) &&
        !isDyn(b) &&
        !sameType(a, b) &&
        !((a.kind === "timestamp" && b.kind === "duration") || (a.kind === "duration" && b.kind === "timestamp"))
      )
        noOverload(name, all);
      return isDyn(a) || isDyn(b) ? DYN : a.kind === "duration" && b.kind === "timestamp" ? b : a;
    }
    case "_-_":
    case "_*_":
    case "_/_":
    case "_%_": {
      const [a, b] = all as [CelType, CelType];
      numericDivergence(name, a, b);
      if (isDyn(a) || isDyn(b)) return isDyn(a) ? (b.kind === "dyn" ? DYN : b) : a;
      if (
        !(numeric(a) && sameType(a, b)) &&
        !(name === "_-_" && (a.kind === "timestamp" || a.kind === "duration") && (b.kind === "duration" || b.kind === "timestamp"))
      )
        noOverload(name, all);
      return name === "_-_" && a.kind === "timestamp" && b.kind === "timestamp" ? DURATION : a;
    }
    case "-_":
      if (!(isDyn(all[0]!) || all[0]!.kind === "int" || all[0]!.kind === "double")) noOverload(name, all);
      return all[0]!;
    case "_[_]": {
      const [a, b] = all as [CelType, CelType];
      if (a.kind === "list") {
        requireArgs(name, [b], [INT]);
        return a.element;
      }
      if (a.kind === "map") {
        requireArgs(name, [b], [a.key]);
        return a.value;
      }
      if (isDyn(a)) return DYN;
      return noOverload(name, all);
    }
    case "@in": {
      const [a, b] = all as [CelType, CelType];
      if (b.kind === "list") requireArgs(name, [a], [b.element]);
      else if (b.kind === "map") requireArgs(name, [a], [b.key]);
      else if (!isDyn(b)) noOverload(name, all);
      return BOOL;
    }
    case "size": {
      const [a] = all as [CelType];
      if (all.length !== 1 || !(isDyn(a) || ["string", "bytes", "list", "map"].includes(a.kind))) noOverload(name, all);
      return INT;
    }
    case "contains":
    case "startsWith":
    case "endsWith":
    case "matches":
      if (name === "matches" && !target) requireArgs(name, all, [STRING, STRING]);
      else {
        if (!target) noOverload(name, all);
        requireArgs(name, all, [STRING, STRING]);
      }
      return BOOL;
    case "charAt":
      requireArgs(name, all, [STRING, INT]);
      return STRING;
    case "indexOf":
    case "lastIndexOf":
      requireArgs(name, all, [STRING, STRING], [STRING, STRING, INT]);
      return INT;
    case "lowerAscii":
    case "upperAscii":
    case "trim":
      requireArgs(name, all, [STRING]);
      return STRING;
    case "replace":
      requireArgs(name, all, [STRING, STRING, STRING], [STRING, STRING, STRING, INT]);
      return STRING;
    case "split":
      requireArgs(name, all, [STRING, STRING], [STRING, STRING, INT]);
      return listOf(STRING);
    case "substring":
      requireArgs(name, all, [STRING, INT], [STRING, INT, INT]);
      return STRING;
    case "join":
      requireArgs(name, all, [listOf(STRING)], [listOf(STRING), STRING]);
      return STRING;
    default:
      break;
  }
  if (!target && Object.hasOwn(CONVERSIONS, name)) {
    if (all.length !== 1) noOverload(name, all);
    return CONVERSIONS[name]!;
  }
  if (NOT_CROSS_CHECKED.has(name))
    fail(
      `'${name}' is a Kubernetes CEL function that sluice's second evaluator does not implement, so sluice cannot check the rule; write it without '${name}'`,
    );
  return fail(`undeclared reference to '${name}'`);
}
