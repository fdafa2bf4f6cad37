import { appSchema } from "../model/app-schema.js";
import type { Diagnostic } from "../model/diagnostic.js";
import { formatPath } from "../model/origin.js";
import { platformSchema } from "../model/platform-schema.js";
import { propertyPathAt } from "./locate.js";
import { editDistance } from "../model/spelling.js";

/** TypeScript's "Object literal may only specify known properties" errors, with and without a suggestion. */
const UNKNOWN_PROPERTY = new Set(["typecheck/TS2353", "typecheck/TS2561"]);

/**
 * Rewrites the type errors that are about sluice's own types into the
 * stack's terms. An unknown property gets the property, where it is
 * ("environments.dev") and the keys allowed there, from the schema, with a
 * "did you mean" — instead of TypeScript's whole inline type, which for an
 * environment runs to hundreds of characters. Other errors pass unchanged.
 */
export function teachTypeErrors(root: string, diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.map((diagnostic) => {
    if (!UNKNOWN_PROPERTY.has(diagnostic.code) || !diagnostic.origin) return diagnostic;
    const property = /'([^']+)' does not exist in type/.exec(diagnostic.message)?.[1];
    if (property === undefined) return diagnostic;
    let context: ReturnType<typeof propertyPathAt>;
    try {
      context = propertyPathAt(root, diagnostic.origin.file, diagnostic.origin.line, diagnostic.origin.column);
    } catch {
      return diagnostic;
    }
    if (!context) return diagnostic;
    const keys = allowedKeys(context.call === "platform" ? platformSchema : appSchema, context.path);
    if (!keys) return diagnostic;
    const suggested = /Did you mean to write '([^']+)'\?/.exec(diagnostic.message)?.[1] ?? closest(property, keys);
    const where = context.path.length > 0 ? formatPath(context.path) : context.call === "platform" ? "the platform" : "the app";
    return {
      ...diagnostic,
      message: `unknown property ${JSON.stringify(property)} in ${where}${suggested ? `; did you mean ${JSON.stringify(suggested)}?` : ""}`,
      origin: { ...diagnostic.origin, path: [...context.path, property] },
      hint: `allowed here: ${keys.join(", ")}`,
    };
  });
}

interface Def {
  readonly type: string;
  readonly shape?: Record<string, { _zod: { def: Def } }>;
  readonly innerType?: { _zod: { def: Def } };
  readonly valueType?: { _zod: { def: Def } };
  readonly element?: { _zod: { def: Def } };
  readonly options?: readonly { _zod: { def: Def } }[];
  readonly in?: { _zod: { def: Def } };
}

/** The keys an object accepts at a path of a schema, or undefined where it is no object. */
function allowedKeys(schema: { _zod: { def: unknown } }, path: readonly (string | number)[]): string[] | undefined {
  let defs: Def[] = [schema._zod.def as Def];
  const unwrap = (def: Def): Def[] => {
    if (def.innerType) return unwrap(def.innerType._zod.def);
    if (def.in) return unwrap(def.in._zod.def);
    if (def.type === "union" && def.options) return def.options.flatMap((option) => unwrap(option._zod.def));
    return [def];
  };
  for (const segment of path) {
    defs = defs.flatMap(unwrap).flatMap((def): Def[] => {
      if (def.type === "object" && def.shape && typeof segment === "string" && Object.hasOwn(def.shape, segment)) return [def.shape[segment]!._zod.def];
      if (def.type === "record" && def.valueType) return [def.valueType._zod.def];
      if (def.type === "array" && def.element && typeof segment === "number") return [def.element._zod.def];
      return [];
    });
  }
  const objects = defs.flatMap(unwrap).filter((def) => def.type === "object" && def.shape);
  if (objects.length === 0) return undefined;
  return [...new Set(objects.flatMap((def) => Object.keys(def.shape!)))];
}

/** The allowed key closest to a misspelling, when it is close enough to be what was meant. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  // A shortened name ("initialDelay" for "initialDelaySeconds") is what was meant.
  const extended = candidates.filter((key) => key.toLowerCase().startsWith(word.toLowerCase())).sort((a, b) => a.length - b.length)[0];
  if (extended && word.length >= 4) return extended;
  let best: { key: string; distance: number } | undefined;
  for (const key of candidates) {
    const distance = editDistance(word.toLowerCase(), key.toLowerCase());
    if (!best || distance < best.distance) best = { key, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(word.length / 3)) ? best.key : undefined;
}
