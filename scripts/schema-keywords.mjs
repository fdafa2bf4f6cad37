// The JSON Schema keywords the strict schemas keep, shared by the Kubernetes
// OpenAPI generator (gen-k8s-openapi.mjs) and the CRD generator
// (gen-crd-schemas.mjs): what the inspect stage's checker enforces. Everything
// else (descriptions, defaults, examples) is dropped.
export const SCHEMA_KEYWORDS = [
  "type",
  "properties",
  "required",
  "enum",
  "pattern",
  "items",
  "additionalProperties",
  "oneOf",
  "anyOf",
  "allOf",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "minLength",
  "maxLength",
  "minItems",
  "maxItems",
  "uniqueItems",
  "minProperties",
  "maxProperties",
  "nullable",
  "x-kubernetes-list-type",
  "x-kubernetes-list-map-keys",
];
