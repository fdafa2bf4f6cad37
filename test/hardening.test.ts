/**
 * Inputs that crashed sluice, or that it accepted and then wrote something
 * harmful or broken. Each now gets a diagnostic at the stack line to change,
 * and out/ is left as it was. One case per reproduction from the review of
 * the CLI (issue 5, items 7 and 8).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { synth } from "sluice";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { copyProject, makeProject, type Project } from "./helpers/project.js";
import { renameInReleaseFiles } from "./helpers/releases.js";
import { edit, expectAt, failsAt, findingOf, lineOf, policyFailure, rejection, show } from "./helpers/stack-edit.js";

let base: Project;
beforeAll(() => {
  base = synthesizedExample();
});

const copy = () => copyProject(base);

/** A raw object added to price-sync's `objects`, written as TypeScript source. */
function withObject(p: Project, source: string): string {
  return edit(p, "stacks/price-sync.ts", "  objects: [\n", `  objects: [\n    ${source},\n`);
}

describe("security boundaries", () => {
  it.each(["argocd", "kube-system", "kube-flannel", "default"])("a team cannot claim the %s namespace", async (namespace) => {
    const p = copy();
    edit(p, "stacks/platform.ts", 'namespaces: ["payments"]', `namespaces: ["payments", "${namespace}"]`);
    const d = await failsAt(p, "validate/reserved-namespace", "stacks/platform.ts", `"${namespace}"]`);
    expect(d.message).toContain(namespace);
  });

  it("an app cannot ship an Argo CD Application with project default (R5)", async () => {
    const p = copy();
    withObject(
      p,
      `{ apiVersion: "argoproj.io/v1alpha1", kind: "Application", metadata: { name: "escape" }, spec: { project: "default", destination: { namespace: "kube-system" } } } as never`,
    );
    const d = await failsAt(p, "validate/gitops-object", "stacks/price-sync.ts", "argoproj.io/v1alpha1");
    expect(d.message).toMatch(/Argo CD object/);
  });

  it.each([
    [
      "a kustomize Kustomization",
      `{ apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", metadata: { name: "k" } } as never`,
    ],
    ["a Flux Kustomization", `{ apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization", metadata: { name: "k" } } as never`],
    ["an Argo CD AppProject", `{ apiVersion: "argoproj.io/v1alpha1", kind: "AppProject", metadata: { name: "p" } } as never`],
  ])("an app cannot ship %s", async (_name, source) => {
    const p = copy();
    withObject(p, source);
    await failsAt(p, "validate/gitops-object", "stacks/price-sync.ts", source.slice(0, 50));
  });

  it("an app named root would collide with each cluster's root Application", async () => {
    const p = copy();
    edit(p, "stacks/search.ts", 'platform.app("search"', 'platform.app("root"');
    renameInReleaseFiles(p, "search", "root");
    await failsAt(p, "validate/reserved-app-name", "stacks/search.ts", 'platform.app("root"');
  });

  it("a platform without owners is refused: someone must own the GitOps objects", async () => {
    const p = copy();
    edit(p, "stacks/platform.ts", '  owners: ["@acme/platform"],\n', "");
    const diagnostics = await rejection(synth({ root: p.root, skipTypecheck: true }));
    expect(show(diagnostics)).toMatch(/stacks\/platform\.ts:\d+:\d+ the platform needs owners/);
  });

  it("CODEOWNERS gives clusters/ (Applications, projects, roots) and the lock to the platform only", () => {
    const codeowners = base.read("out/CODEOWNERS");
    const rules = codeowners.split("\n").filter((line) => line && !line.startsWith("#"));
    for (const rule of rules.filter((r) => r.startsWith("/clusters") || r.startsWith("/.sluice")))
      expect(rule).toMatch(/ @acme\/platform$/);
    expect(rules.filter((r) => r.includes("clusters") && !r.startsWith("/clusters/ "))).toEqual([]);
  });

  it("CODEOWNERS gives a gated wave's manifests to its approvers alone: a team cannot approve its own production change", () => {
    const rules = base.read("out/CODEOWNERS").split("\n");
    // One rule per gated cluster, for every app, after the teams' rules: in CODEOWNERS the last match wins.
    expect(rules).toContain("/apps/payments/ @acme/payments");
    expect(rules).toContain("/apps/*/prod-eu-1/ @acme/release");
    expect(rules).toContain("/apps/*/prod-us-1/ @acme/release");
    expect(rules.indexOf("/apps/*/prod-eu-1/ @acme/release")).toBeGreaterThan(rules.indexOf("/apps/payments/ @acme/payments"));
    expect(rules.indexOf("/apps/*/prod-us-1/ @acme/release")).toBeGreaterThan(rules.indexOf("/apps/payments/ @acme/payments"));
    // staging has a soak but no approvers: the team's.
    expect(rules.filter((r) => r.startsWith("/apps/payments/staging-1/"))).toEqual([]);
  });
});

