import type { AppKind } from "./app-kinds.js";
import type { ResolvedApp, ResolvedSecret } from "./resolved.js";

/** The kinds whose pods keep running, so that a process's environment outlives a secret's change; a job's next run reads the new value. */
export const LONG_RUNNING_KINDS: ReadonlySet<AppKind> = new Set(["service", "worker", "statefulService"]);

/**
 * The Secrets a workload's pods read as environment variables (`env`,
 * `envFrom`) that the External Secrets Operator refreshes from a store, when
 * its environment has them restarted by Stakater Reloader (`secretRotation:
 * "reloader"`): what the workload asks Reloader to watch, and what tells the
 * engine that Reloader will touch its pod template. Sorted; empty for a job
 * or cron job, and otherwise.
 */
export function reloaderWatches(app: ResolvedApp): string[] {
  if (app.environment.secretRotation !== "reloader" || !LONG_RUNNING_KINDS.has(app.kind)) return [];
  return secretsReadAsEnv(app)
    .filter((secret) => secret.source.provider === "external-secrets")
    .map((secret) => secret.secretName)
    .sort();
}

/** The secrets the app's pods read as environment variables (`env`, `envFrom`), in the app's order of secrets. */
export function secretsReadAsEnv(app: ResolvedApp): ResolvedSecret[] {
  const readAsEnv = new Set([...Object.values(app.spec.secretEnv).map((selector) => selector.secretName), ...app.spec.envFrom]);
  return app.secrets.filter((secret) => readAsEnv.has(secret.secretName));
}

/** The pod template annotation Reloader's "annotations" strategy writes to restart the pods. */
export const RELOADER_POD_ANNOTATION = "reloader.stakater.com/last-reloaded-from";
