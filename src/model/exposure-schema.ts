import { z } from "zod";
import { dnsLabel } from "./names.js";

/**
 * How traffic from outside reaches apps: the platform says per environment
 * or cluster what serves it (`exposure`: a Gateway API Gateway, or an
 * ingress controller), and an app says which host and path it serves there
 * (`expose`). The app's Service stays ClusterIP; the route or Ingress points
 * at it.
 */

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A Kubernetes object name that may hold dots (a Gateway, an IngressClass, a ClusterIssuer). */
const objectName = z.string().max(253).regex(DNS_SUBDOMAIN, {
  message: "must be a DNS-1123 subdomain: lower-case letters, digits, '-' and '.'",
});

/** A listener's name on a Gateway (Gateway API's SectionName). */
const listenerName = z.string().max(253).regex(DNS_SUBDOMAIN, {
  message: 'must be the name of one of the Gateway\'s listeners, such as "https"',
});

export const gatewayExposureSchema = z.strictObject({
  /** The Gateway's name. */
  name: objectName,
  /** The Gateway's namespace; its listeners must allow routes from the apps' namespaces (`allowedRoutes.namespaces`). */
  namespace: dnsLabel,
  /**
   * The Gateway's listeners routes attach to, by name: `https` for apps with
   * `tls` (the default), `http` for those without. Left out, a route attaches
   * to every listener whose hostname matches.
   */
  listeners: z
    .strictObject({
      http: listenerName.optional(),
      https: listenerName.optional(),
    })
    .optional(),
  /**
   * The namespace the Gateway's proxy pods run in, which the apps' network
   * policies let in. Default: the Gateway's namespace (Istio, Cilium, GKE);
   * Envoy Gateway runs them in its controller's namespace, "envoy-gateway-system".
   */
  proxyNamespace: dnsLabel.optional(),
});

export const ingressExposureSchema = z.strictObject({
  /** The IngressClass the apps' Ingresses name (`spec.ingressClassName`), e.g. "nginx". */
  className: objectName,
  /** The namespace the ingress controller's pods run in, which the apps' network policies let in, e.g. "ingress-nginx". */
  namespace: dnsLabel,
  /**
   * The cert-manager ClusterIssuer that issues each app's certificate
   * (`cert-manager.io/cluster-issuer`), into the Secret "<app>-tls". Left
   * out, an Ingress with `tls` names no Secret and the controller serves its
   * default certificate.
   */
  tlsIssuer: objectName.optional(),
});

/** What serves traffic from outside on a cluster: `{ gateway: {…} }` or `{ ingress: {…} }`. */
export const exposureSchema = z.union([
  z.strictObject({ gateway: gatewayExposureSchema }),
  z.strictObject({ ingress: ingressExposureSchema }),
]);

export type ExposureSpec = z.infer<typeof exposureSchema>;

/**
 * A host name an app serves: a DNS name of two labels or more, without a
 * wildcard (a host belongs to one app per cluster) and not an IP address
 * (neither an HTTPRoute nor an Ingress takes one).
 */
export const hostName = z
  .string()
  .max(253, { message: "is longer than 253 characters" })
  .superRefine((host, ctx) => {
    const problem = hostProblem(host);
    if (problem) ctx.addIssue({ code: "custom", message: `the host ${JSON.stringify(host)} ${problem}` });
  });

function hostProblem(host: string): string | undefined {
  if (host.startsWith("*")) return "is a wildcard; an app serves named hosts, each its own";
  if (!DNS_SUBDOMAIN.test(host)) return "must be a DNS name in lower case, such as shop.example.com";
  if (!host.includes(".")) return "must be a fully qualified name, such as shop.example.com";
  if (/^[0-9.]+$/.test(host)) return "is an IP address; routes and Ingresses take host names only";
  if (host.split(".").some((label) => label.length > 63)) return "has a label longer than 63 characters";
  return undefined;
}

/**
 * A URL path prefix: "/" or "/shop/api". No "//", no "." or ".." segments
 * and no percent-encoding: Gateway API refuses them in a PathPrefix, and an
 * ingress controller would match them differently from the app.
 */
export const pathPrefix = z
  .string()
  .max(1024)
  .regex(/^\/[A-Za-z0-9._~!$&'()*+,;=:@/-]*$/, {
    message: 'must be a path starting with "/" of letters, digits and -._~!$&\'()*+,;=:@/ (no "%", "?" or "#"), e.g. "/shop"',
  })
  .refine((path) => !path.includes("//") && !path.split("/").some((segment) => segment === "." || segment === ".."), {
    message: 'must not hold "//", "/./" or "/../"',
  });

/**
 * `expose`: the app's host and path from outside, per environment and
 * cluster (every field is optional at every layer; a host is needed once
 * merged). `false` in a later layer stops exposing it there.
 */
export const exposeSchema = z.strictObject({
  /** The host name it serves, e.g. "shop.example.com"; unique among the apps of a cluster. */
  host: hostName.optional(),
  /** The path prefix it serves under that host; default "/". */
  path: pathPrefix.optional(),
  /** The port the traffic goes to, by name from `ports`; default the first port. */
  port: z.string().optional(),
  /** Serve over HTTPS (the default): the Gateway's https listener, or the Ingress's `tls` with the platform's issuer. */
  tls: z.boolean().optional(),
});

export type ExposeSpec = z.infer<typeof exposeSchema>;
