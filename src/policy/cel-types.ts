/**
 * The types sluice's CEL checker (cel-check.ts) reasons with, and how a
 * kind's JSON Schema becomes one: the structural typing the API server gives
 * `object` when it type-checks a policy against a kind (cel-go's DeclType from
 * OpenAPI), reduced to what field selection needs.
 */

export type CelType =
  | { readonly kind: "dyn" | "bool" | "int" | "uint" | "double" | "string" | "bytes" | "null" | "timestamp" | "duration" | "type" }
  | { readonly kind: "list"; readonly element: CelType }
  | { readonly kind: "map"; readonly key: CelType; readonly value: CelType }
  | ObjectType;

/** A type with named fields: a kind's schema, the AdmissionRequest, the policy's `variables`. */
export interface ObjectType {
  readonly kind: "object";
  readonly name: string;
  /** The field's type, or undefined when the type has no such field. */
  field(name: string): CelType | undefined;
}

/** A JSON Schema (OpenAPI v3 flavour, as the Kubernetes API publishes it). */
export interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly format?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly additionalProperties?: JsonSchema | boolean;
  readonly items?: JsonSchema;
  readonly allOf?: readonly JsonSchema[];
  readonly $ref?: string;
  readonly "x-kubernetes-int-or-string"?: boolean;
  readonly "x-kubernetes-preserve-unknown-fields"?: boolean;
  readonly [key: string]: unknown;
}

/**
 * The schema of a kind at an API version, or undefined when sluice has none
 * (a custom resource without a CRD, a kind it does not know): selections on
 * such an `object` are not checked, as the API server skips kinds it cannot
 * resolve.
 */
export type SchemaResolver = (apiVersion: string, kind: string) => JsonSchema | undefined;

export const DYN: CelType = { kind: "dyn" };
export const BOOL: CelType = { kind: "bool" };
export const INT: CelType = { kind: "int" };
export const UINT: CelType = { kind: "uint" };
export const DOUBLE: CelType = { kind: "double" };
export const STRING: CelType = { kind: "string" };
export const BYTES: CelType = { kind: "bytes" };
export const NULL: CelType = { kind: "null" };
export const TIMESTAMP: CelType = { kind: "timestamp" };
export const DURATION: CelType = { kind: "duration" };
export const TYPE: CelType = { kind: "type" };

export const listOf = (element: CelType): CelType => ({ kind: "list", element });
export const mapOf = (key: CelType, value: CelType): CelType => ({ kind: "map", key, value });

/** An object type with fixed fields. */
export function objectOf(name: string, fields: Readonly<Record<string, CelType>>): ObjectType {
  return { kind: "object", name, field: (field) => (Object.hasOwn(fields, field) ? fields[field] : undefined) };
}

export function typeName(type: CelType): string {
  switch (type.kind) {
    case "list":
      return `list(${typeName(type.element)})`;
    case "map":
      return `map(${typeName(type.key)}, ${typeName(type.value)})`;
    case "object":
      return type.name;
    default:
      return type.kind;
  }
}

export function sameType(a: CelType, b: CelType): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === "list" && b.kind === "list") return sameType(a.element, b.element);
  if (a.kind === "map" && b.kind === "map") return sameType(a.key, b.key) && sameType(a.value, b.value);
  if (a.kind === "object" && b.kind === "object") return a === b || a.name === b.name;
  return true;
}

/**
 * A schema as a CEL type, the way the API server derives it: properties make
 * an object, additionalProperties a map, items a list; int-or-string and
 * preserve-unknown-fields are dyn. `$ref`s resolve against `root`.
 */
export function schemaType(
  schema: JsonSchema,
  name: string,
  root: JsonSchema = schema,
  seen: Map<JsonSchema, CelType> = new Map(),
): CelType {
  const resolved = deref(schema, root);
  const known = seen.get(resolved);
  if (known) return known;
  if (resolved["x-kubernetes-int-or-string"]) return DYN;
  const type = Array.isArray(resolved.type) ? undefined : (resolved.type as string | undefined);
  switch (type) {
    case "boolean":
      return BOOL;
    case "integer":
      return INT;
    case "number":
      return DOUBLE;
    case "string":
      return resolved.format === "date-time"
        ? TIMESTAMP
        : resolved.format === "duration"
          ? DURATION
          : resolved.format === "byte"
            ? BYTES
            : STRING;
    case "array":
      return resolved.items ? listOf(schemaType(resolved.items, `${name}.@items`, root, seen)) : listOf(DYN);
    case "object":
    case undefined: {
      const properties = resolved.properties;
      if (properties && Object.keys(properties).length > 0) {
        const fields = new Map<string, CelType>();
        const object: ObjectType = {
          kind: "object",
          name,
          field: (field) => {
            if (!Object.hasOwn(properties, field)) return undefined;
            let fieldType = fields.get(field);
            if (!fieldType) fields.set(field, (fieldType = schemaType(properties[field]!, `${name}.${field}`, root, seen)));
            return fieldType;
          },
        };
        seen.set(resolved, object);
        return object;
      }
      const additional = resolved.additionalProperties;
      if (additional && typeof additional === "object") return mapOf(STRING, schemaType(additional, `${name}.@value`, root, seen));
      return DYN;
    }
    default:
      return DYN;
  }
}

/** Follows `$ref` ("#/definitions/…", "#/$defs/…", "#/components/schemas/…") and single-element allOf. */
function deref(schema: JsonSchema, root: JsonSchema): JsonSchema {
  let current = schema;
  for (let hops = 0; hops < 32; hops++) {
    if (current.$ref?.startsWith("#/")) {
      let target: unknown = root;
      for (const part of current.$ref.slice(2).split("/")) {
        const key = part.replace(/~1/g, "/").replace(/~0/g, "~");
        target =
          target !== null && typeof target === "object" && Object.hasOwn(target, key)
            ? (target as Record<string, unknown>)[key]
            : undefined;
      }
      if (target === undefined || typeof target !== "object") return {};
      current = target as JsonSchema;
      continue;
    }
    if (current.allOf?.length === 1 && !current.type && !current.properties) {
      current = current.allOf[0]!;
      continue;
    }
    return current;
  }
  return current;
}

/**
 * The CEL type of a JSON value written as a literal (celLiteral in cel.ts),
 * without parsing it: what a policy variable holding the platform's settings
 * is typed as. Throws when a list or map mixes types, which Kubernetes
 * refuses (the compile check then reports it properly).
 */
export function literalType(value: unknown): CelType {
  if (value === null) return NULL;
  if (typeof value === "string") return STRING;
  if (typeof value === "boolean") return BOOL;
  if (typeof value === "number") return Number.isInteger(value) ? INT : DOUBLE;
  const one = (types: CelType[]): CelType => {
    if (types.length === 0) return DYN;
    if (types.some((type) => !sameType(type, types[0]!))) throw new Error("a literal of mixed types");
    return types[0]!;
  };
  if (Array.isArray(value)) return listOf(one(value.map(literalType)));
  if (typeof value === "object") return mapOf(Object.keys(value).length > 0 ? STRING : DYN, one(Object.values(value).map(literalType)));
  throw new Error("not JSON");
}
