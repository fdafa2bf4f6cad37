import type { LabelSelector, ObjectMeta } from "kubernetes-types/meta/v1";
import type { MatchCondition, NamedRuleWithOperations, Validation, Variable } from "kubernetes-types/admissionregistration/v1";

/**
 * The fields of Kyverno's `policies.kyverno.io/v1` ValidatingPolicy that
 * sluice writes, named and nested as in the vendored CRD schema
 * (src/k8s/crd-schemas/policies.kyverno.io_v1_ValidatingPolicy.json; checked
 * by test/crd-types.test.ts). Its parts are those of a
 * ValidatingAdmissionPolicy, which it mirrors, so they come from kubernetes-types.
 */
/**
 * kubernetes-types 1.30 leaves out the fields NamedRuleWithOperations inlines
 * from RuleWithOperations (`resources`, `scope`), which the API server and the
 * CRD have.
 */
export type ResourceRule = NamedRuleWithOperations & { resources?: string[]; scope?: string };

export interface KyvernoValidatingPolicy {
  apiVersion: "policies.kyverno.io/v1";
  kind: "ValidatingPolicy";
  metadata: ObjectMeta;
  spec: {
    failurePolicy?: "Ignore" | "Fail";
    validationActions?: ("Deny" | "Audit" | "Warn")[];
    matchConstraints?: { namespaceSelector?: LabelSelector; resourceRules?: ResourceRule[] };
    matchConditions?: MatchCondition[];
    variables?: Variable[];
    validations?: Validation[];
  };
}
