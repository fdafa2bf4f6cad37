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
  { rule: "private-key", what: "a PuTTY private key", pattern: /PuTTY-User-Key-File-[0-9]+:/ },
  // The DER of an RSA (PKCS #1), PKCS #8 RSA, EC or Ed25519 private key, base64-encoded without its PEM lines.
  {
    rule: "private-key",
    what: "a private key (DER, base64)",
    pattern:
      /MII[A-Za-z0-9+/]{3}IBAAKC[A-Za-z0-9+/]{20}|MII[A-Za-z0-9+/]{3}IBADANBgkqhkiG9w0BAQEFAASC|MHcCAQEEI[A-Za-z0-9+/]{20}|MC4CAQAw[B]QYDK2VwBCIEI/,
  },
  { rule: "aws-access-key", what: "an AWS access key id", pattern: /(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])/ },
  { rule: "azure-storage-key", what: "an Azure storage account key", pattern: /AccountKey=[A-Za-z0-9+/]{80,}={0,2}/ },
  { rule: "google-api-key", what: "a Google API key", pattern: /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])/ },
  { rule: "github-token", what: "a GitHub token", pattern: /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})/ },
  { rule: "gitlab-token", what: "a GitLab token", pattern: /(?<![A-Za-z0-9_-])glpat-[A-Za-z0-9_-]{20,}/ },
  { rule: "slack-token", what: "a Slack token", pattern: /(?<![A-Za-z0-9])xox[abposr]-[0-9A-Za-z]{6,}(?:-[0-9A-Za-z]+)+/ },
  {
    rule: "slack-webhook",
    what: "a Slack webhook URL",
    pattern: /https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]+/,
  },
  // Stripe's secret and restricted keys; its publishable keys (pk_) are meant to be public.
  { rule: "stripe-key", what: "a Stripe secret key", pattern: /(?<![A-Za-z0-9])(?:sk|rk)_live_[0-9A-Za-z]{16,}/ },
  {
    rule: "openai-key",
    what: "an OpenAI or Anthropic API key",
    pattern:
      /(?<![A-Za-z0-9_-])sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}|ant-[a-z]+[0-9]{2}-[A-Za-z0-9_-]{40,}|[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})/,
  },
  {
    rule: "sendgrid-key",
    what: "a SendGrid API key",
    pattern: /(?<![A-Za-z0-9])SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/,
  },
  { rule: "npm-token", what: "an npm token", pattern: /(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])/ },
  { rule: "pypi-token", what: "a PyPI token", pattern: /pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{40,}/ },
  { rule: "digitalocean-token", what: "a DigitalOcean token", pattern: /(?<![A-Za-z0-9_])do[opr]_v1_[a-f0-9]{64}(?![a-f0-9])/ },
  { rule: "shopify-token", what: "a Shopify token", pattern: /(?<![A-Za-z0-9_])shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}(?![a-fA-F0-9])/ },
  { rule: "huggingface-token", what: "a Hugging Face token", pattern: /(?<![A-Za-z0-9_])hf_[A-Za-z]{34}(?![A-Za-z0-9])/ },
  { rule: "twilio-key", what: "a Twilio API key", pattern: /(?<![A-Za-z0-9])SK[0-9a-f]{32}(?![A-Za-z0-9])/ },
  { rule: "jwt", what: "a JSON Web Token", pattern: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{7,}\.eyJ[A-Za-z0-9_-]{7,}\.[A-Za-z0-9_-]{10,}/ },
  {
    rule: "url-credentials",
    what: "a URL with a password in it",
    // scheme://user:<password>@host, where the password is not a placeholder:
    // one the runtime fills in ($(VAR) for Kubernetes, ${VAR}, $VAR and {{ … }}
    // for shells and templates) or one for people (<password>, ***). A "#" is
    // allowed in it: clients split the authority at the last "@" first.
    pattern: /[a-z][a-z0-9+.-]*:\/\/[^\s:/?#@"']*:(?!\$\(|\$\{|\$[A-Z_][A-Z0-9_]*@|\{\{|<[^>\s]*>@|\*+@)[^\s/?@"']+@[^\s/?#@"']+/i,
  },
];

/** A cheap first look that every strong pattern needs to pass: most lines fail it. */
const CANDIDATE =
  /PRIVATE KEY|PuTTY-User-Key|MII|MHcCAQEEI|MC4CAQAw|AKIA|ASIA|AccountKey=|AIza|gh[pousr]_|github_pat_|glpat-|xox[abposr]-|hooks\.slack\.com|_live_|sk-|SG\.|npm_|pypi-|do[opr]_v1_|shp(?:at|ss|ca|pa)_|hf_|SK[0-9a-f]{32}|eyJ|:\/\/[^\s/@]*:[^\s/@]*@/;

