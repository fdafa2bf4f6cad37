import type { Ingress } from "kubernetes-types/networking/v1";
import type { HTTPRoute } from "../../src/k8s/gateway-api.js";
import { isKind, type KubernetesObject, type ResolvedApp } from "../../src/sdk.js";

/**
 * What serves a blue-green release's preview: a copy of the app's own
 * HTTPRoute or Ingress, "<app>-preview", on the preview host, sending to the
 * Service that selects the new release's pods (with its own certificate
 * Secret, when cert-manager issues the app's).
 */
export function previewRoute(app: ResolvedApp, objects: readonly KubernetesObject[], host: string, service: string): KubernetesObject[] {
  const name = `${app.name}-preview`;
  const exposed = objects.find(
    (object) =>
      object.metadata.name === app.name &&
      (isKind(object, "gateway.networking.k8s.io/v1", "HTTPRoute") || isKind(object, "networking.k8s.io/v1", "Ingress")),
  );
  if (!exposed) return [];
  if (exposed.kind === "HTTPRoute") {
    const route = structuredClone(exposed) as unknown as HTTPRoute & KubernetesObject;
    return [
      {
        ...route,
        metadata: { ...route.metadata, name },
        spec: {
          ...route.spec,
          hostnames: [host],
          rules: (route.spec.rules ?? []).map((rule) => ({
            ...rule,
            backendRefs: (rule.backendRefs ?? []).map((backend) => ({ ...backend, name: service })),
          })),
        },
      } satisfies HTTPRoute,
    ];
  }
  const ingress = structuredClone(exposed) as Ingress & KubernetesObject;
  const spec = ingress.spec ?? {};
  return [
    {
      ...ingress,
      metadata: { ...ingress.metadata, name },
      spec: {
        ...spec,
        ...(spec.tls
          ? { tls: spec.tls.map((tls) => ({ ...tls, hosts: [host], ...(tls.secretName ? { secretName: `${name}-tls` } : {}) })) }
          : {}),
        rules: (spec.rules ?? []).map((rule) => ({
          ...rule,
          host,
          ...(rule.http
            ? {
                http: {
                  paths: rule.http.paths.map((path) => ({
                    ...path,
                    backend: { ...path.backend, ...(path.backend.service ? { service: { ...path.backend.service, name: service } } : {}) },
                  })),
                },
              }
            : {}),
        })),
      },
    } satisfies Ingress,
  ];
}
