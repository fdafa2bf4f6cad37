import type { FleetRule, FleetViolation } from "../../src/sdk.js";

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
        violations.push({
          app: claim.app,
          object: claim.object,
          field: claim.field,
          message: `host ${host} is also claimed by ${others.join(", ")}`,
        });
      }
    }
    return violations;
  },
} satisfies FleetRule;

/**
 * A host the platform serves on the cluster — its Argo CD, its dashboards —
 * is not a team's to claim: an app's Ingress for it would take the traffic
 * (and the logins) meant for the platform. Not waivable.
 */
export const noPlatformHosts = {
  id: "no-platform-hosts",
  description: "No app claims a host name the platform's own objects serve (its Argo CD's Ingress, say).",
  severity: "error",
  waivable: false,
  on: "fleet",
  hint: "serve the app on a host name of its own",
  check({ apps, platformObjects = [] }) {
    const platformHosts = new Map<string, string>();
    for (const { object } of platformObjects) {
      for (const { host } of hostsOf(object))
        platformHosts.set(host, `${object.kind} ${(object as { metadata?: { name?: string } }).metadata?.name ?? ""}`);
    }
    const violations: FleetViolation[] = [];
    if (platformHosts.size === 0) return violations;
    for (const { app, objects } of apps) {
      objects.forEach(({ object }, index) => {
        for (const { host, field } of hostsOf(object)) {
          const owner = platformHosts.get(host);
          if (owner !== undefined)
            violations.push({ app: app.name, object: index, field, message: `host ${host} is the platform's (${owner})` });
        }
      });
    }
    return violations;
  },
} satisfies FleetRule;

function hostsOf(object: { apiVersion: string; kind: string }): { host: string; field: (string | number)[] }[] {
  const found: { host: string; field: (string | number)[] }[] = [];
  if (object.kind === "Ingress" && object.apiVersion.startsWith("networking.k8s.io/")) {
    const rules = (object as { spec?: { rules?: { host?: unknown }[] } }).spec?.rules ?? [];
    rules.forEach((rule, index) => {
      if (typeof rule.host === "string") found.push({ host: normalHost(rule.host), field: ["spec", "rules", index, "host"] });
    });
  }
  if (object.kind === "HTTPRoute" && object.apiVersion.startsWith("gateway.networking.k8s.io/")) {
    const hostnames = (object as { spec?: { hostnames?: unknown[] } }).spec?.hostnames ?? [];
    hostnames.forEach((host, index) => {
      if (typeof host === "string") found.push({ host: normalHost(host), field: ["spec", "hostnames", index] });
    });
  }
  return found;
}

/** "API.example.com." and "api.example.com" are one host to DNS and to an ingress controller. */
function normalHost(host: string): string {
  return host.toLowerCase().replace(/\.+$/, "");
}
