/**
 * The plaintext scanner: does a literal look like a credential? Two kinds of
 * rule. Strong patterns are unmistakable whatever a value is called (a
 * private key block, a cloud or forge token, a JWT, a URL with a password)
 * and run on every literal and on the final bytes of every file. The named
 * rule judges a value by the name it is written under (`DB_PASSWORD`,
 * `api_key`): a password is any string, so it flags values under such names
 * that look chosen rather than configured.
 *
 * A finding never repeats the value: messages end up in CI logs.
 */

export interface ScanFinding {
  /** Stable id of the rule that matched. */
  readonly rule: string;
  /** What was found, without the value itself. */
  readonly what: string;
}

interface StrongRule {
  readonly rule: string;
  readonly what: string;
  readonly pattern: RegExp;
}

// Documented prefixes and shapes of each issuer's credentials.
const STRONG: readonly StrongRule[] = [
  { rule: "private-key", what: "a private key block", pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/ },
  { rule: "aws-access-key", what: "an AWS access key id", pattern: /(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])/ },
  { rule: "github-token", what: "a GitHub token", pattern: /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})/ },
  { rule: "gitlab-token", what: "a GitLab token", pattern: /(?<![A-Za-z0-9_-])glpat-[A-Za-z0-9_-]{20,}/ },
  { rule: "slack-token", what: "a Slack token", pattern: /(?<![A-Za-z0-9])xox[abposr]-[0-9A-Za-z]{6,}(?:-[0-9A-Za-z]+)+/ },
  { rule: "slack-webhook", what: "a Slack webhook URL", pattern: /https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]+/ },
  { rule: "jwt", what: "a JSON Web Token", pattern: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{7,}\.eyJ[A-Za-z0-9_-]{7,}\.[A-Za-z0-9_-]{10,}/ },
  {
    rule: "url-credentials",
    what: "a URL with a password in it",
    // scheme://user:<password>@host, where the password is not a placeholder:
    // one the runtime fills in ($(VAR) for Kubernetes, ${VAR}, $VAR and {{ … }}
    // for shells and templates) or one for people (<password>, ***).
    pattern: /[a-z][a-z0-9+.-]*:\/\/[^\s:/?#@"']*:(?!\$\(|\$\{|\$[A-Z_][A-Z0-9_]*@|\{\{|<[^>\s]*>@|\*+@)[^\s/?#@"']+@[^\s/?#@"']+/i,
  },
];

/** A cheap first look that every strong pattern needs to pass: most lines fail it. */
const CANDIDATE = /PRIVATE KEY|AKIA|ASIA|gh[pousr]_|github_pat_|glpat-|xox[abposr]-|hooks\.slack\.com|eyJ|:\/\/[^\s/@]*:[^\s/@]*@/;

/** Names under which a value is a credential: matched on the name's words (split on _, -, . and case changes). */
const SECRET_WORDS = new Set(["password", "passwd", "pwd", "pass", "passphrase", "token", "secret", "credential", "credentials", "apikey", "auth", "privatekey", "accesskey", "secretkey", "signingkey"]);
const SECRET_PAIRS = new Set(["api key", "private key", "access key", "secret key", "signing key", "encryption key", "master key", "client secret", "auth token", "access token"]);
/** …unless the name says it is about the secret rather than the secret itself. */
const META_WORDS = new Set(["file", "path", "dir", "name", "ref", "url", "uri", "length", "len", "min", "max", "ttl", "expiry", "expires", "timeout", "seconds", "minutes", "hours", "enabled", "required", "policy", "header", "type", "mode", "id", "secretname", "endpoint", "store", "role", "scope", "scopes", "audience", "issuer", "provider", "backend", "algorithm", "version", "realm", "format"]);

/** Judges one literal value written under a name (an env var, a ConfigMap key, an annotation, a field). */
export function scanLiteral(name: string, value: string): ScanFinding | undefined {
  const strong = strongMatch(value);
  if (strong) return strong;
  if (!isSecretName(name)) return undefined;
  const strictly = isSecretName(name, true);
  if (strictly && !namesAKey(name) && isWellKnownPassword(value)) return { rule: "weak-secret", what: `a well-known default or weak password under ${JSON.stringify(name)} (${value.length} characters)` };
  if (looksChosen(value) || (strictly && looksLikePassword(value))) {
    return { rule: "named-secret", what: `a value under ${JSON.stringify(name)} that looks like a real secret (${value.length} characters, ${describe(value)})` };
  }
  return undefined;
}

/**
 * The commonest default and weak passwords, the ones an attacker tries
 * first: a literal one under a secret's name is a credential however short
 * or plain it is (`DB_PASSWORD: "changeme"`). Compared in lower case, after
 * the digits or "!" people append to them ("admin123", "Password1!").
 */
const WELL_KNOWN = new Set([
  "changeme", "changeit", "password", "passw0rd", "p@ssw0rd", "p@ssword", "pass", "passwd", "admin", "administrator", "secret", "s3cret", "s3cr3t",
  "letmein", "welcome", "qwerty", "qwertyuiop", "iloveyou", "trustno1", "monkey", "dragon", "master", "guest",
  "test", "root", "toor", "postgres", "mysql", "sa", "superuser",
]);

