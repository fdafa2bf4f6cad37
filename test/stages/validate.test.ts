import { describe, expect, it } from "vitest";
import { isSluiceError, type Diagnostic } from "sluice";
import { validate } from "../../src/pipeline/validate/validate.js";
import { appSpec, loaded, platformSpec } from "../helpers/model.js";

// No files exist for these origins, so diagnostics keep their property paths
// (pinpointing to a line is tested in locate.test.ts).
function diagnostics(run: () => unknown): Diagnostic[] {
  try {
    run();
  } catch (error) {
    if (isSluiceError(error)) return [...error.diagnostics];
    throw error;
  }
  throw new Error("expected validation to fail");
}

describe("validate", () => {
  it("fills in defaults and sorts clusters, teams and apps by name", () => {
    const model = validate("/nowhere", loaded(platformSpec(), { zeta: appSpec(), alpha: appSpec() }));
    expect(model.platform.envRepo).toEqual({ url: "https://git.example.com/env.git", revision: "main", path: "", layout: "flat" });
    expect(model.platform.engineSettings).toEqual({
      argocd: { namespace: "argocd", applications: "per-app" },
      flux: { namespace: "flux-system", decryptionSecret: "sops-age" },
    });
    expect(model.platform.environments.find((e) => e.name === "prod")!.sync).toEqual({ automated: true, prune: false, selfHeal: true });
    expect(model.platform.clusters.map((c) => [c.name, c.wave])).toEqual([
      ["dev-1", "dev"],
      ["prod-1", "canary"],
      ["prod-2", "prod"],
    ]);
    expect(model.apps.map((a) => a.name)).toEqual(["alpha", "zeta"]);
    expect(model.apps[0]!.namespace).toBe("shop");
    expect(model.apps[0]!.release).toEqual({ dev: "1.1.0", canary: "1.0.0", prod: "1.0.0" });
  });

  it("collects every platform problem, each with the path of the property to fix", () => {
    const spec = platformSpec();
    (spec.clusters as Record<string, unknown>)["prod-3"] = { environment: "prd", server: "https://prod-3.example.com" };
    (spec.waves as { clusters: string[] }[])[1]!.clusters.push("dev-1", "nope");
    const found = diagnostics(() => validate("/nowhere", loaded(spec)));
    expect(found.map((d) => [d.code, d.origin?.path])).toEqual([
      ["validate/unknown-environment", ["clusters", "prod-3", "environment"]],
      ["validate/cluster-in-two-waves", ["waves", 1, "clusters", 1]],
      ["validate/unknown-cluster", ["waves", 1, "clusters", 2]],
      ["validate/cluster-in-no-wave", ["clusters", "prod-3"]],
    ]);
    expect(found.every((d) => d.origin?.file === "stacks/platform.ts" && d.hint)).toBe(true);
  });

  it("keeps the root's project name from the teams", () => {
    const spec = platformSpec();
    (spec.teams as Record<string, unknown>)["sluice-platform"] = { owners: ["@acme/x"], namespaces: ["x"] };
    const found = diagnostics(() => validate("/nowhere", loaded(spec)));
    expect(found.map((d) => [d.code, d.origin?.path])).toEqual([["validate/reserved-team", ["teams", "sluice-platform"]]]);
  });

  it("rejects names that are not DNS-1123 labels", () => {
    const spec = platformSpec();
    (spec.teams as Record<string, unknown>)["Shop_Team"] = { owners: ["@acme/x"], namespaces: ["x"] };
    const found = diagnostics(() => validate("/nowhere", loaded(spec)));
    expect(found).toHaveLength(1);
    expect(found[0]!.origin?.path).toEqual(["teams", "Shop_Team"]);
    expect(found[0]!.message).toMatch(/DNS-1123/);

    for (const name of ["../etc", "Payments", "a".repeat(64)]) {
      const [problem] = diagnostics(() => validate("/nowhere", loaded(platformSpec(), { [name]: appSpec() })));
      expect(problem!.code).toBe("validate/app-name");
      expect(problem!.origin?.file).toBe(`stacks/${name}.ts`);
    }
  });

  it("checks apps against the platform: team, namespace, waves, overrides, objects", () => {
    const found = diagnostics(() =>
      validate(
        "/nowhere",
        loaded(platformSpec(), {
          web: appSpec({ namespace: "billing", release: { dev: "1.0.0", prod: "1.0.0", nightly: "1.0.0" } }),
          api: appSpec({ team: "payments", environments: { prd: { replicas: 2 } }, clusters: { "prod-9": {} } }),
          job: appSpec({
            objects: [
              { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "god" } },
              { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "kube-system" } },
            ],
          }),
        }),
      ),
    );
    expect(found.map((d) => `${d.origin?.file} ${d.code} ${JSON.stringify(d.origin?.path)}`)).toEqual([
      'stacks/web.ts validate/foreign-namespace ["namespace"]',
      'stacks/web.ts validate/unknown-wave ["release","nightly"]',
      'stacks/web.ts validate/release-skips-wave ["release","prod"]',
      'stacks/api.ts validate/unknown-team ["team"]',
      'stacks/api.ts validate/unknown-environment ["environments","prd"]',
      'stacks/api.ts validate/unknown-cluster ["clusters","prod-9"]',
      'stacks/job.ts validate/object-namespace ["objects",1,"metadata","namespace"]',
    ]);
  });

  it("reports schema errors at the exact property, including unknown ones", () => {
    const found = diagnostics(() =>
      validate(
        "/nowhere",
        loaded(platformSpec(), {
          web: appSpec({ replicas: -1, image: "registry.example.com/web:latest", release: { dev: "latest" }, replica: 2 }),
        }),
      ),
    );
    const byPath = Object.fromEntries(found.map((d) => [JSON.stringify(d.origin?.path), d.message]));
    expect(byPath['["replicas"]']).toMatch(/0 or more/);
    expect(byPath['["image"]']).toMatch(/without tag or digest/);
    expect(byPath['["release","dev"]']).toMatch(/must be a release/);
    expect(byPath['["replica"]']).toMatch(/unknown property "replica"/);
  });

  it("reports a duplicate app name at the second declaration", () => {
    const stacks = loaded(platformSpec(), { web: appSpec() });
    const twice = { ...stacks, apps: [...stacks.apps, { ...stacks.apps[0]!, origin: { file: "stacks/other.ts", line: 9, column: 1 } }] };
    const [problem] = diagnostics(() => validate("/nowhere", twice));
    expect(problem!.code).toBe("validate/duplicate-app");
    expect(problem!.origin?.file).toBe("stacks/other.ts");
    expect(problem!.message).toContain("stacks/web.ts:2");
  });
});

