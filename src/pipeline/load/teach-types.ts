import { appSchema } from "../../model/app-schema.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import { formatPath } from "../../model/origin.js";
import { platformSchema } from "../../model/platform-schema.js";
import { closestName, editDistance } from "../../model/spelling.js";
import { allowedKeys, propertyPathAt, requiredKeys } from "../../locate/index.js";

/** TypeScript's "Object literal may only specify known properties" errors, with and without a suggestion. */
const UNKNOWN_PROPERTY = new Set(["typecheck/TS2353", "typecheck/TS2561"]);

/** The names a platform declares, in the order it declares them: what an app's `release`, `environments` and `clusters` are keyed by. */
export interface DeclaredNames {
  readonly environment: readonly string[];
  readonly cluster: readonly string[];
  readonly wave: readonly string[];
}

/**
 * An app's properties keyed by the platform's names. Their type is a mapped
 * type over the names, not a schema object, so an unknown key there is an
 * unknown name rather than an unknown property.
 */
const KEYED_BY_NAME = new Map<string | number, { readonly kind: keyof DeclaredNames; readonly plural: string }>([
  ["release", { kind: "wave", plural: "waves" }],
  ["environments", { kind: "environment", plural: "environments" }],
  ["clusters", { kind: "cluster", plural: "clusters" }],
]);

type Context = NonNullable<ReturnType<typeof propertyPathAt>>;

/**
 * Rewrites the type errors that are about sluice's own types into the
 * stack's terms, instead of TypeScript's whole inline type, which for an app
 * or an environment runs to hundreds of characters:
 *
 * - an unknown property: the property, where it is ("environments.dev"), the
 *   keys allowed there, from the schema, and a "did you mean";
 * - an unknown name in an app's `release`, `environments` or `clusters`: the
 *   names the platform declares (`names`, from the loaded platform; else
 *   those TypeScript printed, when it printed them all);
 * - a missing required property: which, where, and what is required there.
 *
 * Other errors pass unchanged.
 */
export function teachTypeErrors(root: string, diagnostics: readonly Diagnostic[], names?: DeclaredNames): Diagnostic[] {
  return diagnostics.map((diagnostic) => {
    if (!diagnostic.origin) return diagnostic;
    const missing = missingProperties(diagnostic.message);
    if (!UNKNOWN_PROPERTY.has(diagnostic.code) && !missing) return diagnostic;
    let context: Context | undefined;
    try {
      context = propertyPathAt(root, diagnostic.origin.file, diagnostic.origin.line, diagnostic.origin.column);
    } catch {
      return diagnostic;
    }
    if (!context) return diagnostic;
    const taught = missing ? missingProperty(diagnostic, context, missing) : unknownProperty(diagnostic, context, names);
    return taught ?? diagnostic;
  });
}

/** The names a loaded platform's spec declares; undefined when it is not an object. */
export function declaredNames(spec: unknown): DeclaredNames | undefined {
  if (!isRecord(spec)) return undefined;
  const keys = (value: unknown) => (isRecord(value) ? Object.keys(value) : []);
  const waves = Array.isArray(spec.waves)
    ? spec.waves.flatMap((wave: unknown) => (isRecord(wave) && typeof wave.name === "string" ? [wave.name] : []))
    : [];
  return { environment: keys(spec.environments), cluster: keys(spec.clusters), wave: waves };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function unknownProperty(diagnostic: Diagnostic, context: Context, names: DeclaredNames | undefined): Diagnostic | undefined {
  const quoted = /'([^']+)' does not exist in type/.exec(diagnostic.message)?.[1];
  if (quoted === undefined) return undefined;
  // A key that is no identifier is printed with its quotes: '"prod-us-2"'.
  const property = quoted.startsWith('"') && quoted.endsWith('"') && quoted.length >= 2 ? quoted.slice(1, -1) : quoted;
  const suggestedByTs = /Did you mean to write '([^']+)'\?/.exec(diagnostic.message)?.[1];
  const keyed = context.call === "app" && context.path.length === 1 ? KEYED_BY_NAME.get(context.path[0]!) : undefined;
  if (keyed) {
    const candidates = names?.[keyed.kind] ?? namesInType(diagnostic.message);
    const suggested = (candidates && closestName(property, candidates)) ?? suggestedByTs;
    return {
      ...diagnostic,
      message: `unknown ${keyed.kind} ${JSON.stringify(property)} in ${formatPath(context.path)}${suggested ? `; did you mean ${JSON.stringify(suggested)}?` : ""}`,
      origin: { ...diagnostic.origin!, path: [...context.path, property] },
      ...(candidates ? { hint: `the platform's ${keyed.plural}: ${candidates.join(", ")}` } : {}),
    };
  }
  const keys = allowedKeys(context.call === "platform" ? platformSchema : appSchema, context.path);
  if (!keys) return undefined;
  const suggested = suggestedByTs ?? closest(property, keys);
  return {
    ...diagnostic,
    message: `unknown property ${JSON.stringify(property)} in ${where(context.call, context.path)}${suggested ? `; did you mean ${JSON.stringify(suggested)}?` : ""}`,
    origin: { ...diagnostic.origin!, path: [...context.path, property] },
    hint: `allowed here: ${keys.join(", ")}`,
  };
}

