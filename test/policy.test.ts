/**
 * Policy (issue 9): every built-in rule broken and satisfied on a real
 * project, findings pointing at the stack line to change, waivers, severity,
 * custom rules, and the guarded namespaces.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { checkPolicy, synth, type Finding } from "sluice";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { copyProject, REPO, type Project } from "./helpers/project.js";
import { edit, lineOf, policyFailure, rejection, withoutCanary } from "./helpers/stack-edit.js";

let base: Project;
beforeAll(() => {
  base = synthesizedExample();
});

const copy = () => copyProject(base);
const check = (p: Project) => checkPolicy({ root: p.root, skipTypecheck: true });

/** A CronJob that breaks no rule, as TypeScript source; tests break one thing in it. */
const CRONJOB = `{ apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "reindex" }, spec: { schedule: "0 * * * *", jobTemplate: { spec: { template: { spec: {
      restartPolicy: "OnFailure",
      securityContext: { runAsNonRoot: true },
      containers: [{
        name: "reindex",
        image: "registry.example.com/storefront/reindex:1.0.0",
        resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "32Mi" } },
      }],
    } } } } } } as never`;

/** Adds an object to an app's `objects` (creating the list if the app has none). */
function withObject(p: Project, app: string, source: string): void {
  const file = `stacks/${app}.ts`;
  const text = p.read(file);
  if (text.includes("  objects: [\n")) edit(p, file, "  objects: [\n", `  objects: [\n    ${source},\n`);
  else edit(p, file, "  team: ", `  objects: [\n    ${source},\n  ],\n  team: `);
}

/** Findings as "rule file:line path (clusters)": what a person reads first. */
function summary(findings: readonly Finding[]): string[] {
  return findings.map(
    (f) => `${f.rule} ${f.origin.file}:${f.origin.line} ${JSON.stringify(f.origin.path ?? [])} (${f.clusters.join(",")})`,
  );
}

function only(findings: readonly Finding[], rule: string): Finding {
  const found = findings.filter((f) => f.rule === rule);
  expect(found, JSON.stringify(summary(findings))).toHaveLength(1);
  return found[0]!;
}

describe("the example platform", () => {
  it("is clean: no finding, nothing waived", async () => {
    const result = await checkPolicy({ root: REPO, skipTypecheck: true });
    expect(summary(result.findings)).toEqual([]);
    expect(result.waived).toBe(0);
  });

  it("a CronJob that follows every rule adds no finding", async () => {
    const p = copy();
    withObject(p, "price-sync", CRONJOB);
    expect(summary((await check(p)).findings)).toEqual([]);
  });
});

