import type { ObjectMeta } from "kubernetes-types/meta/v1";

// Gateway API's HTTPRoute (gateway.networking.k8s.io/v1), as far as sluice
// writes it, named and nested as in the vendored CRD schema
// (src/k8s/crd-schemas/gateway.networking.k8s.io_v1_HTTPRoute.json);
// test/crd-types.test.ts keeps every field here true to that schema.

/** A Gateway (or one of its listeners) a route attaches to. */
export interface HTTPRouteParentRef {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
  sectionName?: string;
}

export interface HTTPRouteMatch {
  path?: { type?: "Exact" | "PathPrefix" | "RegularExpression"; value?: string };
}

export interface HTTPRouteBackendRef {
  group?: string;
  kind?: string;
  name: string;
  port?: number;
  /** Its share of the rule's traffic, relative to the others' (default 1). */
  weight?: number;
}

export interface HTTPRouteRule {
  /** The rule's name, unique in the route. */
  name?: string;
  matches?: HTTPRouteMatch[];
  backendRefs?: HTTPRouteBackendRef[];
}

export interface HTTPRoute {
  apiVersion: "gateway.networking.k8s.io/v1";
  kind: "HTTPRoute";
  metadata: ObjectMeta;
  spec: {
    parentRefs?: HTTPRouteParentRef[];
    hostnames?: string[];
    rules?: HTTPRouteRule[];
  };
}
