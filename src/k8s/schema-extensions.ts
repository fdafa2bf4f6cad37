import { createRequire } from "node:module";

type CelModule = typeof import("@marcbachmann/cel-js");
type Compiled = (context: Record<string, unknown>) => unknown;

/** A field that breaks the schema: where, and what is wrong. */
export interface SchemaProblem {
  readonly instancePath: string;
  readonly message?: string;
}

/** A schema node as the generators write it (JSON Schema plus Kubernetes' x- extensions). */
export interface SchemaNode {
  readonly $ref?: string;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly additionalProperties?: SchemaNode | boolean;
  readonly items?: SchemaNode;
  readonly allOf?: readonly SchemaNode[];
  readonly "x-kubernetes-list-type"?: string;
  readonly "x-kubernetes-list-map-keys"?: readonly string[];
  readonly "x-kubernetes-validations"?: readonly { readonly rule: string; readonly message?: string }[];
  /** A CRD's default for the field, which the API server fills in before it runs the CEL rules. */
  readonly default?: unknown;
}

const EXTENSIONS = ["x-kubernetes-list-map-keys", "x-kubernetes-list-type", "x-kubernetes-validations"] as const;
const require = createRequire(import.meta.url);
let environment: InstanceType<CelModule["Environment"]> | undefined;
const rules = new Map<string, Compiled | string>();
/** Whether a schema node or anything it reaches carries an extension; kept across objects. */
const relevant = new WeakMap<SchemaNode, boolean>();
/** A schema node as the walk uses it (see planOf). */
interface Plan {
  readonly target: SchemaNode;
  readonly properties: readonly (readonly [string, SchemaNode])[];
  readonly rest: SchemaNode | undefined;
  readonly items: SchemaNode | undefined;
  readonly allOf: readonly SchemaNode[];
}
const plans = new WeakMap<SchemaNode, Plan>();
/** What a `$ref` node stands for (each schema document resolves its own references). */
const targets = new WeakMap<SchemaNode, SchemaNode>();
/** Whether a schema node or anything it reaches has a `default`; kept across objects. */
const defaulting = new WeakMap<SchemaNode, boolean>();

/**
 * What Kubernetes' extensions to OpenAPI refuse in `data`, which JSON Schema
 * cannot say:
 * - `x-kubernetes-list-type: map` with `-list-map-keys`: no two entries with
 *   the same keys. Server-side apply (Flux; Argo CD with ServerSideApply)
 *   refuses such a list; client-side apply merges the two, so half of what
 *   was written is silently lost.
 * - `x-kubernetes-list-type: set`: no value twice.
 * - a CRD's CEL validation rules (`x-kubernetes-validations`), on the value at
 *   that node as `self`, as the API server runs them on create. Transition
 *   rules (reading `oldSelf`) apply on update to an older object sluice does
 *   not have, so the cluster judges them.
 * The walk follows the data, and only into schema nodes that have an
 * extension somewhere below them.
 */
