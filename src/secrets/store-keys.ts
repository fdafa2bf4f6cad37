/**
 * Which keys of a secret store a team's apps may read. A ClusterSecretStore
 * serves every namespace, and a namespaced SecretStore usually holds one
 * credential for the whole backend, so the store itself confines nothing: an
 * `externalSecret({ key: "payments/db" })` in another team's app would copy
 * payments' database credentials into that team's namespace. The platform
 * therefore says, per store, which key patterns a team reads; sluice refuses
 * any other reference at its line.
 */

/** What a store allows when the platform says nothing: each team reads the keys under its own name. */
export const DEFAULT_STORE_KEYS: readonly string[] = ["{team}/*"];

/** A pattern as written: any characters but whitespace and braces, and the placeholder "{team}". */
export const STORE_KEY_PATTERN = /^(?:[^{}\s]|\{team\})+$/;

/** Whether the key matches the pattern for this team: "{team}" is the team's name, "*" any run of characters ("/" included). */
export function storeKeyMatches(pattern: string, team: string, key: string): boolean {
  const source = pattern
    .split("{team}")
    .map((part) => part.split("*").map(escapeRegExp).join(".*"))
    .join(escapeRegExp(team));
  return new RegExp(`^${source}$`, "s").test(key);
}

/**
 * Why a key cannot be judged by its patterns, or undefined: a "." or ".."
 * segment, or an empty one, may be resolved by the store's backend (a Vault
 * path, a URL) to a key outside the prefix the pattern checked.
 */
export function storeKeyShapeProblem(key: string): string | undefined {
  const segments = key.split("/");
  if (segments.some((segment) => segment === "." || segment === "..")) return 'has a "." or ".." segment';
  if (segments.some((segment) => segment === "")) return 'has an empty segment (a leading, trailing or doubled "/")';
  return undefined;
}

/** The patterns one team reads, "{team}" filled in, for messages. */
export function storeKeysFor(patterns: readonly string[], team: string): string[] {
  return patterns.map((pattern) => pattern.split("{team}").join(team));
}

/**
 * Why a team may not read this key of the store, or undefined: the key must
 * match one of the patterns the platform gives the store (default
 * "{team}/*"), and have no segment the backend could resolve elsewhere.
 */
export function storeKeyProblem(
  key: string,
  store: string,
  patterns: readonly string[],
  team: string,
): { message: string; hint: string } | undefined {
  if (patterns.includes("*")) return undefined;
  const allowed = storeKeysFor(patterns, team)
    .map((pattern) => JSON.stringify(pattern))
    .join(", ");
  const shape = storeKeyShapeProblem(key);
  if (shape) return { message: shape, hint: `write the key as a plain path the store's patterns can judge, one of: ${allowed}` };
  if (patterns.some((pattern) => storeKeyMatches(pattern, team, key))) return undefined;
  return {
    message: `team ${team} may not read: the platform lets it read ${allowed}`,
    hint: `keep the team's secrets under its own keys (e.g. ${JSON.stringify(storeKeysFor([patterns[0]!], team)[0]!.replace(/\*/g, "<name>"))}), or have the platform widen secretStores.${store}.keys`,
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
