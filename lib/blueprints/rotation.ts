import { createHash } from "node:crypto";
import type { PodTemplateSpec } from "kubernetes-types/core/v1";
import { reloaderWatches, secretsReadAsEnv, type ResolvedApp } from "../../src/sdk.js";

/**
 * How a changed secret reaches the pods of a long-running workload that read
 * it as environment variables (a process's environment is fixed when it
 * starts; files mounted from a Secret are updated in place by the kubelet):
 * - a secret whose value is in the env repo (SOPS, Sealed Secrets) is hashed
 *   into the pod template, so a new value rolls the pods when it syncs;
 * - one the External Secrets Operator refreshes from a store changes in the
 *   cluster, unseen by git: with the environment's `secretRotation:
 *   "reloader"`, the workload names those Secrets for Stakater Reloader,
 *   which restarts the pods when one changes.
 */

/** Reloader's annotation on the workload: the refreshed Secrets it watches for this workload. */
export function reloaderAnnotations(app: ResolvedApp): Record<string, string> {
  const watched = reloaderWatches(app);
  return watched.length > 0 ? { "secret.reloader.stakater.com/reload": watched.join(",") } : {};
}

/** The pod template with the hash of the env-read secrets whose values the env repo holds, when there are any. */
export function withSecretsHash(template: PodTemplateSpec, app: ResolvedApp): PodTemplateSpec {
  const held = secretsReadAsEnv(app).flatMap((secret) => {
    const { source } = secret;
    if (source.provider === "sops") return [[secret.secretName, source.content] as const];
    if (source.provider === "sealed-secrets") return [[secret.secretName, JSON.stringify(sortedEntries(source.encryptedData))] as const];
    return [];
  });
  if (held.length === 0) return template;
  const hash = createHash("sha256").update(JSON.stringify(held)).digest("hex").slice(0, 16);
  const metadata = template.metadata ?? {};
  return { ...template, metadata: { ...metadata, annotations: { ...metadata.annotations, "sluice.dev/secrets-sha256": hash } } };
}

function sortedEntries(record: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