describe("values that are not data", () => {
  it.each([
    ["NaN", "NaN", /is NaN/],
    ["Infinity", "Infinity", /is Infinity/],
    ["a function", "() => 1", /is a function/],
    ["a Date", 'new Date("2026-01-01")', /is a Date/],
    ["a Map", "new Map()", /is a Map/],
    ["a lone surrogate", '"\\uD800x"', /lone UTF-16 surrogate/],
  ])("%s in a raw object is refused at its line", async (_name, value) => {
    const p = copy();
    withObject(p, `{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "odd" }, data: { value: ${value} as never } }`);
    await failsAt(p, "validate/not-data", "stacks/price-sync.ts", 'name: "odd"');
  });

  it("a cycle is refused, not an internal error", async () => {
    const p = copy();
    edit(
      p,
      "stacks/price-sync.ts",
      "export default platform.app(",
      'const loop: Record<string, unknown> = { name: "loop" };\nloop.self = loop;\nexport default platform.app(',
    );
    withObject(p, `{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cyclic" }, data: loop as never }`);
    await failsAt(p, "validate/not-data", "stacks/price-sync.ts", 'name: "cyclic"');
  });

  it("nesting 5,000 deep is refused, not a stack overflow", async () => {
    const p = copy();
    edit(
      p,
      "stacks/price-sync.ts",
      "export default platform.app(",
      "let deep: unknown = {};\nfor (let i = 0; i < 5000; i++) deep = { deep };\nexport default platform.app(",
    );
    withObject(p, `{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "deep" }, data: deep as never }`);
    const diagnostics = await rejection(synth({ root: p.root, skipTypecheck: true }));
    expect(show(diagnostics)).toMatch(/nests deeper than 64 levels/);
  });

  it("an env key __proto__ written as a literal silently vanished; now it is refused at its line", async () => {
    const p = copy();
    edit(
      p,
      "stacks/payments.ts",
      '  env: {\n    DB_HOST: "payments-db.payments.svc",',
      '  env: {\n    __proto__: "x",\n    DB_HOST: "payments-db.payments.svc",',
    );
    await failsAt(p, "load/proto-key", "stacks/payments.ts", '__proto__: "x"');
  });

  it('a computed ["__proto__"] cluster key is refused by name', async () => {
    const p = copy();
    edit(p, "stacks/payments.ts", "  environments: {\n", '  clusters: { ["__proto__"]: { replicas: 2 } } as never,\n  environments: {\n');
    const diagnostics = await rejection(synth({ root: p.root, skipTypecheck: true }));
    expect(show(diagnostics)).toMatch(/__proto__/);
  });
});

