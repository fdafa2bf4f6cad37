import { recommendedLabels, type KubernetesObject, type ResolvedApp, type ResolvedSecret } from "../../src/sdk.js";

/** The fields of `bitnami.com/v1alpha1` SealedSecret that sluice writes (see the controller's CRD). */
export interface SealedSecret extends KubernetesObject {
  apiVersion: "bitnami.com/v1alpha1";
  kind: "SealedSecret";
  spec: {
    encryptedData: Record<string, string>;
    template: { metadata: { name: string; namespace: string; labels: Record<string, string> }; type: "Opaque" };
  };
}

/**
 * The SealedSecret for one declared secret of one app instance, from the
 * ciphertext its author sealed for this cluster. The controller's default
 * (strict) scope binds ciphertext to a name and namespace, so the README
 * tells authors which ones: "<app>-<name>" in the app's namespace. sluice
 * only copies the ciphertext; it never holds a key to open it. The Secret
 * gets its metadata from the template alone (the SealedSecret's own labels
 * are not copied), so the recommended labels go there too.
 */
export function sealedSecret(app: ResolvedApp, secret: ResolvedSecret): SealedSecret | undefined {
  const { source } = secret;
  if (source.provider !== "sealed-secrets") return undefined;
  const encryptedData = Object.fromEntries(
    Object.keys(source.encryptedData)
      .sort()
      .map((key) => [key, source.encryptedData[key]!]),
  );
  return {
    apiVersion: "bitnami.com/v1alpha1",
    kind: "SealedSecret",
    metadata: { name: secret.secretName, annotations: { "argocd.argoproj.io/sync-wave": "-1" } },
    spec: {
      encryptedData,
      template: { metadata: { name: secret.secretName, namespace: app.namespace, labels: recommendedLabels(app) }, type: "Opaque" },
    },
  } satisfies SealedSecret;
}
