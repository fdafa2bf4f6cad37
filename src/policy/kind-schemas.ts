import { schemaType, type CelType, type SchemaResolver } from "./cel-types.js";
import { groupKind } from "../k8s/object.js";

/**
 * The schema of a built-in kind, for type-checking admission expressions.
 * None yet: the strict Kubernetes 1.34 schemas (src/k8s/) plug in here; until
 * then `object` is checked as dyn, as the API server does for a policy whose
 * versions it cannot resolve (`apiVersions: ["*"]`).
 */
export const builtInSchemas: SchemaResolver = () => undefined;

/** The API version whose schema a rule's "<group>/<Kind>" is checked against: v1 for the core and workload groups. */
const PREFERRED: Readonly<Record<string, string>> = {
  "": "v1",
  apps: "apps/v1",
  batch: "batch/v1",
  "networking.k8s.io": "networking.k8s.io/v1",
  policy: "policy/v1",
  autoscaling: "autoscaling/v2",
  "rbac.authorization.k8s.io": "rbac.authorization.k8s.io/v1",
};

/** The CEL types of the kinds a rule matches that have a schema. */
export function objectTypes(kinds: readonly string[], resolve: SchemaResolver = builtInSchemas): CelType[] {
  const types: CelType[] = [];
  for (const written of kinds) {
    const { group, kind } = groupKind(written);
    if (!Object.hasOwn(PREFERRED, group)) continue;
    const schema = resolve(PREFERRED[group]!, kind);
    if (schema) types.push(schemaType(schema, written));
  }
  return types;
}
