import type { SyncPolicy } from "../../model/model.js";
import type { ArgoSyncPolicy } from "./types.js";

/**
 * A failed sync is tried again, backing off from 30s to 5m between tries,
 * about 40 minutes in all. Without `retry` Argo CD does not try an automated
 * sync again on the commit it failed on: a dependency that was not ready yet,
 * a webhook that timed out, and the app stays failed until the next commit.
 * (`retry.refresh`, retrying on the newest revision, exists only from Argo CD
 * 3.2; an older Application CRD would refuse the field, and with it the app.)
 */
const RETRY = { limit: 10, backoff: { duration: "30s", factor: 2, maxDuration: "5m" } } as const;

export function syncPolicy(sync: SyncPolicy, options: string[]): ArgoSyncPolicy {
  return {
    ...(sync.automated ? { automated: { prune: sync.prune, selfHeal: sync.selfHeal } } : {}),
    ...(options.length > 0 ? { syncOptions: options } : {}),
    retry: structuredClone(RETRY),
  };
}