describe("kinds", () => {
  it.each([
    ["a ConfigMap under v2", `{ apiVersion: "v2", kind: "ConfigMap", metadata: { name: "c" } }`, /serves ConfigMap as v1/],
    ["a Service under apps/v1", `{ apiVersion: "apps/v1", kind: "Service", metadata: { name: "s" } }`, /serves Service as v1/],
    ["kind ConfigMapp", `{ apiVersion: "v1", kind: "ConfigMapp", metadata: { name: "c" } }`, /did you mean ConfigMap/],
    [
      "an undeclared custom resource",
      `{ apiVersion: "cert-manager.io/v1", kind: "Certificate", metadata: { name: "c" } }`,
      /does not declare/,
    ],
  ])("%s is refused with a hint", async (_name, source, hint) => {
    const p = copy();
    withObject(p, `${source} as never`);
    const diagnostics = await rejection(synth({ root: p.root, skipTypecheck: true }));
    const d = diagnostics.find((x) => x.code === "validate/unknown-kind");
    expect(d, show(diagnostics)).toBeDefined();
    expect(`${d!.message} ${d!.hint}`).toMatch(hint);
    expectAt(d!, "stacks/price-sync.ts", lineOf(p.read("stacks/price-sync.ts"), source.slice(0, 40)));
  });

  it("a declared custom resource renders in the app's namespace; a cluster-scoped one with a namespace is refused, and without one needs a grant", async () => {
    const p = copy();
    edit(
      p,
      "stacks/platform.ts",
      '  owners: ["@acme/platform"],\n',
      '  owners: ["@acme/platform"],\n  customResources: { "cert-manager.io/v1": { Certificate: "Namespaced", ClusterIssuer: { scope: "Cluster", plural: "clusterissuers" } } },\n',
    );
    withObject(p, `{ apiVersion: "cert-manager.io/v1", kind: "Certificate", metadata: { name: "tls" } } as never`);
    await synth({ root: p.root, skipTypecheck: true });
    expect(p.read("out/apps/price-sync/dev-1/manifest.yaml")).toMatch(
      /kind: Certificate\nmetadata:\n  name: tls\n  namespace: storefront-jobs/,
    );
    withObject(
      p,
      `{ apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", metadata: { name: "ca", namespace: "storefront-jobs" } } as never`,
    );
    await failsAt(p, "validate/object-namespace", "stacks/price-sync.ts", "ClusterIssuer");
    edit(p, "stacks/price-sync.ts", 'metadata: { name: "ca", namespace: "storefront-jobs" }', 'metadata: { name: "ca" }');
    const finding = findingOf(await policyFailure(synth({ root: p.root, skipTypecheck: true })), "no-cluster-scoped-objects");
    expect(finding.message).toBe("ClusterIssuer ca is cluster-scoped, and team storefront is not granted cert-manager.io/ClusterIssuer");
    expect(finding.origin.file).toBe("stacks/price-sync.ts");
    expect(finding.origin.line).toBe(lineOf(p.read("stacks/price-sync.ts"), "ClusterIssuer"));
    // The platform grants the kind: the object renders without a namespace, and the team's project may apply it.
    edit(
      p,
      "stacks/platform.ts",
      'storefront: { owners: ["@acme/storefront"],',
      'storefront: { clusterResources: ["cert-manager.io/ClusterIssuer"], owners: ["@acme/storefront"],',
    );
    await synth({ root: p.root, skipTypecheck: true });
    expect(p.read("out/apps/price-sync/dev-1/manifest.yaml")).toMatch(/kind: ClusterIssuer\nmetadata:\n  name: ca\n  labels:/);
    expect(p.read("out/clusters/dev-1/projects/storefront.yaml")).toContain(
      "clusterResourceWhitelist:\n    - group: cert-manager.io\n      kind: ClusterIssuer",
    );
  });

  it("an Argo Rollout (argoproj.io, like Argo CD) is an ordinary custom resource, checked against its shipped schema; a CronJob name over 52 characters is refused", async () => {
    const p = copy();
    edit(
      p,
      "stacks/platform.ts",
      '  owners: ["@acme/platform"],\n',
      '  owners: ["@acme/platform"],\n  customResources: { "argoproj.io/v1alpha1": { Rollout: "Namespaced" } },\n',
    );
    // sluice ships Argo Rollouts' CRD schema: a Rollout without its spec is refused at its line, like any kind it knows.
    withObject(p, `{ apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", metadata: { name: "canary" } } as never`);
    const missing = await failsAt(p, "check/schema", "stacks/price-sync.ts", 'kind: "Rollout"');
    expect(missing.message).toContain('is missing the required field "spec"');
    edit(
      p,
      "stacks/price-sync.ts",
      'metadata: { name: "canary" } }',
      'metadata: { name: "canary" }, spec: { workloadRef: { apiVersion: "apps/v1", kind: "Deployment", name: "price-sync" }, strategy: { canary: { steps: [{ setWeight: 20 }] } } } }',
    );
    await synth({ root: p.root, skipTypecheck: true });
    expect(p.read("out/apps/price-sync/dev-1/manifest.yaml")).toContain("kind: Rollout");
    withObject(p, `{ apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "${"n".repeat(53)}" } }`);
    await failsAt(p, "validate/object-name", "stacks/price-sync.ts", "CronJob");
  });

  it("an object name of 253 characters is written (it no longer becomes a file name)", async () => {
    const p = copy();
    const name = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(61)}`;
    expect(name).toHaveLength(253);
    withObject(p, `{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "${name}" } }`);
    await synth({ root: p.root, skipTypecheck: true });
    expect(p.read("out/apps/price-sync/dev-1/manifest.yaml")).toContain(name);
  });
});

describe("names JavaScript objects already have", () => {
  it("waves, environments, clusters and teams named constructor, toString, valueOf and hasOwnProperty work", async () => {
    const p = makeProject({
      "stacks/platform.ts": `import { definePlatform } from "sluice";
export const platform = definePlatform({
  envRepo: { url: "https://git.example.com/env.git" },
  engine: "argocd",
  owners: ["@acme/platform"],
  environments: { constructor: { replicas: 1, resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "32Mi" } } }, valueof: {} },
  clusters: { tostring: { environment: "constructor", server: "https://a.example.com" }, "hasownproperty": { environment: "valueof", server: "https://b.example.com" } },
  waves: [{ name: "constructor", clusters: ["tostring"] }, { name: "valueof", clusters: ["hasownproperty"] }],
  teams: { constructor: { owners: ["@acme/t"], namespaces: ["t"] } },
});
`,
      "stacks/web.ts": `import { platform } from "./platform.js";
