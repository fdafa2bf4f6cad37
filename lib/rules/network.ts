import type { CelRule } from "../../src/sdk.js";

/**
 * `spec.externalIPs` makes every node answer for an address the team picks —
 * anyone's, another Service's, an outside host's — and the cluster routes that
 * address's traffic to the team's pods (CVE-2020-8554). Not waivable: no app
 * needs it that the platform's load balancers cannot serve.
 */
export const noExternalIps = {
  id: "no-external-ips",
  description: "No Service sets `spec.externalIPs`, which lets it intercept traffic for any address (CVE-2020-8554).",
  severity: "error",
  waivable: false,
  on: "object",
  kinds: ["Service"],
  check: "!has(object.spec) || !has(object.spec.externalIPs) || size(object.spec.externalIPs) == 0",
  message: "the Service sets externalIPs, which lets it take over traffic for any address (CVE-2020-8554)",
  field: ".spec.externalIPs",
  hint: "remove spec.externalIPs; expose the Service with type: LoadBalancer or through an Ingress",
} satisfies CelRule;

// The annotations load balancer implementations read a requested address from.
const FIXED_IP_ANNOTATIONS = [
  "metallb.universe.tf/loadBalancerIPs",
  "metallb.io/loadBalancerIPs",
  "kube-vip.io/loadbalancerIPs",
  "lbipam.cilium.io/ips",
  "io.cilium/lb-ipam-ips",
  "service.beta.kubernetes.io/azure-load-balancer-ipv4",
  "service.beta.kubernetes.io/azure-load-balancer-ipv6",
  "service.beta.kubernetes.io/azure-pip-name",
  "service.beta.kubernetes.io/aws-load-balancer-eip-allocations",
  "service.beta.kubernetes.io/aws-load-balancer-private-ipv4-addresses",
  "networking.gke.io/load-balancer-ip-addresses",
];

/**
 * A load balancer address is the platform's to hand out: a Service that asks
 * for one by number can take an address another team or the platform uses.
 */
export const noFixedLoadBalancerIp = {
  id: "no-fixed-load-balancer-ip",
  description:
    "No Service asks for a fixed load-balancer address (`spec.loadBalancerIP` or an annotation such as `metallb.io/loadBalancerIPs`).",
  severity: "error",
  on: "object",
  kinds: ["Service"],
  check: `!(has(object.spec) && has(object.spec.loadBalancerIP) && object.spec.loadBalancerIP != '') && !(has(object.metadata.annotations) && [${FIXED_IP_ANNOTATIONS.map((a) => `'${a}'`).join(", ")}].exists(a, a in object.metadata.annotations))`,
  message: "the Service asks for a fixed load-balancer address, which may be one another team or the platform uses",
  field: ".spec",
  hint: "remove spec.loadBalancerIP and the address annotations and let the load balancer assign one; if the app needs a stable address, ask the platform team to reserve it and waive the rule",
} satisfies CelRule;

/**
 * A wildcard host, a rule without a host, or a default backend catches every
 * name that no other Ingress claims, today's and tomorrow's — other teams'
 * new hosts among them.
 */
export const noWildcardHost = {
  id: "no-wildcard-host",
  description: "No Ingress catches hosts it does not name: no wildcard host (`*.example.com`), no rule without a host, no default backend.",
  severity: "error",
  on: "object",
  kinds: ["networking.k8s.io/Ingress"],
  check:
    "!has(object.spec) || (!has(object.spec.defaultBackend) && (!has(object.spec.rules) || object.spec.rules.all(r, has(r.host) && r.host != '' && !r.host.startsWith('*'))))",
  message: "the Ingress catches hosts it does not name (a wildcard host, a rule without a host, or a default backend)",
  field: ".spec",
  hint: "name each host the app serves (host: api.example.com) and drop defaultBackend; if the app must serve a wildcard, ask the platform team to let it waive the rule",
} satisfies CelRule;
