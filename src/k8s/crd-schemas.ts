import fs from "node:fs";
import { createRequire } from "node:module";
import type { ValidateFunction } from "ajv";
import { own } from "../model/own.js";

/**
 * The custom resources sluice renders, or lets teams write, whose schemas it
 * ships (src/k8s/crd-schemas/, generated from the projects' CRDs by
 * scripts/gen-crd-schemas.mjs), with their scope.
 */
export const CRD_KINDS: Readonly<Record<string, Readonly<Record<string, "Namespaced" | "Cluster">>>> = {
  "external-secrets.io/v1": { ExternalSecret: "Namespaced", SecretStore: "Namespaced", ClusterSecretStore: "Cluster" },
  "bitnami.com/v1alpha1": { SealedSecret: "Namespaced" },
  "policies.kyverno.io/v1": { ValidatingPolicy: "Cluster" },
  "source.toolkit.fluxcd.io/v1": { GitRepository: "Namespaced", HelmRepository: "Namespaced", OCIRepository: "Namespaced" },
  "kustomize.toolkit.fluxcd.io/v1": { Kustomization: "Namespaced" },
  "helm.toolkit.fluxcd.io/v2": { HelmRelease: "Namespaced" },
};

export interface SchemaProblem {
  readonly instancePath: string;
  readonly message?: string;
}

const require = createRequire(import.meta.url);
const compiled = new Map<string, ValidateFunction>();
let ajv: import("ajv").default | undefined;

/**
 * A validator for a custom resource sluice has the schema of, or undefined.
 * Each schema is compiled on first use only: most runs render one or two of
 * these kinds, and a SecretStore's schema (every provider's fields) is large.
 */
export function crdValidator(apiVersion: string, kind: string): ((object: object) => SchemaProblem[]) | undefined {
  const scope = own(own(CRD_KINDS, apiVersion) ?? {}, kind);
  if (!scope) return undefined;
  const id = `${apiVersion.replace("/", "_")}_${kind}`;
  let validate = compiled.get(id);
  if (!validate) {
    if (!ajv) {
      const Ajv = require("ajv") as typeof import("ajv").default;
      // Formats (byte, int64, date-time) are Kubernetes', not JSON Schema's; the API server checks them.
      ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    }
    const schema = JSON.parse(fs.readFileSync(new URL(`./crd-schemas/${id}.json`, import.meta.url), "utf8")) as object;
    validate = ajv.compile(schema);
    compiled.set(id, validate);
  }
  const check = validate;
  return (object) => (check(object) ? [] : (check.errors ?? []).map(explain));
}

function explain({ instancePath, keyword, message, params }: import("ajv").ErrorObject): SchemaProblem {
  if (keyword === "additionalProperties") return { instancePath, message: `has unknown property ${JSON.stringify((params as { additionalProperty: string }).additionalProperty)}` };
  if (keyword === "enum") return { instancePath, message: `must be one of: ${(params as { allowedValues: unknown[] }).allowedValues.join(", ")}` };
  return { instancePath, ...(message ? { message } : {}) };
}
