import type { KubernetesObject, ResolvedApp, ResolvedSecret } from "../../src/sdk.js";
import { externalSecret } from "./external-secrets.js";
import { sealedSecret } from "./sealed-secrets.js";

/**
 * The objects that bring one secret of an app instance into its namespace.
 * A SOPS file renders nothing here: it reaches only engines that decrypt it,
 * and resolve refuses it on the others.
 */
export function renderSecret(app: ResolvedApp, secret: ResolvedSecret): KubernetesObject[] {
  const object = externalSecret(secret) ?? sealedSecret(app, secret);
  return object ? [object] : [];
}
