import { z } from "zod";
import { sealedCiphertextProblem } from "../secrets/sealed-ciphertext.js";
import { dnsLabel } from "./names.js";

/**
 * The schemas of the secret values in src/dsl/secrets.ts. A reference is a
 * small branded object; its schema is strict, so a stray field (or a string
 * where a reference belongs) is an error at its line.
 */

/** A key of a Kubernetes Secret's data, which also names a file when the secret is mounted. */
export const secretDataKey = z.string().regex(/^[-._a-zA-Z0-9]+$/, {
  message: "must be a Secret key: letters, digits, '-', '_' and '.'",
});

/** A Go duration as the External Secrets Operator reads it, e.g. "15m", "1h", "1h30m". */
export const refreshInterval = z.string().regex(/^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/, {
  message: 'must be a duration such as "15m", "1h" or "1h30m"',
});

export const secretKeySchema = z.strictObject({
  $sluice: z.literal("secret-key"),
  secret: dnsLabel,
  key: secretDataKey,
});

export const wholeSecretSchema = z.strictObject({
  $sluice: z.literal("secret-whole"),
  secret: dnsLabel,
});

const externalSecretSchema = z.strictObject({
  $sluice: z.literal("secret-source"),
  provider: z.literal("external-secrets"),
  key: z.string().min(1, { message: "must name the secret's key in the store" }),
  store: dnsLabel.optional(),
  refreshInterval: refreshInterval.optional(),
});

/**
 * `kubeseal --raw` prints base64 of the sealed bytes; anything else (a
 * plaintext value pasted by mistake, a value cut short by a copy) is refused,
 * by its decoded layout (see sealed-ciphertext.ts).
 */
const sealedCiphertext = z.string().superRefine((text, context) => {
  const problem = sealedCiphertextProblem(text);
  if (problem === undefined) return;
  context.addIssue({
    code: "custom",
    message: `must be ciphertext as \`kubeseal --raw\` prints it, never the plaintext value: this ${problem}`,
    params: {
      hint: "seal the value again for this cluster and paste the whole output: kubeseal --raw --namespace <namespace> --name <app>-<name> --from-file=<file>",
    },
  });
});

const sealedSecretSchema = z.strictObject({
  $sluice: z.literal("secret-source"),
  provider: z.literal("sealed-secrets"),
  encryptedData: z.record(secretDataKey, sealedCiphertext).refine((data) => Object.keys(data).length > 0, {
    message: "a sealed secret needs at least one key",
  }),
});

const sopsSecretSchema = z.strictObject({
  $sluice: z.literal("secret-source"),
  provider: z.literal("sops"),
  file: z.string().regex(/^(?!\/)(?!.*(^|\/)\.\.(\/|$)).+\.(ya?ml|json)$/, {
    message:
      'must be a path inside the project, relative to its root, of a .yaml, .yml or .json file, e.g. "secrets/checkout-tls.enc.yaml"',
  }),
});

export const secretSourceSchema = z.discriminatedUnion("provider", [externalSecretSchema, sealedSecretSchema, sopsSecretSchema]);

export type SecretKeyInput = z.infer<typeof secretKeySchema>;
export type WholeSecretInput = z.infer<typeof wholeSecretSchema>;
export type SecretSourceInput = z.infer<typeof secretSourceSchema>;
