import { schemaCheck } from "../../src/k8s/schemas.js";

/**
 * A validator that throws when `object` breaks the strict schema of its kind
 * (Kubernetes' own from the pinned OpenAPI, the CRDs sluice ships), or
 * undefined for a kind sluice has no schema of.
 */
export function schemaFor(apiVersion: string, kind: string): ((object: object) => void) | undefined {
  const validate = schemaCheck(apiVersion, kind);
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
