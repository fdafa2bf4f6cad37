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
    const children = [
      ...Object.values(target.properties ?? {}),
      ...(typeof target.additionalProperties === "object" ? [target.additionalProperties] : []),
      ...(target.items ? [target.items] : []),
      ...(target.allOf ?? []),
    ];
    const found = EXTENSIONS.some((key) => target[key] !== undefined) || children.some(hasExtensions);
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
    for (const { rule, message } of target["x-kubernetes-validations"] ?? []) {
      const problem = ruleProblem(rule, message, value);
      if (problem) problems.push({ instancePath: here(), message: problem });
    }
  }

  walk(root, data);
  return problems;
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
  }
  if (result === true) return undefined;
  return `${message ?? `breaks the rule ${rule}`}${typeof result === "string" ? ` (${result})` : ""}`;
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