/** A run of base64 long enough to hide a key or a token: decoded and looked at again. */
/** How much of one value the base64 search reads. */
const SCANNED = 1 << 20;
const BASE64_RUN = /[A-Za-z0-9+/]{40,}={0,2}|[A-Za-z0-9_-]{40,}={0,2}/g;
/**
 * Whether a text holds 40 base64 characters in a row: one pass over it. The
 * regular expression /[A-Za-z0-9+/_-]{40}/ does the same, but starts over at
 * every character of a shorter run, which cost a fleet's synth 0.15 s.
 */
function hasBase64Run(text: string): boolean {
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const base64 = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 43 || c === 47 || c === 95 || c === 45;
    run = base64 ? run + 1 : 0;
    if (run >= 40) return true;
  }
  return false;
}

/** Names under which a value is a credential: matched on the name's words (split on _, -, . and case changes). */
const SECRET_WORDS = new Set([
  "password",
  "passwd",
  "pwd",
  "pw",
  "pword",
  "passcode",
  "pass",
  "passphrase",
  "token",
  "secret",
  "credential",
  "credentials",
  "apikey",
  "auth",
  "privatekey",
  "accesskey",
  "secretkey",
  "signingkey",
]);
const SECRET_PAIRS = new Set([
  "api key",
  "private key",
  "access key",
  "secret key",
  "signing key",
  "encryption key",
  "master key",
  "client secret",
  "auth token",
  "access token",
]);
/** A word that ends in one: PGPASSWORD, MYSQL_ROOTPASSWD, GITHUBTOKEN. */
const SECRET_SUFFIX = /^[a-z]+(?:password|passwd|token|secret)$/;
/** …unless the name says it is about the secret rather than the secret itself. */
const META_WORDS = new Set([
  "file",
  "path",
  "dir",
  "name",
  "ref",
  "url",
  "uri",
  "length",
  "len",
  "min",
  "max",
  "ttl",
  "expiry",
  "expires",
  "timeout",
  "seconds",
  "minutes",
  "hours",
  "enabled",
  "required",
  "policy",
  "header",
  "type",
  "mode",
  "id",
  "secretname",
  "endpoint",
  "store",
  "role",
  "scope",
  "scopes",
  "audience",
  "issuer",
  "provider",
  "backend",
  "algorithm",
  "version",
  "realm",
  "format",
  "stdin",
  "hash",
  "prefix",
]);

/** Judges one literal value written under a name (an env var, a ConfigMap key, an annotation, a field). */
export function scanLiteral(name: string, value: string): ScanFinding | undefined {
  return strongMatch(value) ?? scanNamed(name, value);
}

/** The named rule alone: whether `value`, under `name`, is a credential by its name and its look. */
function scanNamed(name: string, value: string): ScanFinding | undefined {
  if (!isSecretName(name)) return undefined;
  const strictly = isSecretName(name, true);
  if (strictly && !namesAKey(name) && isWellKnownPassword(value))
    return {
      rule: "weak-secret",
      what: `a well-known default or weak password under ${JSON.stringify(name)} (${value.length} characters)`,
    };
  if (looksChosen(value) || (strictly && looksLikePassword(value))) {
    return {
      rule: "named-secret",
      what: `a value under ${JSON.stringify(name)} that looks like a real secret (${value.length} characters, ${describe(value)})`,
    };
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
  "changeme",
  "changeit",
  "password",
  "passw0rd",
  "p@ssw0rd",
  "p@ssword",
  "pass",
  "passwd",
  "admin",
  "administrator",
  "secret",
  "s3cret",
  "s3cr3t",
  "letmein",
  "welcome",
  "qwerty",
  "qwertyuiop",
  "iloveyou",
  "trustno1",
  "monkey",
  "dragon",
  "master",
  "guest",
  "test",
  "root",
  "toor",
  "postgres",
  "mysql",
  "sa",
  "superuser",
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
  if (!CANDIDATE.test(text) && !hasBase64Run(text)) return [];
  const findings: (ScanFinding & { line: number })[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!CANDIDATE.test(line) && !hasBase64Run(line)) continue;
    const found = strongMatch(line);
    if (found) findings.push({ ...found, line: i + 1 });
  }
  return findings;
}

function strongMatch(value: string): ScanFinding | undefined {
  return directMatch(value) ?? encodedMatch(value);
}

