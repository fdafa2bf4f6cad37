import type { Diagnostic } from "../../model/diagnostic.js";
import type { ExposureSpec } from "../../model/exposure-schema.js";
import type { KubernetesObject } from "../../k8s/object.js";
import type { AppModel, ClusterModel, PlatformModel, RawObject } from "../../model/model.js";
import type { Origin } from "../../model/origin.js";
import type { ResolvedExpose } from "../../model/resolved.js";
import type { Settings } from "../../model/settings-schema.js";
import { instanceNeeds } from "./instance-needs.js";

/**
 * An app's merged `expose` on one cluster, checked against what the cluster
 * serves traffic with: a host is needed, the port must be one of the app's,
 * and the Gateway must have a listener for HTTPS (or plain HTTP) when the
 * platform names its listeners.
 */
export function resolveExpose(
  expose: Settings["expose"],
  ports: Readonly<Record<string, number>>,
  cluster: ClusterModel,
  where: (path: string) => Origin,
): { expose?: ResolvedExpose; diagnostics: Diagnostic[] } {
  if (expose === undefined || expose === false) return { diagnostics: [] };
  const onCluster = ` on cluster ${cluster.name}`;
  const problem = (code: string, message: string, path: string, hint: string) => ({
    diagnostics: [{ code, message: `${message}${onCluster}`, origin: where(path), hint }],
  });
  const via = cluster.exposure;
  if (via === undefined) {
    return problem(
      "resolve/expose-unserved",
      "the app is exposed, but the platform names nothing that serves traffic from outside",
      "expose",
      `ask the platform team to set exposure on cluster ${cluster.name} or its environment, or stop exposing it there with clusters: { ${JSON.stringify(cluster.name)}: { expose: false } }`,
    );
  }
  if (expose.host === undefined)
    return problem("resolve/expose-incomplete", "expose needs a host", "expose", 'write expose: { host: "shop.example.com" }');
  const port = expose.port ?? Object.keys(ports)[0];
  if (port === undefined)
    return problem("resolve/expose-port", "the app is exposed but declares no ports", "expose", "declare ports: { http: 8080 }");
  if (!Object.hasOwn(ports, port)) {
    return problem(
      "resolve/expose-port",
      `expose sends traffic to port ${JSON.stringify(port)}, which the app does not declare`,
      "expose.port",
      `use one of: ${Object.keys(ports).join(", ")}`,
    );
  }
  const tls = expose.tls ?? true;
  const gateway = "gateway" in via ? via.gateway : undefined;
  const listeners = gateway?.listeners;
  if (gateway && listeners) {
    const wanted = tls ? "https" : "http";
    if (listeners[wanted] === undefined) {
      return problem(
        "resolve/expose-listener",
        `the app is served over ${tls ? "HTTPS" : "plain HTTP"}, but the Gateway ${gateway.namespace}/${gateway.name} names no ${wanted} listener`,
        expose.tls === undefined ? "expose" : "expose.tls",
        tls
          ? "serve it over plain HTTP with tls: false, or ask the platform team to name the Gateway's https listener"
          : "serve it over HTTPS (leave tls out), or ask the platform team to name the Gateway's http listener",
      );
    }
  }
  const { origin: _origin, ...spec } = via;
  return { expose: { host: expose.host, path: expose.path ?? "/", port, tls, via: spec as ExposureSpec }, diagnostics: [] };
}

/** The namespace whose pods carry the traffic an exposed app receives: the Gateway's proxies, or the ingress controller. */
export function trafficNamespace(via: ExposureSpec): string {
  return "gateway" in via ? (via.gateway.proxyNamespace ?? via.gateway.namespace) : via.ingress.namespace;
}

/**
 * What an app's `expose` claims on a cluster, as fleet rules judge it (two
 * apps on one host): the HTTPRoute or Ingress it renders there, with its
 * host and path, at the line that sets the host. Derived from the merged
 * settings alone, so that it is known for every instance on every run,
 * rendered this run or not.
 */
export function exposedObjects(platform: PlatformModel, app: AppModel, cluster: ClusterModel): RawObject[] {
  const exposed = cluster.exposure && instanceNeeds(platform, app, cluster).exposed;
  if (!exposed) return [];
  const metadata = { name: app.name, namespace: app.namespace };
  const object: KubernetesObject =
    "gateway" in cluster.exposure!
      ? {
          apiVersion: "gateway.networking.k8s.io/v1",
          kind: "HTTPRoute",
          metadata,
          spec: { hostnames: [exposed.host], rules: [{ matches: [{ path: { type: "PathPrefix", value: exposed.path } }] }] },
        }
      : {
          apiVersion: "networking.k8s.io/v1",
          kind: "Ingress",
          metadata,
          spec: { rules: [{ host: exposed.host, http: { paths: [{ path: exposed.path, pathType: "Prefix" }] } }] },
        };
  return [{ object, origin: exposed.origin }];
}
