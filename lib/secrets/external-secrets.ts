import type { KubernetesObject, ResolvedSecret } from "../../src/sdk.js";

/** The fields of `external-secrets.io/v1` ExternalSecret that sluice writes (see the operator's CRD). */
export interface ExternalSecret extends KubernetesObject {
  apiVersion: "external-secrets.io/v1";
  kind: "ExternalSecret";
  spec: {
    refreshInterval: string;
    secretStoreRef: { name: string; kind: "ClusterSecretStore" | "SecretStore" };
    target: { name: string; creationPolicy: "Owner" };
    data?: { secretKey: string; remoteRef: { key: string; property: string } }[];
    dataFrom?: { extract: { key: string } }[];
  };
}

/**
 * One ExternalSecret for one declared secret of one app instance: the
 * operator reads the store and writes the Secret "<app>-<name>", which it
 * owns. Keys read one by one are fetched property by property; a secret used
 * whole (envFrom, files) is extracted with every property it has. The
 * workload refers to the Secret, never to the store's key, so rotating the
 * key in the store, or moving it, changes this object alone. The operator
 * copies this object's labels (the recommended ones, set on every object of
 * the app) onto the Secret it writes.
 */
export function externalSecret(secret: ResolvedSecret): ExternalSecret | undefined {
  const { source } = secret;
  if (source.provider !== "external-secrets") return undefined;
  return {
    apiVersion: "external-secrets.io/v1",
    kind: "ExternalSecret",
    metadata: {
      name: secret.secretName,
      // Argo CD applies it before the workload that reads its Secret.
      annotations: { "argocd.argoproj.io/sync-wave": "-1" },
    },
    spec: {
      refreshInterval: source.refreshInterval,
      secretStoreRef: { name: source.store.name, kind: source.store.kind },
      target: { name: secret.secretName, creationPolicy: "Owner" },
      ...(secret.whole
        ? { dataFrom: [{ extract: { key: source.key } }] }
        : { data: secret.keys.map((key) => ({ secretKey: key, remoteRef: { key: source.key, property: key } })) }),
    },
  } satisfies ExternalSecret;
}
