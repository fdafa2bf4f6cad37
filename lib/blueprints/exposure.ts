import type { Ingress } from "kubernetes-types/networking/v1";
import type { HTTPRoute } from "../../src/k8s/gateway-api.js";
import type { KubernetesObject, ResolvedApp, ResolvedExpose } from "../../src/sdk.js";

/**
 * What serves an exposed app from outside: a Gateway API HTTPRoute attached
 * to the platform's Gateway, or an Ingress of the platform's class, for the
 * app's host and path, sending the traffic to its Service on the exposed
 * port. Both are named after the app, in its namespace.
 */
export function exposure(app: ResolvedApp): KubernetesObject[] {
  const expose = app.spec.expose;
  if (!expose) return [];
  return "gateway" in expose.via ? [httpRoute(app, expose, expose.via.gateway)] : [ingress(app, expose, expose.via.ingress)];
}

type Via<K extends string> = ResolvedExpose["via"] extends infer V ? (V extends Record<K, infer T> ? T : never) : never;

function httpRoute(app: ResolvedApp, expose: ResolvedExpose, gateway: Via<"gateway">): KubernetesObject {
  // TLS ends at the Gateway: an HTTPS app's route attaches to the listener that holds the certificate.
  const sectionName = expose.tls ? gateway.listeners?.https : gateway.listeners?.http;
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name: app.name },
    spec: {
      parentRefs: [
        {
          group: "gateway.networking.k8s.io",
          kind: "Gateway",
          name: gateway.name,
          namespace: gateway.namespace,
          ...(sectionName ? { sectionName } : {}),
        },
      ],
      hostnames: [expose.host],
      rules: [
        {
          matches: [{ path: { type: "PathPrefix", value: expose.path } }],
          backendRefs: [{ kind: "Service", name: app.name, port: app.spec.ports[expose.port]! }],
        },
      ],
    },
  } satisfies HTTPRoute;
}

function ingress(app: ResolvedApp, expose: ResolvedExpose, via: Via<"ingress">): KubernetesObject {
  const issuer = expose.tls ? via.tlsIssuer : undefined;
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: {
      name: app.name,
      // cert-manager's ingress-shim issues the certificate into the Secret the tls entry names.
      ...(issuer ? { annotations: { "cert-manager.io/cluster-issuer": issuer } } : {}),
    },
    spec: {
      ingressClassName: via.className,
      ...(expose.tls ? { tls: [{ hosts: [expose.host], ...(issuer ? { secretName: `${app.name}-tls` } : {}) }] } : {}),
      rules: [
        {
          host: expose.host,
          http: {
            paths: [{ path: expose.path, pathType: "Prefix", backend: { service: { name: app.name, port: { name: expose.port } } } }],
          },
        },
      ],
    },
  } satisfies Ingress;
}

/** Which setting each field of the HTTPRoute and the Ingress comes from. */
export function exposureSettings(): Record<string, readonly (readonly [string, string])[]> {
  return {
    HTTPRoute: [
      ["spec.hostnames", "expose.host"],
      ["spec.parentRefs", "expose.tls"],
      ["spec.rules", "expose.path"],
    ],
    Ingress: [
      ["metadata.annotations", "expose.tls"],
      ["spec.tls", "expose.tls"],
      ["spec.rules.0.host", "expose.host"],
      ["spec.rules", "expose.path"],
    ],
  };
}
