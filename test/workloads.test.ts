/**
 * Workloads (issue 19, step 3): one table of where each kind keeps its pod
 * spec and replica count. An Argo Rollout, and a custom resource that
 * declares its pod spec, are held to the pod rules before merge and at
 * admission, and diff flags their releases and scaling like a Deployment's.
 */
import { simpleGit } from "simple-git";
import { beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import type { Deployment } from "kubernetes-types/apps/v1";
import type { PodSpec } from "kubernetes-types/core/v1";
import { checkPolicy, diff, isKind, podSpecOf, synth, type Finding, type KubernetesObject } from "sluice";
import type { CustomResources } from "../src/k8s/kinds.js";
import { checkRule } from "sluice/testing";
import { builtInRules } from "../lib/rules/index.js";
import { admission } from "../src/policy/admission-eval.js";
import { copyProject, type Project } from "./helpers/project.js";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { documents, emitted } from "./helpers/policies.js";
import { edit, failsAt, lineOf } from "./helpers/stack-edit.js";

let base: Project;
beforeAll(() => {
  base = synthesizedExample();
});

const ROLLOUTS = '  customResources: { "argoproj.io/v1alpha1": { Rollout: "Namespaced" } },\n';
const RUNNERS =
  '  customResources: { "ci.example.com/v1": { Runner: { scope: "Namespaced", plural: "runners", podSpec: "spec.runner.pod" } } },\n';

/** A project whose platform declares `customResources` (as written). */
function declaring(customResources: string): Project {
  const p = copyProject(base);
  edit(p, "stacks/platform.ts", '  owners: ["@acme/platform"],\n', `  owners: ["@acme/platform"],\n${customResources}`);
  return p;
}

/** Adds an object to price-sync's `objects` (it runs on dev-1 and staging-1). */
function withObject(p: Project, source: string): void {
  edit(p, "stacks/price-sync.ts", "  objects: [\n", `  objects: [\n    ${source},\n`);
}

const GOOD_POD = `{ securityContext: { runAsNonRoot: true }, containers: [{ name: "canary", image: "registry.example.com/storefront/canary:1.0.0", resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "32Mi" } } }] }`;
const BAD_POD = `{ hostNetwork: true, containers: [{ name: "canary", image: "docker.io/library/nginx:latest", securityContext: { privileged: true } }] }`;

const rollout = (name: string, pod: string, replicas = 2) =>
  `{ apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", metadata: { name: "${name}" }, spec: { replicas: ${replicas}, selector: { matchLabels: { app: "${name}" } }, template: { metadata: { labels: { app: "${name}" } }, spec: ${pod} } } } as never`;

/** The same objects as data, for admission. */
const asObject = (source: string): KubernetesObject => Function(`return (${source.replace(/ as never$/, "")})`)() as KubernetesObject;

const POD_RULES = ["approved-registries", "no-host-access", "no-mutable-image", "no-privileged", "resources-required", "run-as-non-root"];

function rulesOn(findings: readonly Finding[], file: string, line: number): string[] {
  return [...new Set(findings.filter((f) => f.origin.file === file && f.origin.line === line).map((f) => f.rule))].sort();
}

/**
 * Each rule's verdict at admission on a cluster for one object, from the
 * policies in out/; `plurals` are the resource names the API server knows
 * from the cluster's CRDs.
 */
function verdicts(
  p: Project,
  cluster: string,
  object: KubernetesObject,
  rules: readonly string[],
  plurals: CustomResources = {},
): Record<string, string> {
  const policies = emitted(p, cluster);
  return Object.fromEntries(
    rules.map((rule) => [
      rule,
      admission(policies.get(rule)!, { ...object, metadata: { ...object.metadata, namespace: "storefront-jobs" } }, {}, plurals),
    ]),
  );
}

describe("an Argo Rollout", () => {
  it("is held to the pod rules before merge, at its line, and the emitted admission policies refuse it", async () => {
    const p = declaring(ROLLOUTS);
    await synth({ root: p.root, skipTypecheck: true });
    const bad = asObject(rollout("canary", BAD_POD));
    expect(verdicts(p, "dev-1", bad, POD_RULES)).toEqual(Object.fromEntries(POD_RULES.map((rule) => [rule, "denied"])));
    // One that follows the rules is admitted; one that points at a Deployment (workloadRef) has no pod spec to judge.
    expect(verdicts(p, "dev-1", asObject(rollout("canary", GOOD_POD)), POD_RULES)).toEqual(
      Object.fromEntries(POD_RULES.map((rule) => [rule, "admitted"])),
    );
    const referring = {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Rollout",
      metadata: { name: "canary" },
      spec: { replicas: 2, workloadRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" } },
    };
    expect(verdicts(p, "dev-1", referring, POD_RULES)).toEqual(Object.fromEntries(POD_RULES.map((rule) => [rule, "ignored"])));

    withObject(p, rollout("canary", BAD_POD));
    withObject(
      p,
      `{ apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", metadata: { name: "by-ref" }, spec: { workloadRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" } } } as never`,
    );
    const { findings } = await checkPolicy({ root: p.root, skipTypecheck: true });
    const file = "stacks/price-sync.ts";
    expect(rulesOn(findings, file, lineOf(p.read(file), 'name: "canary" }'))).toEqual(expect.arrayContaining(POD_RULES));
    expect(rulesOn(findings, file, lineOf(p.read(file), 'name: "by-ref" }'))).toEqual([]);
  });

  it("diff flags its replica and image changes like a Deployment's", async () => {
    const p = declaring(ROLLOUTS);
    withObject(p, rollout("canary", GOOD_POD));
    p.write(".gitignore", "node_modules/\n");
    await synth({ root: p.root, skipTypecheck: true });
    const git = simpleGit(p.root);
    await git.init(["--initial-branch=main"]);
    await git.addConfig("user.email", "ci@example.com").addConfig("user.name", "CI");
    await git.add(".").commit("env repo");
    edit(p, "stacks/price-sync.ts", "spec: { replicas: 2,", "spec: { replicas: 3,");
    edit(p, "stacks/price-sync.ts", "storefront/canary:1.0.0", "storefront/canary:1.1.0");
    const result = await diff({ root: p.root, skipTypecheck: true });
    const notes = result.attention.filter((n) => n.cluster === "dev-1").map((n) => `${n.kind}: ${n.message}`);
    expect(notes).toEqual([
      "release: canary 1.0.0 → 1.1.0 on dev-1",
      "scale: Rollout storefront-jobs/canary: spec.replicas 2 → 3 on dev-1",
    ]);
  });
});

describe("a custom resource that declares its pod spec", () => {
  it("is held to the pod rules before merge and at admission", async () => {
    const p = declaring(RUNNERS);
    await synth({ root: p.root, skipTypecheck: true });
    const runner = (pod: string) =>
      `{ apiVersion: "ci.example.com/v1", kind: "Runner", metadata: { name: "builder" }, spec: { runner: { pod: ${pod} } } } as never`;
    const crd = { "ci.example.com/v1": { Runner: { scope: "Namespaced", plural: "runners" } } } as const;
    expect(verdicts(p, "dev-1", asObject(runner(BAD_POD)), POD_RULES, crd)).toEqual(
      Object.fromEntries(POD_RULES.map((rule) => [rule, "denied"])),
    );
    expect(verdicts(p, "dev-1", asObject(runner(GOOD_POD)), POD_RULES, crd)).toEqual(
      Object.fromEntries(POD_RULES.map((rule) => [rule, "admitted"])),
    );
    // The policy matches the declared resource by its plural.
    const policy = documents(p.read("out/clusters/dev-1/policies/no-privileged.yaml"))[0]!;
    expect(JSON.stringify(policy)).toContain(
      '{"apiGroups":["ci.example.com"],"apiVersions":["*"],"operations":["CREATE","UPDATE"],"resources":["runners"]}',
    );

    withObject(p, runner(BAD_POD));
    const { findings } = await checkPolicy({ root: p.root, skipTypecheck: true });
    const file = "stacks/price-sync.ts";
    expect(rulesOn(findings, file, lineOf(p.read(file), 'kind: "Runner"'))).toEqual(expect.arrayContaining(POD_RULES));
    const privileged = findings.find((f) => f.rule === "no-privileged" && f.origin.file === file)!;
    expect(privileged.origin.path).toEqual(expect.arrayContaining(["spec", "runner", "pod", "containers"]));
  });

  it("a pod-spec path that is not dotted field names is an error at its line", async () => {
    const p = declaring(
      '  customResources: { "ci.example.com/v1": { Runner: { scope: "Namespaced", plural: "runners", podSpec: "spec.template[0].spec" } } },\n',
    );
    const found = await failsAt(p, "validate/invalid", "stacks/platform.ts", "podSpec:");
    expect(found.message).toMatch(/must be a path of field names joined by dots, such as "spec\.template\.spec"/);
    expect(found.hint).toMatch(/without a leading dot, brackets or indexes/);
  });
});

describe("a rule's own test (sluice/testing)", () => {
  it("judges an Argo Rollout before merge and as admission, and the two agree", () => {
    const noPrivileged = builtInRules.find((rule) => rule.id === "no-privileged")!;
    if (noPrivileged.on !== "container") throw new Error("no-privileged is a container rule");
    const result = checkRule(noPrivileged, asObject(rollout("canary", BAD_POD)));
    expect(result.admission).toBe("denied");
    expect(result.violations.map((v) => v.field)).toEqual(["spec.template.spec.containers[0].securityContext"]);
  });
});

describe("isKind and podSpecOf", () => {
  it("narrow an object to its kubernetes-types interface and read the pod spec where the kind keeps it", () => {
    const object: KubernetesObject = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web" },
      spec: { selector: {}, template: { spec: { containers: [{ name: "web" }] } } },
    };
    if (isKind(object, "apps/v1", "Deployment")) {
      expectTypeOf(object.spec).toEqualTypeOf<Deployment["spec"]>();
      expect(object.spec?.template.spec?.containers[0]?.name).toBe("web");
    } else expect.unreachable();
    expect(isKind(object, "apps/v1", "StatefulSet")).toBe(false);
    expect(isKind(object, "extensions/v1beta1", "Deployment")).toBe(false);
    expectTypeOf(podSpecOf).returns.toEqualTypeOf<PodSpec | undefined>();
    expect(podSpecOf(object)?.containers.map((c) => c.name)).toEqual(["web"]);
    const cron = {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: "c" },
      spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: "job" }] } } } } },
    };
    expect(podSpecOf(cron)?.containers[0]?.name).toBe("job");
    const argo = {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Rollout",
      metadata: { name: "r" },
      spec: { template: { spec: { containers: [{ name: "r" }] } } },
    };
    expect(podSpecOf(argo)?.containers[0]?.name).toBe("r");
    expect(podSpecOf({ apiVersion: "v1", kind: "Service", metadata: { name: "s" }, spec: {} })).toBeUndefined();
  });
});
