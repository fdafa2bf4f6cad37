import { describe, expect, it } from "vitest";
import { isSluiceError } from "sluice";
import { resolve } from "../../src/pipeline/resolve/resolve.js";
import { validate } from "../../src/pipeline/validate/validate.js";
import { appSpec, loaded, platformSpec } from "../helpers/model.js";
import { located } from "../../src/locate/index.js";

const resolveApps = (apps: Record<string, unknown>) => resolve("/nowhere", validate("/nowhere", loaded(platformSpec(), apps)));

describe("resolve", () => {
  it("gives one spec per (app, cluster) with the release of the cluster's wave", () => {
    const resolved = resolveApps({ web: appSpec(), api: appSpec({ release: { dev: "2.0.0" } }) });
    expect(resolved.map((r) => `${r.name}@${r.cluster.name}=${r.imageRef}`)).toEqual([
      "api@dev-1=registry.example.com/shop/web:2.0.0",
      "web@dev-1=registry.example.com/shop/web:1.1.0",
      "web@prod-1=registry.example.com/shop/web:1.0.0",
      "web@prod-2=registry.example.com/shop/web:1.0.0",
    ]);
  });

  it("merges defaults ← environment ← cluster ← app ← environment override ← cluster override", () => {
    const [, prod1, prod2] = resolveApps({
      web: appSpec({
        env: { LOG_LEVEL: "info", FEATURE: "on" },
        resources: { requests: { cpu: "100m" } },
        environments: { prod: { replicas: 5, env: { FEATURE: "off" } } },
        clusters: { "prod-2": { replicas: 7 } },
      }),
    });
    // prod-1: environment replicas 3, overridden by the app's prod override.
    expect(prod1!.spec.replicas).toBe(5);
    expect(prod1!.spec.env).toEqual({ LOG_LEVEL: "info", REGION: "eu", FEATURE: "off" });
    expect(prod1!.spec.resources).toEqual({ limits: { cpu: "1" }, requests: { cpu: "100m" } });
    // prod-2: the cluster override wins over the environment override.
    expect(prod2!.spec.replicas).toBe(7);
    expect(prod2!.spec.env).toEqual({ LOG_LEVEL: "info", FEATURE: "off" });
    // Provenance names the layer that won, by property path.
    expect(prod2!.provenance.replicas!.path).toEqual(["clusters", "prod-2", "replicas"]);
    expect(prod1!.provenance["env.REGION"]).toMatchObject({ file: "stacks/platform.ts", path: ["clusters", "prod-1", "env", "REGION"] });
    expect(prod1!.provenance["resources.limits.cpu"]!.path).toEqual(["environments", "prod", "resources", "limits", "cpu"]);
  });

  it("lets autoscaling own replicas, and switches it off where an override says false", () => {
    const [dev, prod1] = resolveApps({
      web: appSpec({ autoscaling: { min: 2, max: 6 }, environments: { dev: { autoscaling: false } } }),
    });
    expect(dev!.spec).toMatchObject({ replicas: 1 });
    expect(dev!.spec.autoscaling).toBeUndefined();
    expect(prod1!.spec.autoscaling).toEqual({ min: 2, max: 6, targetCPU: 80 });
    expect(prod1!.spec.replicas).toBeUndefined();
  });

  it("refuses replicas written next to autoscaling, incomplete autoscaling and probes on unknown ports", () => {
    try {
      resolveApps({
        a: appSpec({ autoscaling: { min: 2, max: 6 }, replicas: 3 }),
        b: appSpec({ environments: { prod: { autoscaling: { max: 4 } } } }),
        c: appSpec({ probes: { readiness: { http: "/ready", port: "admin" }, liveness: { http: "/x", tcp: true } } }),
      });
      expect.unreachable("resolve should fail");
    } catch (error) {
      if (!isSluiceError(error)) throw error;
      expect(located("/nowhere", error).diagnostics.map((d) => `${d.origin?.file} ${d.code} ${JSON.stringify(d.origin?.path)}`)).toEqual([
        'stacks/a.ts resolve/replicas-and-autoscaling ["replicas"]',
        'stacks/b.ts resolve/autoscaling-incomplete ["environments","prod","autoscaling","max"]',
        'stacks/c.ts resolve/probe-port ["probes","readiness","port"]',
        'stacks/c.ts resolve/probe-kind ["probes","liveness","http"]',
      ]);
    }
  });

  it("defaults a probe's port to the first declared port", () => {
    const [dev] = resolveApps({ web: appSpec({ ports: { web: 80, admin: 9000 }, probes: { readiness: { http: "/ready" } } }) });
    expect(dev!.spec.probes.readiness).toEqual({ http: "/ready", port: "web" });
  });
});

describe("secret store keys are confined per team", () => {
  const withStores = (stores: Record<string, unknown>) => ({
    ...platformSpec(),
    secretStores: stores,
    teams: { shop: { owners: ["@acme/shop"], namespaces: ["shop"] }, pay: { owners: ["@acme/pay"], namespaces: ["pay"] } },
  });
  const reading = (key: string) =>
    appSpec({
      env: { DB_PASSWORD: { $sluice: "secret-key", secret: "db", key: "password" } },
      secrets: { db: { $sluice: "secret-source", provider: "external-secrets", key } },
    });
  const failures = (platform: Record<string, unknown>, apps: Record<string, unknown>) => {
    try {
      resolve("/nowhere", validate("/nowhere", loaded(platform, apps)));
      return [];
    } catch (error) {
      if (!isSluiceError(error)) throw error;
      return located("/nowhere", error).diagnostics.map(
        (d) => `${d.origin?.file} ${d.code} ${JSON.stringify(d.origin?.path)}: ${d.message}`,
      );
    }
  };

  it("by default a team reads only the keys under its own name, and another team's key is an error at the reference", () => {
    const platform = withStores({ vault: { kind: "ClusterSecretStore" } });
    expect(failures(platform, { web: reading("shop/web/db") })).toEqual([]);
    const found = failures(platform, { web: reading("pay/db") });
    expect(found[0]).toBe(
      'stacks/web.ts resolve/secret-store-key ["secrets","db"]: secret "db" reads key "pay/db" of store vault on clusters dev-1, prod-1, prod-2, which team shop may not read: the platform lets it read "shop/*"',
    );
  });

  it("refuses keys whose segments a backend could resolve outside the prefix", () => {
    const platform = withStores({ vault: { kind: "ClusterSecretStore" } });
    for (const key of ["shop/../pay/db", "shop/./x", "shop//x", "/shop/x"]) {
      expect(failures(platform, { web: reading(key) })[0], key).toContain("resolve/secret-store-key");
    }
  });

  it("reads the platform's patterns: several, shared prefixes, and '*' for every key", () => {
    const shared = withStores({ vault: { kind: "ClusterSecretStore", keys: ["{team}/*", "shared/*", "teams/{team}-*"] } });
    expect(failures(shared, { web: reading("shared/stripe-public"), api: reading("teams/shop-api") })).toEqual([]);
    expect(failures(shared, { web: reading("teams/pay-api") })[0]).toContain(
      'may not read: the platform lets it read "shop/*", "shared/*", "teams/shop-*"',
    );
    expect(failures(withStores({ vault: { kind: "SecretStore", keys: "*" } }), { web: reading("pay/db") })).toEqual([]);
  });

  it("refuses a pattern with another placeholder at its line", () => {
    const found = failures(withStores({ vault: { kind: "ClusterSecretStore", keys: ["{app}/*"] } }), {});
    expect(found.join("\n")).toContain('["secretStores","vault","keys"');
  });
});