/**
 * A camelCase field ending in "Key" (`secretKey`, `passwordKey`) in a
 * Kubernetes object names a key of a Secret, so "password" there is a key's
 * name, not a password; `SECRET_KEY` or `secret_key` is the key itself.
 */
function namesAKey(name: string): boolean {
  return /^[a-z][A-Za-z0-9]*Key$/.test(name);
}

function isWellKnownPassword(value: string): boolean {
  const lower = value.trim().toLowerCase();
  if (/^(?:0123456789?|123456(?:7(?:89?)?)?|1234|12345|0000+|1111+|654321|987654321)$/.test(lower)) return true;
  return WELL_KNOWN.has(lower.replace(/[0-9!.]+$/, ""));
}

/** The strong patterns over a whole file, with the 1-based line of each finding. */
export function scanText(text: string): (ScanFinding & { readonly line: number })[] {
  if (!CANDIDATE.test(text)) return [];
  const findings: (ScanFinding & { line: number })[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!CANDIDATE.test(line)) continue;
    const found = strongMatch(line);
    if (found) findings.push({ ...found, line: i + 1 });
  }
  return findings;
}

function strongMatch(value: string): ScanFinding | undefined {
  if (!CANDIDATE.test(value)) return undefined;
  for (const { rule, what, pattern } of STRONG) {
    const match = pattern.exec(value);
    if (match) return { rule, what: `${what} ("${match[0].slice(0, 4)}…", ${match[0].length} characters)` };
  }
  return undefined;
}

/**
 * Whether the name calls its value a credential. With `strict`, "auth"
 * alone does not: AUTH_PROVIDER or AUTH_BACKEND name a mechanism ("oidc",
 * "postgres"), so the rules for short values need a word that names the
 * secret itself (password, token, secret, key…).
 */
function isSecretName(name: string, strict = false): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0 && !(strict && word === "auth"));
  if (words.length === 0) return false;
  const last = words[words.length - 1]!;
  if (META_WORDS.has(last)) return false;
  const joined = words.join(" ");
  return words.some((word) => SECRET_WORDS.has(word)) || [...SECRET_PAIRS].some((pair) => joined.includes(pair)) || SECRET_WORDS.has(words.join(""));
}

/**
 * True for a value that is configuration rather than a credential whatever
 * its name: filled in at run time, a switch or a number, a path or a URL
 * without credentials, a DNS-style name with a separator ("payments-api",
 * "us-east-1", "db.internal"), a digest, a UUID, or words with spaces.
 */
function isConfiguration(value: string): boolean {
  if (/^\$\(.+\)$|^\$\{.+\}$|^\{\{.+\}\}$|^<[^<>]+>$/.test(value)) return true; // filled in at run time, or a placeholder for people
  if (/^(true|false|yes|no|on|off|null|none|enabled|disabled|[0-9]+([.][0-9]+)?[a-z]{0,2})$/i.test(value)) return true;
  if (/^(\/|\.\/|~\/|file:)/.test(value) || /^[a-z][a-z0-9+.-]*:\/\/[^@]*$/i.test(value)) return true; // a path or a URL without credentials
  if (/^[a-z0-9]+([-.][a-z0-9]+)+$/.test(value) && !/[0-9]/.test(value.replace(/[0-9]+$/, ""))) return true; // a name
  if (/^(sha256|sha512|sha1|md5):[0-9a-f]+$/i.test(value)) return true; // a digest
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) return true; // a UUID (an id; an API key shaped so is judged by looksChosen first)
  if (/^v?[0-9]+(\.[0-9]+)+([-+][0-9A-Za-z.-]+)?$/.test(value)) return true; // a version
  if (/^[a-z]+( [a-z]+)+$/i.test(value)) return true; // words: a description
  return false;
}

/**
 * True for a value that looks picked or generated rather than configured:
 * long enough, not configuration, and either mixed in character classes or
 * high in entropy.
 */
function looksChosen(value: string): boolean {
  if (value.length < 8) return false;
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) return true; // under a secret's name, a UUID is an API key
  if (isConfiguration(value)) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(value)).length;
  return (classes >= 3 && value.length >= 10) || (classes >= 2 && entropy(value) >= 3.5) || (value.length >= 8 && classes >= 3 && entropy(value) >= 3);
}

/**
 * The length and character-class rule for what people type as a password:
 * at least 6 characters with no space, letters mixed with digits or symbols
 * ("hunter2", "Summer24", "pa$$word") and not configuration. Too short or
 * too plain for the entropy test, but nobody writes such a value under a
 * password's or a token's name unless it is one.
 */
function looksLikePassword(value: string): boolean {
  if (value.length < 6 || /\s/.test(value) || isConfiguration(value)) return false;
  return /[A-Za-z]/.test(value) && /[0-9!@#$%^&*+=?~]/.test(value);
}

/** Shannon entropy in bits per character. */
function entropy(value: string): number {
  const counts = new Map<string, number>();
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

function describe(value: string): string {
  const kinds = [
    [/[a-z]/, "lower case"],
    [/[A-Z]/, "upper case"],
    [/[0-9]/, "digits"],
    [/[^A-Za-z0-9]/, "symbols"],
  ] as const;
  return kinds
    .filter(([re]) => re.test(value))
    .map(([, label]) => label)
    .join(", ");
}
