/**
 * Policy, the other half (issue 9): the exported admission policies agree
 * with the pre-merge check, validate against their schemas and build with
 * kubectl; `sluice check` as CI runs it (exit codes, formats, golden text);
 * custom rules and sluice/testing.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { checkPolicy, plan, synth, type KubernetesObject, type Rule } from "sluice";
import { checkRule } from "sluice/testing";
import { builtInRules } from "../lib/rules/index.js";
import { schemaCheck as crdValidator } from "../src/k8s/schemas.js";
import { compilePolicy } from "../src/policy/admission-cel.js";
import { admission } from "../src/policy/admission-eval.js";
import { runCli } from "./helpers/cli.js";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { copyProject, REPO, type Project } from "./helpers/project.js";
import { documents, emitted } from "./helpers/policies.js";
import { schemaFor } from "./helpers/schemas.js";
import { edit, lineOf } from "./helpers/stack-edit.js";

let base: Project;
beforeAll(() => {
  base = synthesizedExample();
});

function sluice(cwd: string, ...args: string[]) {
  return runCli(args, { cwd, env: { NO_COLOR: "1", GITHUB_ACTIONS: "" } });
}

// The agreement of pre-merge and admission on every rule is test/policy-agreement.test.ts.
describe("pre-merge and admission agree", () => {
  it("an app's waiver is a match condition: admission ignores its objects, and others still get denied", async () => {
    const p = copyProject(base);
    edit(
      p,
      "stacks/payments.ts",
      "  ports: { http: 8080, metrics: 9090 },",
      '  ports: { http: 8080, metrics: 9090 },\n  waivers: { "approved-registries": { reason: "the vendor sidecar comes from its own registry" } },',
    );
    await synth({ root: p.root, skipTypecheck: true });
    const policy = emitted(p, "prod-eu-1").get("approved-registries")!;
    const foreign = (app: string, namespace: string): KubernetesObject => ({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: app, namespace, labels: { "app.kubernetes.io/instance": app } },
      spec: { template: { spec: { containers: [{ name: app, image: "quay.io/vendor/sidecar:2.0.0" }] } } },
    });
    // The match condition compiles as the API server compiles it.
    const vap = policy.find((o) => o.kind === "ValidatingAdmissionPolicy") as unknown as {
      spec: { matchConditions: { expression: string }[] };
    };
    // The waiver's, after the one that leaves a Rollout without a pod template (a workloadRef) to its Deployment's check.
    expect(vap.spec.matchConditions).toHaveLength(2);
    expect(() => compilePolicy({ variables: [], conditions: vap.spec.matchConditions.map((c) => c.expression) })).not.toThrow();
    expect(admission(policy, foreign("payments", "payments"))).toBe("ignored");
    expect(admission(policy, foreign("search", "storefront"))).toBe("denied");
  });

  it("the platform's custom rules are exported and agree too", async () => {
    const p = copyProject(base);
    fs.writeFileSync(path.join(p.root, "stacks/rules.ts"), COST_CENTER);
    edit(
      p,
      "stacks/platform.ts",
      'import { definePlatform } from "sluice";',
      'import { definePlatform } from "sluice";\nimport { costCenter } from "./rules.js";',
    );
    edit(
      p,
      "stacks/platform.ts",
      'registries: ["registry.example.com/"],',
      'registries: ["registry.example.com/"],\n    rules: [costCenter],',
    );
    const result = await synth({ root: p.root, skipTypecheck: true }).catch((e: { findings?: unknown }) => e);
    expect(
      (result as { findings: { rule: string; clusters: string[]; app: string }[] }).findings.map(
        (f) => `${f.rule} ${f.app} ${f.clusters.join(",")}`,
      ),
    ).toEqual([
      "cost-center-label catalog-api prod-ap-1,prod-eu-1,prod-us-1,prod-us-central-1,prod-us-west-1",
      // A rule on Deployments does not see the Rollouts Argo Rollouts runs checkout-web from (README, "Progressive delivery").
      "cost-center-label checkout-web prod-ap-1",
      "cost-center-label payments prod-ap-1,prod-eu-1,prod-us-1,prod-us-central-1,prod-us-west-1",
      "cost-center-label search prod-ap-1,prod-eu-1,prod-us-1,prod-us-central-1,prod-us-west-1",
    ]);
  });
});

describe("a platform rule written as a function", () => {
  it("runs on every instance, and a change to a helper it imports is seen through the caches", async () => {
    const p = copyProject(base);
    p.write("stacks/limits.ts", "export const MAX_REPLICAS = 10;\n");
    p.write(
      "stacks/rules.ts",
      `import { defineRule } from "sluice";
import { MAX_REPLICAS } from "./limits.js";

export const replicaCap = defineRule({
  id: "replica-cap",
  description: "No app runs more replicas than the platform's cap.",
  severity: "error",
  on: "instance",
  check({ app }) {
    const replicas = app.spec.replicas ?? 0;
    return replicas > MAX_REPLICAS ? [{ message: \`\${replicas} replicas is over the cap of \${MAX_REPLICAS}\`, setting: "replicas" }] : [];
  },
});
`,
    );
    edit(
      p,
      "stacks/platform.ts",
      'import { definePlatform } from "sluice";',
      'import { definePlatform } from "sluice";\nimport { replicaCap } from "./rules.js";',
    );
    edit(
      p,
      "stacks/platform.ts",
      'registries: ["registry.example.com/"],',
      'registries: ["registry.example.com/"],\n    rules: [replicaCap],',
    );
    expect((await checkPolicy({ root: p.root, skipTypecheck: true })).findings).toEqual([]);
    p.write("stacks/limits.ts", "export const MAX_REPLICAS = 3;\n");
    const findings = (await checkPolicy({ root: p.root, skipTypecheck: true })).findings;
    expect(findings.map((f) => `${f.rule} ${f.app} ${f.origin.file}:${f.origin.line} ${f.message}`)).toEqual([
      `replica-cap payments stacks/payments.ts:${lineOf(p.read("stacks/payments.ts"), "replicas: 4,")} 4 replicas is over the cap of 3`,
    ]);
    expect(findings).toEqual((await checkPolicy({ root: p.root, skipTypecheck: true, cache: false })).findings);
  });
});

describe("a platform rule that throws", () => {
  it("is reported naming the rule and where it ran, as the rule's fault, not sluice's, and nothing is written", async () => {
    const p = copyProject(base);
    p.write(
      "stacks/rules.ts",
      `import { defineRule } from "sluice";
export const broken = defineRule({
  id: "broken-rule",
  description: "Reads a field every app does not have.",
  severity: "error",
  on: "instance",
  check({ app }) {
    return (app.spec as unknown as { missing: { deep: string } }).missing.deep === "x" ? [] : [];
  },
});
`,
    );
    edit(
      p,
      "stacks/platform.ts",
      'import { definePlatform } from "sluice";',
      'import { definePlatform } from "sluice";\nimport { broken } from "./rules.js";',
    );
    edit(p, "stacks/platform.ts", 'registries: ["registry.example.com/"],', 'registries: ["registry.example.com/"],\n    rules: [broken],');
    const before = p.read("out/README.md");
    const result = await sluice(p.root, "synth", "--skip-typecheck");
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /stacks\/platform\.ts:\d+:\d+: error: policy\.rules\[0\]\.check: rule broken-rule threw on app catalog-api on cluster dev-1: .*deep/,
    );
    expect(result.stderr).not.toContain("internal error");
    expect(p.read("out/README.md")).toBe(before);
  });
});

const COST_CENTER = `import { defineRule } from "sluice";

export const costCenter = defineRule({
  id: "cost-center-label",
  description: "Every production workload says which cost center pays for it.",
  severity: "off",
  production: "error",
  on: "object",
  kinds: ["apps/Deployment", "apps/StatefulSet"],
  check: "has(object.metadata.labels) && 'cost-center' in object.metadata.labels",
  message: "set a cost-center label",
  field: ".metadata.labels",
});
`;

describe("emitted admission policies", () => {
  it("validate against their schemas (Kubernetes' and Kyverno's CRD) and build with kubectl kustomize", async () => {
    for (const engine of ["kubernetes", "kyverno"] as const) {
      const p = copyProject(base);
      if (engine === "kyverno") edit(p, "stacks/platform.ts", 'admission: "kubernetes",', 'admission: "kyverno",');
      await synth({ root: p.root, skipTypecheck: true });
      const dir = path.join(p.root, "out/clusters/prod-eu-1/policies");
      let count = 0;
      for (const file of fs.readdirSync(dir)) {
        if (file === "kustomization.yaml") continue;
        for (const object of documents(fs.readFileSync(path.join(dir, file), "utf8"))) {
          const validate = engine === "kyverno" ? crdValidator(object.apiVersion, object.kind) : undefined;
          if (validate) expect(validate(object), `${file}`).toEqual([]);
          else expect(() => schemaFor(object.apiVersion, object.kind)!(object), file).not.toThrow();
          count++;
        }
      }
      expect(count).toBeGreaterThan(8);
      const built = spawnSync("kubectl", ["kustomize", path.join(p.root, "out/clusters/prod-eu-1")], { encoding: "utf8" });
      expect(built.status, built.stderr).toBe(0);
      expect(built.stdout).toContain(engine === "kyverno" ? "kind: ValidatingPolicy" : "kind: ValidatingAdmissionPolicyBinding");
    }
  });

  it("admission none emits no policies, and the root's project allows no admission kinds", async () => {
    const p = copyProject(base);
    edit(p, "stacks/platform.ts", 'admission: "kubernetes",', 'admission: "none",');
    await synth({ root: p.root, skipTypecheck: true });
    expect(fs.existsSync(path.join(p.root, "out/clusters/prod-eu-1/policies"))).toBe(false);
    expect(p.read("out/clusters/prod-eu-1/projects/sluice-platform.yaml")).not.toContain("admissionregistration");
  });
});

describe("sluice check, as CI runs it", () => {
  it("the classic gate: :latest exits 1 naming file and line; the fix exits 0", async () => {
    const p = copyProject(base);
    edit(
      p,
      "stacks/price-sync.ts",
      "  objects: [\n",
      '  objects: [\n    { apiVersion: "v1", kind: "Pod", metadata: { name: "debug" }, spec: { securityContext: { runAsNonRoot: true }, containers: [{ name: "debug", image: "registry.example.com/debug:latest", resources: { requests: { cpu: "1m", memory: "8Mi" }, limits: { memory: "8Mi" } } }] } } as never,\n',
    );
    const failed = await sluice(p.root, "check");
    expect(failed.status, failed.stderr).toBe(1);
    const line = lineOf(p.read("stacks/price-sync.ts"), "debug:latest");
    expect(failed.stdout).toContain(`stacks/price-sync.ts\n  ${line}:`);
    expect(failed.stdout).toMatch(/error {2}no-mutable-image {2}objects\[0\]\.spec\.containers\[0\]\.image: container debug: /);
    edit(p, "stacks/price-sync.ts", "debug:latest", "debug:1.0.0");
    const fixed = await sluice(p.root, "check");
    expect(fixed.status, fixed.stdout + fixed.stderr).toBe(0);
    expect(fixed.stdout).toBe("0 errors, 0 warnings.\n");
  });

  it("the classic gate: removing resource limits exits 1 at the platform's line; restoring them exits 0", async () => {
    const p = copyProject(base);
    const original = 'limits: { cpu: "1", memory: "512Mi" } },\n      env: { LOG_LEVEL: "warn" }';
    edit(p, "stacks/platform.ts", original, 'limits: { cpu: "1" } },\n      env: { LOG_LEVEL: "warn" }');
    const failed = await sluice(p.root, "check", "--format", "json");
    expect(failed.status).toBe(1);
    const report = JSON.parse(failed.stdout) as { ok: boolean; findings: { rule: string; file: string; line: number; path: string }[] };
    expect(report.ok).toBe(false);
    expect(new Set(report.findings.map((f) => `${f.rule} ${f.file}:${f.line} ${f.path}`))).toEqual(
      new Set([
        `resources-required stacks/platform.ts:${lineOf(p.read("stacks/platform.ts"), 'limits: { cpu: "1" } }')} environments.prod.resources`,
      ]),
    );
    edit(p, "stacks/platform.ts", 'limits: { cpu: "1" } },\n      env: { LOG_LEVEL: "warn" }', original);
    expect((await sluice(p.root, "check")).status).toBe(0);
  });

  it("synth refuses with exit 1 and writes nothing; a broken stack is exit 2", async () => {
    const p = copyProject(base);
    edit(p, "stacks/checkout-web.ts", 'liveness: { http: "/api/health" } },', "},");
    const result = await sluice(p.root, "synth");
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/liveness-probe[\s\S]*policy errors?; nothing was written/);
    edit(p, "stacks/checkout-web.ts", "team:", "team: nonsense team:");
    expect((await sluice(p.root, "check")).status).toBe(2);
  });

  it("findings are stable in order and text (golden), in every format", async () => {
    const p = copyProject(base);
    edit(p, "stacks/checkout-web.ts", 'liveness: { http: "/api/health" } },', "},");
    edit(p, "stacks/payments.ts", "      replicas: 4,", "      replicas: 1,");
    edit(
      p,
      "stacks/price-sync.ts",
      "  objects: [\n",
      '  objects: [\n    { apiVersion: "v1", kind: "Pod", metadata: { name: "debug" }, spec: { containers: [{ name: "debug", image: "docker.io/busybox", securityContext: { privileged: true } }] } } as never,\n',
    );
    const text = await sluice(p.root, "check");
    const golden = path.join(REPO, "test/golden/check-findings.txt");
    if (process.env.UPDATE_GOLDEN) fs.writeFileSync(golden, text.stdout);
    expect(text.stdout).toBe(fs.readFileSync(golden, "utf8"));
    expect((await sluice(p.root, "check")).stdout).toBe(text.stdout);

    const github = (await sluice(p.root, "check", "--format", "github")).stdout.trim().split("\n");
    expect(github.at(-1)).toBe(text.stdout.trim().split("\n").at(-1));
    expect(github[0]).toMatch(/^::error file=stacks\/checkout-web\.ts,line=\d+,col=\d+,title=sluice liveness-probe::/);
    // Chosen by itself inside GitHub Actions.
    expect((await runCli(["check"], { cwd: p.root, env: { NO_COLOR: "1", GITHUB_ACTIONS: "true" } })).stdout.split("\n")[0]).toBe(
      github[0],
    );

    const sarif = JSON.parse((await sluice(p.root, "check", "--format", "sarif")).stdout);
    expect(sarif.version).toBe("2.1.0");
    const [run] = sarif.runs;
    expect(run.tool.driver.name).toBe("sluice");
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual([...builtInRules.map((r) => r.id), "waiver-expired"]);
    expect(run.results.length).toBe(github.length - 1);
    for (const result of run.results) {
      expect(run.tool.driver.rules[result.ruleIndex].id).toBe(result.ruleId);
      expect(result.locations[0].physicalLocation.artifactLocation.uri).toMatch(/^stacks\/.*\.ts$/);
      expect(result.locations[0].physicalLocation.region.startLine).toBeGreaterThan(0);
    }
  });
});

describe("sluice/testing", () => {
  const cel = builtInRules.find((r) => r.id === "run-as-non-root") as Extract<Rule, { on: "container" }>;
  const pod = (securityContext: object): KubernetesObject => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p" },
    spec: { securityContext, containers: [{ name: "app", image: "registry.example.com/app:1.0.0" }] },
  });

  it("runs a CEL rule before merge and as its admission policy", () => {
    expect(checkRule(cel, pod({ runAsNonRoot: true }))).toEqual({ violations: [], admission: "admitted" });
    // A bare Pod is only warned about at admission (it may carry injected sidecars); its workload would be denied.
    expect(checkRule(cel, pod({}))).toEqual({
      violations: [
        { message: "container app: the container may run as root: set runAsNonRoot: true", field: "spec.containers[0].securityContext" },
      ],
      admission: "warned",
    });
    expect(checkRule(cel, { apiVersion: "v1", kind: "Service", metadata: { name: "s" } })).toEqual({
      violations: [],
      admission: "ignored",
    });
  });

  it("runs instance and fleet rules on the input they see", async () => {
    const redundancy = builtInRules.find((r) => r.id === "production-redundancy")!;
    const planned = await plan({ root: REPO, skipTypecheck: true });
    const app = planned.resolved.find((r) => r.name === "payments" && r.cluster.name === "prod-eu-1")!;
    const objects = planned.plan.files.find((f) => f.path === "apps/payments/prod-eu-1/manifest.yaml")!;
    expect(checkRule(redundancy as Extract<Rule, { on: "instance" }>, { app, objects: documents(objects.content) })).toEqual([]);
    const deploymentOnly = documents(objects.content).filter((o) => o.kind === "Deployment");
    expect(
      checkRule(redundancy as Extract<Rule, { on: "instance" }>, {
        app: { ...app, spec: { ...app.spec, replicas: 1 } },
        objects: deploymentOnly,
      }),
    ).toEqual([
      { message: "1 replica; production needs at least 2", setting: "replicas" },
      { message: "no PodDisruptionBudget selects the pods of Deployment payments", object: deploymentOnly[0] },
    ]);
  });
});