describe("each built-in rule, broken", () => {
  it("no-mutable-image: a raw object with :latest, at the image line", async () => {
    const p = copy();
    withObject(p, "price-sync", CRONJOB.replace("reindex:1.0.0", "reindex:latest"));
    const f = only((await check(p)).findings, "no-mutable-image");
    expect(f.message).toBe("container reindex: the image has no tag or uses `latest`, which moves: pin a version or a digest");
    expect([f.origin.file, f.origin.line]).toEqual(["stacks/price-sync.ts", lineOf(p.read("stacks/price-sync.ts"), "reindex:latest")]);
    expect(f.origin.path).toEqual(["objects", 0, "spec", "jobTemplate", "spec", "template", "spec", "containers", 0, "image"]);
    expect(f.clusters).toEqual(["dev-1", "staging-1"]);
    expect(f.object).toEqual({ kind: "CronJob", name: "reindex" });
  });

  it("no-mutable-image: an image with no tag at all", async () => {
    const p = copy();
    withObject(p, "price-sync", CRONJOB.replace("reindex:1.0.0", "reindex"));
    expect(only((await check(p)).findings, "no-mutable-image").origin.path?.at(-1)).toBe("image");
  });

  it("immutable-release-in-production: a floating tag is refused in production only", async () => {
    const p = copy();
    withObject(p, "catalog-api", CRONJOB.replace("reindex:1.0.0", "reindex:1.0"));
    const f = only((await check(p)).findings, "immutable-release-in-production");
    expect(f.clusters).toEqual(["prod-ap-1", "prod-eu-1", "prod-us-1", "prod-us-central-1", "prod-us-west-1"]);
    expect([f.origin.file, f.origin.line]).toEqual(["stacks/catalog-api.ts", lineOf(p.read("stacks/catalog-api.ts"), "reindex:1.0")]);
  });

  it("approved-registries: an image from a registry the platform did not approve", async () => {
    const p = copy();
    withObject(p, "price-sync", CRONJOB.replace("registry.example.com/storefront/reindex:1.0.0", "docker.io/library/busybox:1.36.1"));
    const f = only((await check(p)).findings, "approved-registries");
    expect(f.message).toBe("container reindex: the image is not from an approved registry");
    expect(f.origin.line).toBe(lineOf(p.read("stacks/price-sync.ts"), "busybox"));
  });

  it("resources-required: limits removed from the prod environment point at the platform's prod resources", async () => {
    const p = copy();
    // One Deployment per cluster: on the canary clusters checkout-web would be a Rollout, a finding of its own.
    withoutCanary(p);
    edit(
      p,
      "stacks/platform.ts",
      'limits: { cpu: "1", memory: "512Mi" } },\n      env: { LOG_LEVEL: "warn" }',
      'limits: { cpu: "1" } },\n      env: { LOG_LEVEL: "warn" }',
    );
    const findings = (await check(p)).findings.filter((f) => f.rule === "resources-required");
    // catalog-api and payments set their own prod resources; checkout-web and search take the environment's.
    expect(findings.map((f) => f.app)).toEqual(["checkout-web", "search"]);
    for (const f of findings) {
      expect([f.origin.file, f.origin.line]).toEqual([
        "stacks/platform.ts",
        lineOf(p.read("stacks/platform.ts"), 'limits: { cpu: "1" } }'),
      ]);
      expect(f.origin.path).toEqual(["environments", "prod", "resources"]);
      expect(f.clusters).toEqual(["prod-ap-1", "prod-eu-1", "prod-us-1", "prod-us-central-1", "prod-us-west-1"]);
    }
  });

  it("readiness-probe and liveness-probe: a serving app without them, at the app's probes", async () => {
    const p = copy();
    // One Deployment per cluster: on the canary clusters checkout-web would be a Rollout, a finding of its own.
    withoutCanary(p);
    edit(
      p,
      "stacks/checkout-web.ts",
      'probes: { readiness: { http: "/api/health" }, liveness: { http: "/api/health" } },',
      'probes: { readiness: { http: "/api/health" } },',
    );
    const findings = (await check(p)).findings;
    const f = only(findings, "liveness-probe");
    expect(f.message).toBe(
      "container checkout-web: the container serves on a port but has no liveness probe, so a hung process is never restarted",
    );
    expect([f.origin.file, f.origin.line, f.origin.path]).toEqual([
      "stacks/checkout-web.ts",
      lineOf(p.read("stacks/checkout-web.ts"), "probes:"),
      ["probes"],
    ]);
    expect(f.clusters).toEqual(["dev-1", "prod-ap-1", "prod-eu-1", "prod-us-1", "prod-us-central-1", "prod-us-west-1", "staging-1"]);
    expect(findings.filter((x) => x.rule === "readiness-probe")).toEqual([]);
  });

  it("hpa-cpu-request: an autoscaled app whose environment requests no CPU", async () => {
    const p = copy();
    edit(
      p,
      "stacks/platform.ts",
      'resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },',
      'resources: { requests: { memory: "128Mi" }, limits: { memory: "256Mi" } },',
    );
    const findings = (await check(p)).findings;
    const f = only(findings, "hpa-cpu-request");
    expect(f.app).toBe("search");
    expect(f.origin.path).toEqual(["environments", "staging", "resources"]);
  });

  it("no-privileged: a privileged container", async () => {
    const p = copy();
    withObject(
      p,
      "price-sync",
      CRONJOB.replace('name: "reindex",\n', 'name: "reindex",\n        securityContext: { privileged: true },\n'),
    );
    const f = only((await check(p)).findings, "no-privileged");
    expect(f.origin.line).toBe(lineOf(p.read("stacks/price-sync.ts"), "privileged: true"));
    expect(f.origin.path?.slice(-3)).toEqual(["containers", 0, "securityContext"]);
  });

  it("no-host-access: a pod on the host network", async () => {
    const p = copy();
    withObject(p, "price-sync", CRONJOB.replace('restartPolicy: "OnFailure",', 'restartPolicy: "OnFailure",\n      hostNetwork: true,'));
    const f = only((await check(p)).findings, "no-host-access");
    expect(f.origin.path).toEqual(["objects", 0, "spec", "jobTemplate", "spec", "template", "spec"]);
    expect(f.message).toBe("the pod uses a host namespace (hostNetwork, hostPID, hostIPC) or a hostPath volume");
  });

  it("no-host-access: a hostPath volume", async () => {
    const p = copy();
    withObject(
      p,
      "price-sync",
      CRONJOB.replace(
        'restartPolicy: "OnFailure",',
        'restartPolicy: "OnFailure",\n      volumes: [{ name: "docker", hostPath: { path: "/var/run/docker.sock" } }],',
      ),
    );
    only((await check(p)).findings, "no-host-access");
  });

  it("run-as-non-root: neither the pod nor the container says runAsNonRoot", async () => {
    const p = copy();
    withObject(p, "price-sync", CRONJOB.replace("securityContext: { runAsNonRoot: true },", ""));
    const f = only((await check(p)).findings, "run-as-non-root");
    expect(f.message).toBe("container reindex: the container may run as root: set runAsNonRoot: true");
  });

  it("required-labels: a label the platform requires and no app sets, at each app", async () => {
    const p = copy();
    edit(
      p,
      "stacks/platform.ts",
      'registries: ["registry.example.com/"],',
      'registries: ["registry.example.com/"],\n    requiredLabels: ["app.kubernetes.io/name", "cost-center"],',
    );
    const findings = (await check(p)).findings.filter((f) => f.rule === "required-labels" && f.app === "payments");
    expect(findings.map((f) => f.object?.kind).sort()).toEqual(["Deployment", "Service"]);
    expect(findings[0]!.origin.line).toBe(lineOf(p.read("stacks/payments.ts"), 'platform.app("payments"'));
  });

  it("production-redundancy: one replica in production, and so no PodDisruptionBudget", async () => {
    const p = copy();
    edit(p, "stacks/payments.ts", "      replicas: 4,", "      replicas: 1,");
    const findings = (await check(p)).findings.filter((f) => f.rule === "production-redundancy");
    // In line order: the missing PodDisruptionBudget at the app, then the replicas at the prod override.
    expect(findings.map((f) => f.message)).toEqual([
      "no PodDisruptionBudget selects the pods of Deployment payments",
      "1 replica; production needs at least 2",
    ]);
    expect(findings[0]!.origin.line).toBe(lineOf(p.read("stacks/payments.ts"), 'platform.app("payments"'));
    expect([findings[1]!.origin.line, findings[1]!.origin.path]).toEqual([
      lineOf(p.read("stacks/payments.ts"), "replicas: 1,"),
      ["environments", "prod", "replicas"],
    ]);
    expect(findings[1]!.clusters).toEqual(["prod-ap-1", "prod-eu-1", "prod-us-1", "prod-us-central-1", "prod-us-west-1"]);
  });

  it("no-cluster-scoped-objects: a ClusterRole without a grant", async () => {
    const p = copy();
    withObject(
      p,
      "price-sync",
      `{ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "reader" }, rules: [] } as never`,
    );
    const f = only((await check(p)).findings, "no-cluster-scoped-objects");
    expect(f.message).toBe(
      "ClusterRole reader is cluster-scoped, and team storefront is not granted rbac.authorization.k8s.io/ClusterRole",
    );
    expect(f.origin.path).toEqual(["objects", 0]);
  });

  it("unique-hosts: two apps claim one host on a cluster", async () => {
    const p = copy();
    const ingress = (name: string) =>
      `{ apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: "${name}" }, spec: { rules: [{ host: "www.example.com" }] } } as never`;
    withObject(p, "catalog-api", ingress("catalog"));
    withObject(p, "checkout-web", ingress("checkout"));
    const findings = (await check(p)).findings.filter((f) => f.rule === "unique-hosts");
    expect(findings.map((f) => `${f.app}: ${f.message}`)).toEqual([
      "catalog-api: host www.example.com is also claimed by checkout-web",
      "checkout-web: host www.example.com is also claimed by catalog-api",
    ]);
    expect(findings[0]!.origin.path).toEqual(["objects", 0, "spec", "rules", 0, "host"]);
    expect(findings[0]!.clusters).toEqual([
      "dev-1",
      "prod-ap-1",
      "prod-eu-1",
      "prod-us-1",
      "prod-us-central-1",
      "prod-us-west-1",
      "staging-1",
    ]);
  });
});

