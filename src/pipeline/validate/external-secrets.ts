import { apiGroup, type KubernetesObject } from "../../k8s/object.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import type { PlatformModel } from "../../model/model.js";
import { own } from "../../model/own.js";
import { childOrigin, type Origin } from "../../model/origin.js";
import { storeKeyProblem } from "../../secrets/store-keys.js";

type Path = (string | number)[];

interface StoreRef {
  readonly name?: unknown;
  readonly kind?: unknown;
}

/**
 * A team may write an ExternalSecret of its own in `objects`, and that
 * object reads a store directly: without this check it would bypass the keys
 * the platform confines the team to (`secretStores.<store>.keys`), and copy
 * another team's credentials into its namespace. So each store it names is
 * judged like `externalSecret({ key, store })`: a store the platform declares
 * reads only the team's keys (and `find`, which searches the whole store, is
 * refused there); a ClusterSecretStore the platform does not declare is
 * refused, since it serves every namespace; a SecretStore the platform does
 * not declare is the team's own, in its namespace, with its own credentials.
 * A PushSecret writes to the stores it names, so its remote keys are judged
 * the same way: writing another team's key replaces that team's credential.
 */
export function validateExternalSecrets(
  objects: readonly KubernetesObject[],
  team: string,
  platform: PlatformModel,
  origin: Origin,
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  objects.forEach((object, index) => {
    if (apiGroup(object.apiVersion) !== "external-secrets.io" || (object.kind !== "ExternalSecret" && object.kind !== "PushSecret")) return;
    const spec = (object as { spec?: Record<string, unknown> }).spec ?? {};
    const what = `${object.kind} ${object.metadata.name}`;
    const at = (...path: Path) => childOrigin(origin, "objects", index, "spec", ...path);
    /** The platform's store a ref names, undefined for the team's own SecretStore; pushes a diagnostic and returns null when refused. */
    const storeOf = (ref: StoreRef | undefined, path: Path): { name: string; keys: readonly string[] } | undefined | null => {
      const name = typeof ref?.name === "string" ? ref.name : undefined;
      const kind = ref?.kind === "ClusterSecretStore" ? "ClusterSecretStore" : "SecretStore";
      const declared = name === undefined ? undefined : own(platform.secrets.stores, name);
      if (declared && declared.kind === kind) return { name: name!, keys: declared.keys };
      if (kind === "SecretStore") return undefined;
      diagnostics.push({
        code: "validate/external-secret-store",
        message: `${what} reads ClusterSecretStore ${JSON.stringify(name ?? "")}, which the platform does not declare: a ClusterSecretStore serves every namespace, so only the platform's, with their key patterns, may be read`,
        origin: at(...path),
        hint: `read one of the platform's stores (${Object.keys(platform.secrets.stores).sort().join(", ") || "none declared"}), or declare the secret with externalSecret({ key })`,
      });
      return null;
    };
    const checkKey = (store: { name: string; keys: readonly string[] }, key: unknown, path: Path) => {
      if (typeof key !== "string") return; // the ExternalSecret's schema check names a missing key
      const problem = storeKeyProblem(key, store.name, store.keys, team);
      if (problem)
        diagnostics.push({
          code: "validate/external-secret-key",
          message: `${what} ${object.kind === "PushSecret" ? "writes" : "reads"} key ${JSON.stringify(key)} of store ${store.name}, which ${problem.message}`,
          origin: at(...path),
          hint: problem.hint,
        });
    };
    const entries = (field: string) => (Array.isArray(spec[field]) ? (spec[field] as Record<string, unknown>[]) : []);
    if (object.kind === "PushSecret") {
      // A PushSecret writes into the stores: to another team's key, it replaces that team's credential.
      const stores = entries("secretStoreRefs").map((ref, position) => {
        if (ref.labelSelector !== undefined && ref.kind === "ClusterSecretStore") {
          diagnostics.push({
            code: "validate/external-secret-store",
            message: `${what} picks ClusterSecretStores by label, so sluice cannot tell which keys of which store it writes`,
            origin: at("secretStoreRefs", position, "labelSelector"),
            hint: `name the store: secretStoreRefs: [{ kind: "ClusterSecretStore", name: "<store>" }]`,
          });
          return null;
        }
        return storeOf(ref, ["secretStoreRefs", position, "name"]);
      });
      entries("data").forEach((entry, position) => {
        const remoteKey = (entry.match as { remoteRef?: { remoteKey?: unknown } } | undefined)?.remoteRef?.remoteKey;
        for (const store of stores) if (store) checkKey(store, remoteKey, ["data", position, "match", "remoteRef", "remoteKey"]);
      });
      return;
    }
    const main = storeOf(spec.secretStoreRef as StoreRef | undefined, ["secretStoreRef", "name"]);
    entries("data").forEach((entry, position) => {
      const sourceRef = entry.sourceRef as { storeRef?: StoreRef; generatorRef?: unknown } | undefined;
      if (sourceRef?.generatorRef !== undefined) return;
      const store = sourceRef?.storeRef ? storeOf(sourceRef.storeRef, ["data", position, "sourceRef", "storeRef", "name"]) : main;
      if (store) checkKey(store, (entry.remoteRef as { key?: unknown } | undefined)?.key, ["data", position, "remoteRef", "key"]);
    });
    entries("dataFrom").forEach((entry, position) => {
      const sourceRef = entry.sourceRef as { storeRef?: StoreRef; generatorRef?: unknown } | undefined;
      if (sourceRef?.generatorRef !== undefined) return;
      const store = sourceRef?.storeRef ? storeOf(sourceRef.storeRef, ["dataFrom", position, "sourceRef", "storeRef", "name"]) : main;
      if (!store) return;
      if (entry.find !== undefined && !store.keys.includes("*")) {
        diagnostics.push({
          code: "validate/external-secret-key",
          message: `${what} searches store ${store.name} with find, which may return keys outside those team ${team} may read`,
          origin: at("dataFrom", position, "find"),
          hint: "name each key with extract: { key } or data[].remoteRef.key, under the team's own keys",
        });
      }
      if (entry.extract !== undefined) checkKey(store, (entry.extract as { key?: unknown }).key, ["dataFrom", position, "extract", "key"]);
    });
  });
  return diagnostics;
}