function directMatch(value: string): ScanFinding | undefined {
  if (!CANDIDATE.test(value)) return undefined;
  for (const { rule, what, pattern } of STRONG) {
    const match = pattern.exec(value);
    if (match) return { rule, what: `${what} ("${match[0].slice(0, 4)}…", ${match[0].length} characters)` };
  }
  return undefined;
}

/**
 * A strong pattern inside a base64 run (a PEM key encoded for a ConfigMap or
 * a values file, a token in a Docker config): decoded, and judged again when
 * what comes out is text. Ciphertext and digests decode to noise and stop there.
 */
function encodedMatch(value: string): ScanFinding | undefined {
  if (value.length < 40) return undefined;
  // Past a few MB the regular expression engine runs out of stack; no value that large reaches
  // out/ anyway (the size check refuses it), so its first MiB stands for it.
  for (const [run] of (value.length > SCANNED ? value.slice(0, SCANNED) : value).matchAll(BASE64_RUN)) {
    const decoded = Buffer.from(run.slice(0, 65536), run.includes("-") || run.includes("_") ? "base64url" : "base64").toString("latin1");
    if (!isText(decoded)) continue;
    const found = directMatch(decoded);
    if (found) return { rule: found.rule, what: `${found.what.replace(/ \(".*$/, "")}, base64-encoded (${run.length} characters)` };
  }
  return undefined;
}

/** Mostly printable ASCII: what a PEM block, a config file or a token decodes to, and random bytes do not. */
function isText(decoded: string): boolean {
  let printable = 0;
  for (let i = 0; i < decoded.length; i++) {
    const code = decoded.charCodeAt(i);
    if ((code >= 32 && code < 127) || code === 9 || code === 10 || code === 13) printable++;
  }
  return decoded.length > 0 && printable / decoded.length >= 0.9;
}

/**
 * Credentials on a command line — `args` or `command`, as a list of
 * arguments or a shell script in one of them: `--db-password=…`,
 * `--password …`, `PGPASSWORD=… psql`, and MySQL's `-p…` (its password
 * glued to the flag). Judged by the flag's or variable's name, as a value
 * under that name; strong patterns are left to the scan of each string.
 * Returns the index of the argument that holds each finding.
 */
export function scanArguments(args: readonly string[]): { readonly index: number; readonly finding: ScanFinding }[] {
  const tokens = args.flatMap((arg, index) =>
    arg
      .split(/\s+/)
      .filter((token) => token.length > 0)
      .map((token) => ({ index, text: unquote(token) })),
  );
  const mysql = tokens.some(({ text }) =>
    /^(?:.*\/)?(?:mysql|mysqldump|mysqladmin|mysqlimport|mysqlcheck|mariadb|mariadb-dump)$/.test(text),
  );
  const found: { index: number; finding: ScanFinding }[] = [];
  tokens.forEach(({ index, text }, position) => {
    const assigned = /^(?:--?)?([A-Za-z_][A-Za-z0-9_.-]*)=(.+)$/s.exec(text);
    const flag = /^--?([A-Za-z][A-Za-z0-9_.-]*)$/.exec(text);
    const next = tokens[position + 1];
    let finding: ScanFinding | undefined;
    let at = index;
    if (assigned) finding = scanNamed(assigned[1]!, unquote(assigned[2]!));
    else if (mysql && /^-p[^-\s]/.test(text)) finding = scanNamed("password", unquote(text.slice(2)));
    else if (flag && next && !next.text.startsWith("-")) {
      finding = scanNamed(flag[1]!, next.text);
      at = next.index;
    }
    if (finding) found.push({ index: at, finding });
  });
  return found;
}

function unquote(text: string): string {
  return text.replace(/^["']+|["';]+$/g, "");
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
  return (
    words.some((word) => SECRET_WORDS.has(word) || SECRET_SUFFIX.test(word)) ||
    [...SECRET_PAIRS].some((pair) => joined.includes(pair)) ||
    SECRET_WORDS.has(words.join(""))
  );
}

/**
 * True for a value that is configuration rather than a credential whatever
 * its name: filled in at run time, a switch or a number, a path or a URL
 * without credentials, a DNS-style name with a separator ("payments-api",
 * "us-east-1", "db.internal"), a digest, a UUID, or words with spaces.
 */
function isConfiguration(value: string): boolean {
  if (/^\$\(.+\)$|^\$\{.+\}$|^\$[A-Za-z_][A-Za-z0-9_]*$|^\{\{.+\}\}$|^<[^<>]+>$/.test(value)) return true; // filled in at run time, or a placeholder for people
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
  return (
    (classes >= 3 && value.length >= 10) ||
    (classes >= 2 && entropy(value) >= 3.5) ||
    (value.length >= 8 && classes >= 3 && entropy(value) >= 3)
  );
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