describe("synth with findings", () => {
  it("an error finding stops synth: nothing is written, and the next fix writes", async () => {
    const p = copy();
    const before = p.read("out/apps/checkout-web/prod-eu-1/manifest.yaml");
    edit(
      p,
      "stacks/platform.ts",
      'limits: { cpu: "1", memory: "512Mi" } },\n      env: { LOG_LEVEL: "warn" }',
      'limits: { cpu: "1" } },\n      env: { LOG_LEVEL: "warn" }',
    );
    const findings = await policyFailure(synth({ root: p.root, skipTypecheck: true }));
    expect(findings.every((f) => f.rule === "resources-required")).toBe(true);
    expect(p.read("out/apps/checkout-web/prod-eu-1/manifest.yaml")).toBe(before);
  });

  it("a warning does not stop synth, and the platform's severity applies per environment", async () => {
    const p = copy();
    // One Deployment per cluster: on the canary clusters checkout-web would be a Rollout, a finding of its own.
    withoutCanary(p);
    edit(
      p,
      "stacks/platform.ts",
      'registries: ["registry.example.com/"],',
      'registries: ["registry.example.com/"],\n    severity: { "liveness-probe": { severity: "warn", production: "error" } },',
    );
    edit(p, "stacks/checkout-web.ts", 'liveness: { http: "/api/health" } },', "},");
    const findings = await policyFailure(synth({ root: p.root, skipTypecheck: true }));
    expect(
      findings
        .filter((f) => f.rule === "liveness-probe")
        .map((f) => `${f.severity} ${f.clusters.join(",")}`)
        .sort(),
    ).toEqual(["error prod-ap-1,prod-eu-1,prod-us-1,prod-us-central-1,prod-us-west-1", "warn dev-1,staging-1"]);
    edit(p, "stacks/platform.ts", 'production: "error" } },', 'production: "warn" } },');
    const result = await synth({ root: p.root, skipTypecheck: true });
    expect(result.findings.map((f) => f.severity)).toEqual(["warn"]);
    // At admission, a warning warns and audits; it does not deny.
    expect(p.read("out/clusters/prod-eu-1/policies/liveness-probe.yaml")).toContain("validationActions:\n    - Warn\n    - Audit");
  });

  it("cached instances report their findings again, at the line they are on now", async () => {
    const p = copy();
    edit(p, "stacks/checkout-web.ts", 'liveness: { http: "/api/health" } },', "},");
    const first = (await checkPolicy({ root: p.root, skipTypecheck: true })).findings;
    edit(p, "stacks/checkout-web.ts", "export default", "// a comment that moves every line down\nexport default");
    const again = await checkPolicy({ root: p.root, skipTypecheck: true });
    expect(again.findings.map((f) => f.origin.line)).toEqual(first.map((f) => f.origin.line + 1));
    const uncached = await checkPolicy({ root: p.root, skipTypecheck: true, cache: false });
    expect(again.findings).toEqual(uncached.findings);
  });
});

