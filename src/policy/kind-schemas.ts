import { BUILTIN_KINDS } from "../k8s/builtin-kinds.js";
import { CRD_KINDS } from "../k8s/crd-kinds.js";
import { apiGroup, groupKind } from "../k8s/object.js";
import { kindSchema } from "../k8s/schemas.js";
import { schemaType, type CelType, type JsonSchema, type SchemaResolver } from "./cel-types.js";

/**
 * The schema of a kind sluice knows — Kubernetes' own, from the OpenAPI of
 * the pinned minor, and the CRDs it ships — for type-checking admission
 * expressions against the kinds a rule matches.
 */
export const builtInSchemas: SchemaResolver = (apiVersion, kind) => kindSchema(apiVersion, kind) as JsonSchema | undefined;

/**
 * The API version a rule's "<group>/<Kind>" is checked at: the first stable
 * version of the group that serves the kind (v1 before v1beta1), as the
 * policy matches every version (`apiVersions: ["*"]`).
 */
function versionOf(group: string, kind: string): string | undefined {
  const serving = [...Object.entries(BUILTIN_KINDS), ...Object.entries(CRD_KINDS)]
    .filter(([apiVersion, kinds]) => apiGroup(apiVersion) === group && Object.hasOwn(kinds, kind))
    .map(([apiVersion]) => apiVersion);
  return serving.find((apiVersion) => !/(alpha|beta)\d*$/.test(apiVersion)) ?? serving[0];
}

const types = new Map<string, CelType | undefined>();

/** The CEL types of the kinds a rule matches that have a schema (each built once per process). */
export function objectTypes(kinds: readonly string[], resolve: SchemaResolver = builtInSchemas): CelType[] {
  const found: CelType[] = [];
  for (const written of kinds) {
    const { group, kind } = groupKind(written);
    const apiVersion = versionOf(group, kind);
    if (!apiVersion) continue;
    const key = `${apiVersion}\0${kind}`;
    let type = resolve === builtInSchemas ? types.get(key) : undefined;
    if (type === undefined) {
      const schema = resolve(apiVersion, kind);
      type = schema ? schemaType(schema, written) : undefined;
      if (resolve === builtInSchemas) types.set(key, type);
    }
    if (type) found.push(type);
  }
  return found;
}
