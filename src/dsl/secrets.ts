/**
 * Secret references: values that say where a secret is kept, never what it
 * is. They are their own types, branded like platforms and apps (a plain
 * property, so the brand survives the stacks' own module namespace), so that
 * a string cannot stand where a secret is needed and a reference cannot be
 * written where a literal goes: a ConfigMap, an annotation, a literal env value.
 *
 * An app names the secrets it uses in `secrets` (any settings layer may, so a
 * platform environment or cluster can point a name at its own store) and uses
 * them by name:
 *
 *   secrets: { "checkout-db": externalSecret({ key: "checkout/db" }) },
 *   env: { DB_PASSWORD: secret("checkout-db", "password") },
 *   environments: { prod: { secrets: { "checkout-db": externalSecret({ key: "checkout/db", store: "vault-prod" }) } } },
 *
 * An override replaces a declaration or a use as one value: merging never
 * blends the fields of two references.
 */

/** One key of a secret, for one environment variable. */
export interface SecretKey {
  readonly $sluice: "secret-key";
  /** The name the secret is declared under in `secrets`. */
  readonly secret: string;
  /** The key inside the secret (External Secrets: the remote property). */
  readonly key: string;
}

/** A whole secret, for `envFrom` (every key an environment variable) or `secretFiles` (every key a file). */
export interface WholeSecret {
  readonly $sluice: "secret-whole";
  readonly secret: string;
}

/** A secret kept in an external store and synced into the cluster by the External Secrets Operator. */
export interface ExternalSecretSource {
  readonly $sluice: "secret-source";
  readonly provider: "external-secrets";
  /** The secret's key (path) in the store, e.g. "prod/checkout/db". */
  readonly key: string;
  /** A store the platform declares in `secretStores`. Default: the `secretStore` setting of the cluster, environment or platform. */
  readonly store?: string;
  /** How often the operator reads the store again, e.g. "15m", "1h". Default: the platform's `secretRefreshInterval`, else "1h". */
  readonly refreshInterval?: string;
}

/** Ciphertext made with `kubeseal` for one cluster's Sealed Secrets controller; sluice never decrypts it. */
export interface SealedSecretSource {
  readonly $sluice: "secret-source";
  readonly provider: "sealed-secrets";
  /** Key → ciphertext, as `kubeseal --raw` prints it. */
  readonly encryptedData: Readonly<Record<string, string>>;
}

/** A SOPS-encrypted Secret manifest kept beside the stacks, deployed as it is and decrypted by the engine (Flux). */
export interface SopsSecretSource {
  readonly $sluice: "secret-source";
  readonly provider: "sops";
  /** Path of the encrypted file, relative to the project root. */
  readonly file: string;
}

export type SecretSource = ExternalSecretSource | SealedSecretSource | SopsSecretSource;

/** `secret("checkout-db", "password")`: one key, for `env`. `secret("checkout-tls")`: the whole secret, for `envFrom` or `secretFiles`. */
export function secret(name: string, key: string): SecretKey;
export function secret(name: string): WholeSecret;
export function secret(name: string, key?: string): SecretKey | WholeSecret {
  return key === undefined
    ? Object.freeze({ $sluice: "secret-whole", secret: name })
    : Object.freeze({ $sluice: "secret-key", secret: name, key });
}

/** Declares a secret kept in an external store (External Secrets Operator, `external-secrets.io/v1`). */
export function externalSecret(spec: Omit<ExternalSecretSource, "$sluice" | "provider">): ExternalSecretSource {
  return Object.freeze({ $sluice: "secret-source", provider: "external-secrets", ...spec });
}

/** Declares a Sealed Secret (`bitnami.com/v1alpha1`) from ciphertext sealed for one cluster; declare it per cluster in `clusters: { … }`. */
export function sealedSecret(encryptedData: Readonly<Record<string, string>>): SealedSecretSource {
  return Object.freeze({ $sluice: "secret-source", provider: "sealed-secrets", encryptedData: { ...encryptedData } });
}

/** Declares a SOPS-encrypted Secret manifest, by its path from the project root. */
export function sopsSecret(file: string): SopsSecretSource {
  return Object.freeze({ $sluice: "secret-source", provider: "sops", file });
}

/** True for any of sluice's secret values: a use or a declaration. */
export function isSecretValue(value: unknown): boolean {
  if (typeof value !== "object" || value === null || !Object.hasOwn(value, "$sluice")) return false;
  const brand = (value as { $sluice: unknown }).$sluice;
  return brand === "secret-key" || brand === "secret-whole" || brand === "secret-source";
}