export default platform.app("web", { team: "constructor", image: "registry.example.com/web", release: { constructor: "1.0.0" } });
`,
    });
    const result = await synth({ root: p.root });
    expect(result.instances).toEqual([{ app: "web", cluster: "tostring" }]);
    expect(p.read("out/apps/web/tostring/manifest.yaml")).toContain("registry.example.com/web:1.0.0");
  });

  it('a probe on port "toString" is refused: the app declares no such port', async () => {
    const p = copy();
    edit(p, "stacks/payments.ts", 'readiness: { http: "/ready", port: "http" }', 'readiness: { http: "/ready", port: "toString" }');
    await failsAt(p, "resolve/probe-port", "stacks/payments.ts", 'port: "toString"');
  });
});

describe("autoscaling", () => {
  it("an HPA on CPU utilisation without a CPU request is refused at the autoscaling line", async () => {
    const p = copy();
    edit(
      p,
      "stacks/platform.ts",
      'resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },',
      'resources: { requests: { memory: "128Mi" }, limits: { memory: "256Mi" } },',
    );
    const finding = findingOf(await policyFailure(synth({ root: p.root, skipTypecheck: true })), "hpa-cpu-request");
    expect(finding.message).toMatch(
      /^HorizontalPodAutoscaler search targets CPU utilisation, but container search of Deployment search has no CPU request/,
    );
    // The place to add it: the resources the platform's staging environment sets.
    expect([finding.origin.file, finding.origin.line]).toEqual([
      "stacks/platform.ts",
      lineOf(p.read("stacks/platform.ts"), 'resources: { requests: { memory: "128Mi" }'),
    ]);
    expect(finding.clusters).toEqual(["staging-1"]);
  });

  it("a CPU limit alone is enough: Kubernetes sets the request to the limit", async () => {
    const p = copy();
    edit(
      p,
      "stacks/platform.ts",
      'resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },',
      'resources: { requests: { memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },',
    );
    // resources-required still asks for the request itself, which the platform turns off for staging.
    edit(
      p,
      "stacks/platform.ts",
      'registries: ["registry.example.com/"],',
      'registries: ["registry.example.com/"],\n    severity: { "resources-required": { environments: { staging: "off" } } },',
    );
    await synth({ root: p.root, skipTypecheck: true });
    expect(p.read("out/apps/search/staging-1/manifest.yaml")).toContain("kind: HorizontalPodAutoscaler");
  });
});