export function extensionProblems(root: SchemaNode, data: unknown, resolve: (ref: string) => SchemaNode): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const deref = (node: SchemaNode): SchemaNode => {
    if (!node.$ref) return node;
    let target = targets.get(node);
    if (!target) {
      target = deref(resolve(node.$ref));
      targets.set(node, target);
    }
    return target;
  };

  /** Whether a node or anything it reaches carries an extension (a cycle counts as yes: walking is safe). */
  function hasExtensions(node: SchemaNode): boolean {
    const target = deref(node);
    const known = relevant.get(target);
    if (known !== undefined) return known;
    relevant.set(target, true);
    const found = EXTENSIONS.some((key) => target[key] !== undefined) || childrenOf(target).some(hasExtensions);
    relevant.set(target, found);
    return found;
  }

  /**
   * A node reduced to what the walk needs: its own extensions and only those
   * children that have one below them. Built once per schema node, so that an
   * object is walked along the few paths that matter, not along every field.
   */
  function planOf(node: SchemaNode): Plan {
    const target = deref(node);
    let plan = plans.get(target);
    if (!plan) {
      const relevantChild = (child: SchemaNode | undefined) => (child && hasExtensions(child) ? child : undefined);
      plan = {
        target,
        properties: Object.entries(target.properties ?? {}).filter(([, child]) => hasExtensions(child)),
        rest: typeof target.additionalProperties === "object" ? relevantChild(target.additionalProperties) : undefined,
        items: relevantChild(target.items),
        allOf: (target.allOf ?? []).filter(hasExtensions),
      };
      plans.set(target, plan);
    }
    return plan;
  }

  // The path is built only for a problem: most objects have none.
  const segments: string[] = [];
  const here = () => segments.map((segment) => `/${segment.replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");
  const visit = (key: string, schema: SchemaNode, value: unknown) => {
    segments.push(key);
    walk(schema, value);
    segments.pop();
  };

  function walk(node: SchemaNode, value: unknown): void {
    if (!hasExtensions(node)) return;
    const { target, properties, rest, items, allOf } = planOf(node);
    if (Array.isArray(value)) {
      const problem = listProblem(target, value);
      if (problem) problems.push({ instancePath: here(), message: problem });
      if (items) for (let index = 0; index < value.length; index++) visit(String(index), items, value[index]);
    } else if (value !== null && typeof value === "object") {
      const record = value as Record<string, unknown>;
      for (const [key, schema] of properties) if (Object.hasOwn(record, key)) visit(key, schema, record[key]);
      if (rest) {
        for (const key of Object.keys(record))
          if (!(target.properties && Object.hasOwn(target.properties, key))) visit(key, rest, record[key]);
      }
    }
    for (const part of allOf) walk(part, value);
    const validations = target["x-kubernetes-validations"];
    if (validations) {
      // The rules see the value as the API server stores it: with the schema's defaults filled in.
      const self = withDefaults(target, value);
      for (const { rule, message } of validations) {
        const problem = ruleProblem(rule, message, self);
        if (problem) problems.push({ instancePath: here(), message: problem });
      }
    }
  }

  /** Whether a node or anything it reaches has a default (a cycle counts as no: it adds none of its own). */
  function hasDefaults(node: SchemaNode): boolean {
    const target = deref(node);
    const known = defaulting.get(target);
    if (known !== undefined) return known;
    defaulting.set(target, false);
    const found = childrenOf(target).some((child) => deref(child).default !== undefined || hasDefaults(child));
    defaulting.set(target, found);
    return found;
  }

  /** The value with every absent field that has a default set to it, at every depth; the value itself when nothing changes. */
  function withDefaults(node: SchemaNode, value: unknown): unknown {
    if (!hasDefaults(node)) return value;
    const target = deref(node);
    if (Array.isArray(value)) return target.items ? value.map((item) => withDefaults(target.items!, item)) : value;
    if (value === null || typeof value !== "object") return value;
    const record = value as Record<string, unknown>;
    const filled: Record<string, unknown> = { ...record };
    for (const [key, child] of Object.entries(target.properties ?? {})) {
      if (Object.hasOwn(record, key)) filled[key] = withDefaults(child, record[key]);
      else if (deref(child).default !== undefined) filled[key] = withDefaults(child, structuredClone(deref(child).default));
    }
    const rest = target.additionalProperties;
    if (typeof rest === "object")
      for (const key of Object.keys(record))
        if (!(target.properties && Object.hasOwn(target.properties, key))) filled[key] = withDefaults(rest, record[key]);
    return (target.allOf ?? []).reduce<unknown>((sofar, part) => withDefaults(part, sofar), filled);
  }

  walk(root, data);
  return problems;
}

/** The schema nodes directly below a node: its properties, the rest of its keys, its items, its allOf parts. */
function childrenOf(target: SchemaNode): SchemaNode[] {
  return [
    ...Object.values(target.properties ?? {}),
    ...(typeof target.additionalProperties === "object" ? [target.additionalProperties] : []),
    ...(target.items ? [target.items] : []),
    ...(target.allOf ?? []),
  ];
}

function listProblem(node: SchemaNode, list: readonly unknown[]): string | undefined {
  const type = node["x-kubernetes-list-type"];
  const keys = node["x-kubernetes-list-map-keys"];
  const seen = new Set<string>();
  if (type === "map" && keys) {
    for (const item of list) {
      if (item === null || typeof item !== "object") continue;
      const record = item as Record<string, unknown>;
      // An absent key counts as its default, which is the same for both entries.
      const values = keys.map((key) => (Object.hasOwn(record, key) ? record[key] : null));
      const id = JSON.stringify(values);
      if (seen.has(id))
        return `has two entries with ${keys.map((key, i) => `${key}=${values[i] === null ? "(default)" : JSON.stringify(values[i])}`).join(", ")}; each entry needs keys of its own`;
      seen.add(id);
    }
  } else if (type === "set") {
    for (const item of list) {
      const id = JSON.stringify(item);
      if (seen.has(id)) return `lists ${id} twice, but it is a set`;
      seen.add(id);
    }
  }
  return undefined;
}

function ruleProblem(rule: string, message: string | undefined, self: unknown): string | undefined {
  if (/\boldSelf\b/.test(rule)) return undefined;
  const run = compiled(rule);
  if (typeof run === "string") return `has a validation rule sluice cannot evaluate (${run}): ${rule}`;
  let result: unknown;
  try {
    result = run({ self });
  } catch (error) {
    result = (error instanceof Error ? error.message : String(error)).split("\n")[0];
    // cel-js refuses has() on a field of anything but a variable's path (has(self.matches[0].path):
    // marcbachmann/cel-js#104), which the API server's cel-go takes: a conformant second implementation decides.
    if (secondOpinion(rule, self) === true) return undefined;
  }
  if (result === true) return undefined;
  return `${message ?? `breaks the rule ${rule}`}${typeof result === "string" ? ` (${result})` : ""}`;
}

type BufbuildModule = typeof import("@bufbuild/cel");
let bufbuild: { readonly cel: BufbuildModule; readonly environment: ReturnType<BufbuildModule["celEnv"]> } | undefined;
const secondRules = new Map<string, Compiled | undefined>();

/** The rule's value by @bufbuild/cel (tested against the cel-spec conformance suite), or undefined when it has none. */
function secondOpinion(rule: string, self: unknown): unknown {
  if (!bufbuild) {
    const cel = require("@bufbuild/cel") as BufbuildModule;
    bufbuild = { cel, environment: cel.celEnv({ variables: { self: cel.CelScalar.DYN } }) };
  }
  const { cel, environment } = bufbuild;
  if (!secondRules.has(rule)) {
    try {
      const planned = cel.plan(environment, cel.parse(rule));
      secondRules.set(rule, (context) => planned(context as Parameters<typeof planned>[0]));
    } catch {
      secondRules.set(rule, undefined);
    }
  }
  const run = secondRules.get(rule);
  if (!run) return undefined;
  try {
    const value = run({ self: integers(self) });
    return cel.isCelError(value) ? undefined : value;
  } catch {
    return undefined;
  }
}

/** A JSON value as the API server hands it to CEL: whole numbers are int, not double. */
function integers(value: unknown): unknown {
  if (typeof value === "number") return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(integers);
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, integers(item)]));
  return value;
}

function compiled(rule: string): Compiled | string {
  let run = rules.get(rule);
  if (run === undefined) {
    if (!environment) {
      const { Environment } = require("@marcbachmann/cel-js") as CelModule;
      environment = new Environment({ unlistedVariablesAreDyn: true, enableOptionalTypes: true, homogeneousAggregateLiterals: false });
    }
    try {
      const parsed = environment.parse(rule);
      run = (context) => parsed(context);
    } catch (error) {
      run = (error instanceof Error ? error.message : String(error)).split("\n")[0]!;
    }
    rules.set(rule, run);
  }
  return run;
}
