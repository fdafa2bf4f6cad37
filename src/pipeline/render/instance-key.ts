import { createHash } from "node:crypto";
import type { InstanceInput } from "../../model/instance-input.js";
import type { Blueprints } from "./blueprints.js";
import { canonicalJson } from "../../cache/canonical-json.js";
import { codeFingerprint } from "../../cache/code-fingerprint.js";

/** What the stages do with an instance's input, besides sluice's code: the same for every instance of a run. */
export interface InstanceKeyContext {
  /** The blueprint each instance's app chose (its name is in the input; its code is not). */
  readonly blueprints: Blueprints;
  /** The policy's: a cached instance's findings are not evaluated again. */
  readonly policyFingerprint: string;
  /** The literal values waived anywhere, which the scan of the rendered files lets through: a cached instance is not scanned again. */
  readonly waivedLiterals: ReadonlySet<string>;
}

/**
 * The render key of each app instance: a hash of its whole input (see
 * model/instance-input.ts), which is all that resolves, renders and
 * checks it, together with sluice's code, its app's blueprint and the policy. Lines
 * in origins are left out (canonical-json.ts): a comment added to a stack
 * renders the same bytes, and a cached file's origins are rebuilt on the
 * app's current line.
 *
 * Undefined for an instance whose blueprint is not known to be pure: a
 * platform's or the API's blueprint may change without its name changing, so
 * only one that declares a `cacheKey` (or a built-in one, hashed with sluice's
 * code) is cached. The blueprint's name and `cacheKey` are part of the key:
 * changing an app's blueprint, or a blueprint's `cacheKey`, renders its apps again.
 */
export function instanceKeys(context: InstanceKeyContext): (input: InstanceInput) => string | undefined {
  const run = canonicalJson([codeFingerprint(), context.policyFingerprint, [...context.waivedLiterals].sort()]);
  // Most of the input's parts are shared between instances (the platform, an app's view, a
  // cluster): each is serialised once per run, and a long one hashed once, so that an
  // instance's key hashes digests and its own few small parts.
  const parts = new Map<object, string>();
  const partOf = (value: unknown): string => {
    if (typeof value !== "object" || value === null) return `=${canonicalJson(value)}`;
    let part = parts.get(value);
    if (part === undefined) {
      const json = canonicalJson(value);
      parts.set(value, (part = json.length > 256 ? `#${sha256(json)}` : `=${json}`));
    }
    return part;
  };
  // The same few blueprints and the same fields, instance after instance: each written once.
  const blueprintParts = new Map<object, string>();
  let fields: { readonly unsorted: string; readonly sorted: readonly (keyof InstanceInput)[] } | undefined;
  return (input) => {
    const blueprint = context.blueprints.of(input.app);
    if (!context.blueprints.builtIn(blueprint) && blueprint.cacheKey === undefined) return undefined;
    let blueprintPart = blueprintParts.get(blueprint);
    if (blueprintPart === undefined)
      blueprintParts.set(blueprint, (blueprintPart = `${run}\0blueprint\0${canonicalJson([blueprint.name, blueprint.cacheKey ?? ""])}`));
    const keys = Object.keys(input) as (keyof InstanceInput)[];
    const unsorted = keys.join("\0");
    if (fields?.unsorted !== unsorted) fields = { unsorted, sorted: keys.sort() };
    let text = blueprintPart;
    for (const field of fields.sorted) {
      const value: unknown = input[field];
      if (value !== undefined) text += `\0${field}\0${partOf(value)}`;
    }
    return sha256(text).slice(0, 40);
  };
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
