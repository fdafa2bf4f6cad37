/**
 * What an object accepts at a property path of a zod schema: the keys
 * allowed there and those required. Type errors are taught with it (see
 * teach-types.ts), since the schema is where the stack's shapes come from.
 */

interface Def {
  readonly type: string;
  readonly shape?: Record<string, { _zod: { def: Def } }>;
  readonly innerType?: { _zod: { def: Def } };
  readonly valueType?: { _zod: { def: Def } };
  readonly element?: { _zod: { def: Def } };
  readonly options?: readonly { _zod: { def: Def } }[];
  readonly in?: { _zod: { def: Def } };
}

type Schema = { _zod: { def: unknown } };

/** The object schemas at a path (several where a union allows several shapes); empty where there is no object. */
function objectsAt(schema: Schema, path: readonly (string | number)[]): Def[] {
  let defs: Def[] = [schema._zod.def as Def];
  for (const segment of path) {
    defs = defs.flatMap(unwrap).flatMap((def): Def[] => {
      if (def.type === "object" && def.shape && typeof segment === "string" && Object.hasOwn(def.shape, segment))
        return [def.shape[segment]!._zod.def];
      if (def.type === "record" && def.valueType) return [def.valueType._zod.def];
      if (def.type === "array" && def.element && typeof segment === "number") return [def.element._zod.def];
      return [];
    });
  }
  return defs.flatMap(unwrap).filter((def) => def.type === "object" && def.shape);
}

function unwrap(def: Def): Def[] {
  if (def.innerType) return unwrap(def.innerType._zod.def);
  if (def.in) return unwrap(def.in._zod.def);
  if (def.type === "union" && def.options) return def.options.flatMap((option) => unwrap(option._zod.def));
  return [def];
}

/** The keys an object accepts at a path of a schema, or undefined where it is no object. */
export function allowedKeys(schema: Schema, path: readonly (string | number)[]): string[] | undefined {
  const objects = objectsAt(schema, path);
  if (objects.length === 0) return undefined;
  return [...new Set(objects.flatMap((def) => Object.keys(def.shape!)))];
}

/**
 * The required keys of each shape at a path that has `property` (one list
 * per shape of a union), or undefined where no object there has it.
 */
export function requiredKeys(schema: Schema, path: readonly (string | number)[], property: string): string[][] | undefined {
  const objects = objectsAt(schema, path).filter((def) => Object.hasOwn(def.shape!, property));
  if (objects.length === 0) return undefined;
  const lists = objects.map((def) => Object.entries(def.shape!).flatMap(([key, field]) => (isOptional(field._zod.def) ? [] : [key])));
  return lists.filter((list, index) => lists.findIndex((other) => other.join() === list.join()) === index);
}

function isOptional(def: Def): boolean {
  if (def.type === "pipe" && def.in) return isOptional(def.in._zod.def);
  return def.type === "optional" || def.type === "default" || def.type === "prefault";
}