/**
 * The keys of the object type an unknown-key error printed, e.g.
 * `{ readonly "dev-1"?: Override | undefined; … }`; undefined when
 * TypeScript shortened it ("... 4 more ...", or the type cut off with "..."), since a partial list would
 * hide the very name that was meant.
 */
function namesInType(message: string): string[] | undefined {
  const type = /does not exist in type '(.*)'/.exec(message)?.[1];
  // Shortened inside ("... 4 more ...") or cut off at the end ('readonly "prod-us-west-...').
  if (type === undefined || /\.\.\. \d+ more \.\.\./.test(type) || type.endsWith("...")) return undefined;
  const names = [...type.matchAll(/readonly (?:"((?:[^"\\]|\\.)*)"|([A-Za-z_$][\w$]*))\?:/g)].map((match) => match[1] ?? match[2]!);
  return names.length > 0 ? names : undefined;
}

/**
 * The properties a "missing in type" error names, when it is about the object
 * at the error's position: its last line, at most one line below the first
 * (a deeper chain, "Types of property 'x' are incompatible", is about an
 * object elsewhere, e.g. inside a variable passed whole).
 */
function missingProperties(message: string): string[] | undefined {
  const lines = message.split("\n").map((line) => line.trim());
  if (lines.length > 2) return undefined;
  const last = lines.at(-1)!;
  const one = /^Property '([^']+)' is missing in type '.*' but required in type '.*'\.$/.exec(last);
  if (one) return [one[1]!];
  const several = /^Type '.*' is missing the following properties from type '.*': ([^']+)$/.exec(last);
  if (!several) return undefined;
  return several[1]!
    .replace(/\.$/, "")
    .split(", ")
    .filter((name) => !/^and \d+ more$/.test(name));
}

function missingProperty(diagnostic: Diagnostic, context: Context, missing: readonly string[]): Diagnostic | undefined {
  // TypeScript reports an object that is a property's value at the property's name.
  const path = context.key !== undefined ? [...context.path, context.key] : context.path;
  const required = requiredKeys(context.call === "platform" ? platformSchema : appSchema, path, missing[0]!);
  if (!required) return undefined;
  const listed = missing.map((name) => JSON.stringify(name));
  const properties = listed.length === 1 ? `property ${listed[0]}` : `properties ${listed.slice(0, -1).join(", ")} and ${listed.at(-1)}`;
  return {
    ...diagnostic,
    message: `missing required ${properties} in ${where(context.call, path)}`,
    origin: { ...diagnostic.origin!, path },
    hint: `required here: ${required.map((keys) => keys.join(", ")).join("; or ")}`,
  };
}

function where(call: Context["call"], path: readonly (string | number)[]): string {
  return path.length > 0 ? formatPath(path) : call === "platform" ? "the platform" : "the app";
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