describe("waivers", () => {
  const waive = (p: Project, waiver: string) =>
    edit(p, "stacks/checkout-web.ts", "  ports: { http: 3000 },", `  ports: { http: 3000 },\n  waivers: { ${waiver} },`);

  it("a waiver with a reason drops the finding, is listed in out/README.md and leaves the app out at admission", async () => {
    const p = copy();
    // One Deployment per cluster: on the canary clusters checkout-web would be a Rollout, a finding of its own.
    withoutCanary(p);
    edit(p, "stacks/checkout-web.ts", 'liveness: { http: "/api/health" } },', "},");
    waive(p, `"liveness-probe": { reason: "the Next.js server has no health route until 3.3 (WEB-88)", clusters: ["dev-1"] }`);
    const findings = await policyFailure(synth({ root: p.root, skipTypecheck: true }));
    expect(findings.filter((f) => f.rule === "liveness-probe").map((f) => f.clusters.join(","))).toEqual([
      "prod-ap-1,prod-eu-1,prod-us-1,prod-us-central-1,prod-us-west-1,staging-1",
    ]);
    edit(p, "stacks/checkout-web.ts", 'clusters: ["dev-1"] }', 'expires: "2999-12-31" }');
    const result = await synth({ root: p.root, skipTypecheck: true });
    expect(result.findings).toEqual([]);
    expect(result.waived).toBe(7);
    expect(p.read("out/README.md")).toContain(
      "| checkout-web | `liveness-probe` | all | 2999-12-31 | the Next.js server has no health route until 3.3 (WEB-88) |",
    );
    expect(p.read("out/clusters/prod-eu-1/policies/liveness-probe.yaml")).toContain(
      'request.namespace == \\"storefront\\" && (request.name in [\\"checkout-web\\"] || request.name.startsWith(\\"checkout-web-\\"))',
    );
  });

  it("an expired waiver is an error at its expiry date", async () => {
    const p = copy();
    waive(
      p,
      `"liveness-probe": {\n    reason: "the Next.js server has no health route until 3.3 (WEB-88)",\n    expires: "2020-01-31",\n  }`,
    );
    const findings = await policyFailure(synth({ root: p.root, skipTypecheck: true }));
    const f = only(findings, "waiver-expired");
    expect(f.message).toBe("the waiver of liveness-probe expired on 2020-01-31");
    expect([f.origin.file, f.origin.line]).toEqual(["stacks/checkout-web.ts", lineOf(p.read("stacks/checkout-web.ts"), "expires:")]);
  });

  it("a waiver of a rule that does not exist, or of one that cannot be waived, is refused at its line", async () => {
    const p = copy();
    waive(p, `"livenes-probe": { reason: "a typo in the rule id should not waive anything" }`);
    const [d] = await rejection(synth({ root: p.root, skipTypecheck: true }));
    expect([d!.code, d!.origin?.line]).toEqual(["validate/unknown-rule", lineOf(p.read("stacks/checkout-web.ts"), "livenes-probe")]);
    const q = copy();
    waive(q, `"no-cluster-scoped-objects": { reason: "we would like a ClusterRole please" }`);
    const [e] = await rejection(synth({ root: q.root, skipTypecheck: true }));
    expect(e!.code).toBe("validate/unwaivable-rule");
  });

  it("a waiver without a real reason is refused", async () => {
    const p = copy();
    waive(p, `"liveness-probe": { reason: "todo" }`);
    const [d] = await rejection(synth({ root: p.root, skipTypecheck: true }));
    expect(d!.message).toMatch(/say why/);
  });
});

