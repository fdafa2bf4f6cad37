import type { Project } from "./project.js";
import { edit } from "./stack-edit.js";

/** A value as sops encrypts it: ENC[…] with `n` blocks of ciphertext, an IV and a tag. */
export const encrypted = (n: number) =>
  `ENC[AES256_GCM,data:${"QUJD".repeat(n)},iv:${"SVZJVklWSVZJVklWSVZJVg=="},tag:${"VEFHVEFHVEFHVEFHVEFHVA=="},type:str]`;

export interface SopsSecret {
  readonly name: string;
  readonly namespace: string;
  /** Each data key and how many blocks its ciphertext has. Default: a username and a password. */
  readonly data?: Readonly<Record<string, number>>;
  /** The age public keys it is encrypted to. */
  readonly recipients?: readonly string[];
}

/** A Secret as sops writes it: metadata readable, every value ENC[…], the age recipients and a MAC. */
export function sopsFile({
  name,
  namespace,
  data = { username: 2, password: 3 },
  recipients = ["age1examplerecipient"],
}: SopsSecret): string {
  return [
    "apiVersion: v1",
    "kind: Secret",
    "metadata:",
    `  name: ${name}`,
    `  namespace: ${namespace}`,
    "data:",
    ...Object.entries(data).map(([key, blocks]) => `  ${key}: ${encrypted(blocks)}`),
    "sops:",
    "  age:",
    ...recipients.map((recipient) => `    - recipient: ${recipient}`),
    `  mac: ${encrypted(8)}`,
    "  version: 3.9.0",
    "",
  ].join("\n");
}

/** The example's payments app reads its `db` secret on prod-ap-1 (a Flux cluster) from secrets/payments-db.enc.yaml. */
export function paymentsDbFromSops(p: Project): void {
  edit(
    p,
    "stacks/payments.ts",
    'import { externalSecret, secret } from "sluice";',
    'import { externalSecret, secret, sopsSecret } from "sluice";',
  );
  edit(
    p,
    "stacks/payments.ts",
    "  environments: {\n    dev:",
    '  clusters: { "prod-ap-1": { secrets: { db: sopsSecret("secrets/payments-db.enc.yaml") } } },\n  environments: {\n    dev:',
  );
}