describe("a platform component that installs Kyverno", () => {
  const kyverno = { chart: { repository: "https://kyverno.github.io/kyverno", name: "kyverno", version: "3.5.0" }, namespace: "kyverno" };
  it("is refused when the admission policies are Kyverno's own objects, which the root applies before any component", () => {
    const found = diagnostics(() =>
      validate("/nowhere", loaded({ ...platformSpec(), policy: { admission: "kyverno" }, components: { kyverno } })),
    );
    expect(found.map((d) => [d.code, d.origin?.path])).toEqual([["validate/component-bootstrap", ["components", "kyverno"]]]);
    expect(found[0]!.hint).toMatch(/install Kyverno with the cluster/);
  });

  it("is fine with Kubernetes' own admission policies, or when it says it provides something else", () => {
    expect(() => validate("/nowhere", loaded({ ...platformSpec(), components: { kyverno } }))).not.toThrow();
    expect(() =>
      validate(
        "/nowhere",
        loaded({ ...platformSpec(), policy: { admission: "kyverno" }, components: { kyverno: { ...kyverno, provides: [] } } }),
      ),
    ).not.toThrow();
  });
});

describe("did you mean", () => {
  it("suggests the nearest declared name, or the only one a name begins, and lists few choices otherwise", async () => {
    const { closestName, nameHint } = await import("../../src/model/spelling.js");
    expect(closestName("paymnets", ["payments", "checkout-web"])).toBe("payments");
    expect(closestName("checkout", ["checkout-web", "catalog-api"])).toBe("checkout-web");
    expect(closestName("checkout", ["checkout-web", "checkout-api"])).toBeUndefined();
    expect(nameHint("zzz", ["a", "b"], "otherwise")).toBe("use one of: a, b");
    expect(
      nameHint(
        "zzz",
        Array.from({ length: 20 }, (_, i) => `app-${i}`),
        "otherwise",
      ),
    ).toBe("otherwise");
  });
});