describe("guarded namespaces", () => {
  it("Pod Security per environment (restricted in production), quota from the environment or the team, default deny", async () => {
    const p = copy();
    edit(p, "stacks/platform.ts", 'namespaces: ["payments"],', 'namespaces: ["payments"], quota: { "requests.cpu": "2", pods: 20 },');
    await synth({ root: p.root, skipTypecheck: true });
    const dev = p.read("out/clusters/dev-1/namespaces/storefront.yaml");
    const prod = p.read("out/clusters/prod-eu-1/namespaces/storefront.yaml");
    expect(dev).toContain("pod-security.kubernetes.io/enforce: baseline");
    expect(prod).toContain("pod-security.kubernetes.io/enforce: restricted");
    expect(dev).not.toContain("kind: ResourceQuota");
    expect(prod).toMatch(/kind: ResourceQuota[\s\S]*requests.cpu: "8"/);
    expect(p.read("out/clusters/dev-1/namespaces/payments.yaml")).toMatch(/kind: ResourceQuota[\s\S]*pods: "20"\n    requests.cpu: "2"/);
    for (const text of [dev, prod]) {
      expect(text).toContain("kind: NetworkPolicy\nmetadata:\n  name: sluice-default-deny");
      expect(text).toContain("kind: LimitRange");
    }
  });

  it("an app's callers get through on their ports; an app without callers gets no allow policy", async () => {
    const payments = base.read("out/apps/payments/prod-eu-1/manifest.yaml");
    const policy = payments.slice(payments.indexOf("kind: NetworkPolicy"));
    expect(policy).toContain("name: payments-callers");
    // checkout-web on http only, the monitoring namespace on metrics only (per-caller ports: see engine-fixes.test.ts).
    expect(policy).toMatch(
      /kubernetes.io\/metadata.name: storefront\n {10}podSelector:\n {12}matchLabels:\n {14}app.kubernetes.io\/name: checkout-web\n {6}ports:\n {8}- protocol: TCP\n {10}port: http\n/,
    );
    expect(policy).toMatch(/kubernetes.io\/metadata.name: monitoring\n {6}ports:\n {8}- protocol: TCP\n {10}port: metrics\n?$/);
    const catalog = base.read("out/apps/catalog-api/prod-eu-1/manifest.yaml");
    expect(catalog.slice(catalog.indexOf("kind: NetworkPolicy"))).toMatch(/ports:\n {8}- protocol: TCP\n {10}port: http/);
    expect(base.read("out/apps/price-sync/dev-1/manifest.yaml")).not.toContain("price-sync-callers");
  });

  it("a caller that is not an app is refused at its line", async () => {
    const p = copy();
    edit(p, "stacks/catalog-api.ts", 'callers: ["checkout-web"],', 'callers: ["checkout"],');
    const [d] = await rejection(synth({ root: p.root, skipTypecheck: true }));
    expect([d!.code, d!.origin?.line]).toEqual([
      "validate/unknown-caller",
      lineOf(p.read("stacks/catalog-api.ts"), 'callers: ["checkout"]'),
    ]);
    expect(d!.hint).toBe('did you mean "checkout-web"?');
  });
});
