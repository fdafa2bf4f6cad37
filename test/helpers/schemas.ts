import * as argoCd from "@kubernetes-models/argo-cd";
import * as kubernetes from "kubernetes-models";
import { crdValidator } from "../../src/k8s/crd-schemas.js";

interface ModelClass {
  readonly apiVersion: string;
  readonly kind: string;
  new (data: object): { validate(): void };
}

function isModelClass(value: unknown): value is ModelClass {
  const candidate = value as Partial<ModelClass> | null;
  return typeof value === "function" && typeof candidate?.apiVersion === "string" && typeof candidate.kind === "string";
}

// Neither package offers a lookup by apiVersion and kind, so index every model
// class their (nested) namespace exports hold.
const models = new Map<string, ModelClass>();
function collect(namespace: object): void {
  for (const value of Object.values(namespace)) {
    if (isModelClass(value)) models.set(`${value.apiVersion} ${value.kind}`, value);
    else if (value !== null && typeof value === "object") collect(value);
  }
}
collect(kubernetes);
collect(argoCd);

/**
 * A validator that throws when `object` breaks the published schema, or
 * undefined for an unknown kind: the kubernetes-models class, else the CRD
 * schema sluice ships (External Secrets, Sealed Secrets).
 */
export function schemaFor(apiVersion: string, kind: string): ((object: object) => void) | undefined {
  const Model = models.get(`${apiVersion} ${kind}`);
  if (Model) return (object) => new Model(object).validate();
  const validate = crdValidator(apiVersion, kind);
  return (
    validate &&
    ((object) => {
      const problems = validate(object);
      if (problems.length > 0) throw new Error(problems.map((p) => `${p.instancePath || "/"} ${p.message}`).join("; "));
    })
  );
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

function labelProblems(where: string, labels: Record<string, unknown> | undefined): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(labels ?? {})) {
    const slash = key.lastIndexOf("/");
    const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
    const name = key.slice(slash + 1);
    if ((prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) || name.length > 63 || !LABEL_NAME.test(name)) {
      problems.push(`${where}: label key ${JSON.stringify(key)} is not a valid qualified name`);
    }
    if (typeof value !== "string" || value.length > 63 || (value !== "" && !LABEL_NAME.test(value))) {
      problems.push(`${where}: label ${key}=${JSON.stringify(value)} is not a valid label value`);
    }
  }
  return problems;
}

/**
 * Rules the API server enforces that the OpenAPI schemas do not express:
 * object names and label syntax.
 */
export function apiServerProblems(object: {
  metadata?: { name?: unknown; labels?: Record<string, unknown> };
  spec?: { template?: { metadata?: { labels?: Record<string, unknown> } } };
}): string[] {
  const name = object.metadata?.name;
  const problems =
    typeof name === "string" && name.length <= 253 && DNS_SUBDOMAIN.test(name)
      ? []
      : [`metadata.name ${JSON.stringify(name)} is not a DNS subdomain`];
  problems.push(...labelProblems("metadata.labels", object.metadata?.labels));
  problems.push(...labelProblems("spec.template.metadata.labels", object.spec?.template?.metadata?.labels));
  return problems;
}
