import type { FleetRule, FleetViolation } from "../../src/index.js";

/**
 * Two apps serving one host on one cluster is a routing accident waiting to
 * happen: whichever the ingress controller reads last wins.
 */
export const uniqueHosts = {
  id: "unique-hosts",
  description: "No two apps on a cluster claim the same host name (Ingress rules, Gateway API HTTPRoute hostnames).",
  severity: "error",
  on: "fleet",
  hint: "give each app its own host name, or serve the paths from one app",
  check({ apps }) {
    const claims = new Map<string, { app: string; object: number; field: (string | number)[] }[]>();
    for (const { app, objects } of apps) {
      objects.forEach(({ object }, index) => {
        for (const { host, field } of hostsOf(object)) {
          const list = claims.get(host) ?? [];
          list.push({ app: app.name, object: index, field });
          claims.set(host, list);
        }
      });
    }
    const violations: FleetViolation[] = [];
    for (const [host, list] of [...claims].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const owners = [...new Set(list.map((claim) => claim.app))].sort();
      if (owners.length < 2) continue;
      for (const claim of list) {
        const others = owners.filter((owner) => owner !== claim.app);
        violations.push({ app: claim.app, object: claim.object, field: claim.field, message: `host ${host} is also claimed by ${others.join(", ")}` });
      }
    }
    return violations;
  },
} satisfies FleetRule;

function hostsOf(object: { apiVersion: string; kind: string }): { host: string; field: (string | number)[] }[] {
  const found: { host: string; field: (string | number)[] }[] = [];
  if (object.kind === "Ingress" && object.apiVersion.startsWith("networking.k8s.io/")) {
    const rules = (object as { spec?: { rules?: { host?: unknown }[] } }).spec?.rules ?? [];
    rules.forEach((rule, index) => {
      if (typeof rule.host === "string") found.push({ host: rule.host.toLowerCase(), field: ["spec", "rules", index, "host"] });
    });
  }
  if (object.kind === "HTTPRoute" && object.apiVersion.startsWith("gateway.networking.k8s.io/")) {
    const hostnames = (object as { spec?: { hostnames?: unknown[] } }).spec?.hostnames ?? [];
    hostnames.forEach((host, index) => {
      if (typeof host === "string") found.push({ host: host.toLowerCase(), field: ["spec", "hostnames", index] });
    });
  }
  return found;
}
