import { createHash } from "node:crypto";
import type { InstanceInput } from "../pipeline/instance-input.js";
import type { Blueprint } from "../model/rendered.js";
import { canonicalJson } from "./canonical-json.js";
import { engineFingerprint } from "./engine.js";

/** What the stages do with an instance's input, besides sluice's code: the same for every instance of a run. */
export interface InstanceKeyContext {
  readonly blueprint: Blueprint;
  /** True for sluice's own blueprint, which is hashed with sluice's code. */
  readonly builtInBlueprint: boolean;
  /** The policy's: a cached instance's findings are not evaluated again. */
  readonly policyFingerprint: string;
  /** The literal values waived anywhere, which the scan of the rendered files lets through: a cached instance is not scanned again. */
  readonly waivedLiterals: ReadonlySet<string>;
}

/**
 * The render key of each app instance: a hash of its whole input (see
 * pipeline/instance-input.ts), which is all that resolves, renders and
 * checks it, together with sluice's code, the blueprint and the policy. Lines
 * in origins are left out (canonical-json.ts): a comment added to a stack
 * renders the same bytes, and a cached file's origins are rebuilt on the
 * app's current line.
 *
 * Undefined when the blueprint is not known to be pure: a blueprint given
 * through the API may change without its name changing, so only one that
 * declares a `cacheKey` (or the built-in one, hashed with sluice's code) is cached.
 */
export function instanceKeys(context: InstanceKeyContext): ((input: InstanceInput) => string) | undefined {
  const { blueprint } = context;
  if (!context.builtInBlueprint && blueprint.cacheKey === undefined) return undefined;
  const run = canonicalJson([engineFingerprint(), blueprint.name, blueprint.cacheKey ?? "", context.policyFingerprint, [...context.waivedLiterals].sort()]);
  // The input's parts are shared between instances (the platform, an app's view, a cluster):
  // each is serialised and hashed once per run, and an instance's key hashes their digests.
  const digests = new WeakMap<object, string>();
  const digestOf = (value: unknown): string => {
    if (typeof value !== "object" || value === null) return canonicalJson(value);
    let digest = digests.get(value);
    if (digest === undefined) digests.set(value, (digest = sha256(canonicalJson(value))));
    return digest;
  };
  return (input) => {
    const hash = createHash("sha256").update(run).update("\0");
    for (const field of Object.keys(input).sort()) {
      const value: unknown = input[field as keyof InstanceInput];
      if (value !== undefined) hash.update(`${field}\0${digestOf(value)}\0`);
    }
    return hash.digest("hex").slice(0, 40);
  };
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
