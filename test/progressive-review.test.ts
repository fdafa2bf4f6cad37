/**
 * Everything around a progressive plan that a reviewer and a release manager
 * see: `sluice diff` flags changes to how releases move, the wave gate can
 * require analyses on the wave before, `sluice status` shows where releases
 * move by a canary, and the rule progressive-delivery warns about big
 * production apps without a plan. Real git repositories, real synths.
 */
import { simpleGit } from "simple-git";
import { beforeAll, describe, expect, it } from "vitest";
import { checkPolicy, diff, gates, status, synth } from "sluice";
import { formatStatus } from "../src/promote/status.js";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { copyProject, exampleStacks, makeProject, type Project } from "./helpers/project.js";
import { setReleases } from "./helpers/releases.js";
import { edit, lineOf } from "./helpers/stack-edit.js";

/** GIVEN a project, committed on main in a fresh git repository (at `date`, when given). */
async function committed(p: Project, date?: Date): Promise<Project> {
  p.write(".gitignore", "node_modules/\n");
  const env = date ? { ...process.env, GIT_AUTHOR_DATE: date.toISOString(), GIT_COMMITTER_DATE: date.toISOString() } : process.env;
  const git = simpleGit(p.root).env(env);
  await git.init(["--initial-branch=main"]);
  await git.addConfig("user.email", "ci@example.com").addConfig("user.name", "CI");
  await git.add(".").commit("main");
  return p;
}

let base: Project;
beforeAll(() => {
  base = synthesizedExample();
});

describe("sluice diff calls out how releases move", () => {
  it("a changed step, on both controllers; an analysis's threshold", async () => {
    const p = await committed(copyProject(base));
    edit(p, "stacks/checkout-web.ts", '{ weight: 10, pause: "5m" }', '{ weight: 20, pause: "5m" }');
    edit(p, "stacks/checkout-web.ts", "args: { maxSeconds: 0.5 }", "args: { maxSeconds: 0.8 }");
    const result = await diff({ root: p.root, skipTypecheck: true });
    const notes = result.attention.filter((n) => n.kind === "progressive").map((n) => n.message);
    expect(notes).toEqual(
      expect.arrayContaining([
        "Rollout storefront/checkout-web: spec.strategy.canary.steps[0].setWeight 10 → 20 on prod-eu-1",
        "Canary storefront/checkout-web: spec.analysis.stepWeights[0] 10 → 20 on prod-ap-1",
        "AnalysisTemplate storefront/checkout-web-latency-p99: spec.metrics[latency-p99].successCondition result[0] <= 0.5 → result[0] <= 0.8 on prod-eu-1",
        "Canary storefront/checkout-web: spec.analysis.metrics[latency-p99].thresholdRange.max 0.5 → 0.8 on prod-ap-1",
      ]),
    );
    expect(result.attention.find((n) => n.kind === "progressive")!.production).toBe(true);
    expect(notes.filter((n) => n.endsWith("on dev-1") || n.endsWith("on staging-1"))).toEqual([]);
  });

  it("an app that starts a plan: a Deployment turning into a Rollout, and Flagger taking one over", async () => {
    const p = await committed(copyProject(base));
    edit(
      p,
      "stacks/catalog-api.ts",
      '  callers: ["checkout-web"],',
      '  callers: ["checkout-web"],\n  progressive: { blueGreen: { analysis: ["error-rate"] } },',
    );
    const notes = (await diff({ root: p.root, skipTypecheck: true })).attention
      .filter((n) => n.kind === "progressive")
      .map((n) => n.message);
    expect(notes).toContainEqual(
      expect.stringMatching(/^catalog-api moves from a Deployment to an Argo Rollouts Rollout: .* on prod-eu-1$/),
    );
    expect(notes).toContain(
      "Canary storefront/catalog-api added: Flagger copies Deployment catalog-api to catalog-api-primary, takes over its Service and route, and scales the Deployment to zero on prod-ap-1",
    );
    expect(notes).toContain("AnalysisTemplate storefront/catalog-api-error-rate added on prod-eu-1");
  });
});

/** Wednesday 2026-11-04, 09:00 UTC: catalog-api 2.4.2 reaches prod-canary; prod runs 2.4.1. */
const T0 = new Date("2026-11-04T09:00:00Z");
/** Thursday noon, a day later: prod's 24h soak is met, and no freeze is on. */
const THURSDAY = new Date("2026-11-05T12:00:00Z");

describe("the wave gate can require analyses on the wave before", () => {
  /** GIVEN catalog-api 2.4.2 in prod-canary since T0, and the prod wave's gate wanting analyses. */
  async function gated(plan?: string): Promise<Project> {
    const p = makeProject(exampleStacks());
    setReleases(p, "catalog-api", { dev: "2.4.2", staging: "2.4.2", "prod-canary": "2.4.2", prod: "2.4.1" });
    edit(
      p,
      "stacks/platform.ts",
      'gate: { soak: "24h", approvers: ["@acme/release"] },\n    },',
      'gate: { soak: "24h", approvers: ["@acme/release"], analyses: true },\n    },',
    );
    if (plan) edit(p, "stacks/catalog-api.ts", '  callers: ["checkout-web"],', `  callers: ["checkout-web"],\n  progressive: ${plan},`);
    await synth({ root: p.root, skipTypecheck: true });
    await committed(p, T0);
    setReleases(p, "catalog-api", { dev: "2.4.2", staging: "2.4.2", "prod-canary": "2.4.2", prod: "2.4.2" });
    return p;
  }

  it("closed for an app no analysis judged in prod-canary, at the release's line, and status says why", async () => {
    const p = await gated();
    const result = await gates({ root: p.root, base: "main", now: THURSDAY });
    expect(result.changes).toEqual([{ app: "catalog-api", wave: "prod", from: "2.4.1", to: "2.4.2", allowed: false }]);
    const [finding] = result.findings;
    expect(finding).toMatchObject({
      code: "gates/closed",
      message: "no analysis judges catalog-api in prod-canary on prod-eu-1: the gate wants the release checked by its analyses there first",
      origin: { file: "stacks/releases/prod/catalog-api.ts", line: lineOf(p.read("stacks/releases/prod/catalog-api.ts"), '"2.4.2"') },
    });
    // Before the edit, status shows the promotion blocked for the same reason.
    await simpleGit(p.root).raw(["checkout", "--", "."]);
    const next = (await status({ root: p.root, now: THURSDAY })).apps.find((a) => a.app === "catalog-api")!.next;
    expect(next).toMatchObject({
      state: "blocked",
      to: "prod",
      reason: expect.stringContaining("no analysis judges catalog-api in prod-canary"),
    });
  });

  it("open once the app's plan runs an analysis there; a plan without one is not enough", async () => {
    expect(
      (await gates({ root: (await gated('{ blueGreen: { analysis: ["error-rate"] } }')).root, base: "main", now: THURSDAY })).findings,
    ).toEqual([]);
    const bare = await gates({ root: (await gated("{ blueGreen: {} }")).root, base: "main", now: THURSDAY });
    expect(bare.findings.map((f) => f.code)).toEqual(["gates/closed"]);
  });
});

describe("sluice status shows where releases move progressively", () => {
  it("per wave: the strategy, and on how many of its clusters when not all; JSON names each cluster's controller", async () => {
    const p = await committed(copyProject(base));
    const result = await status({ root: p.root });
    const checkout = result.apps.find((a) => a.app === "checkout-web")!;
    expect(checkout.waves.find((w) => w.wave === "prod")!.progressive).toEqual([
      { cluster: "prod-ap-1", controller: "flagger", strategy: "canary" },
      { cluster: "prod-us-1", controller: "argo-rollouts", strategy: "canary" },
      { cluster: "prod-us-central-1", controller: "argo-rollouts", strategy: "canary" },
      { cluster: "prod-us-west-1", controller: "argo-rollouts", strategy: "canary" },
    ]);
    expect(checkout.waves.find((w) => w.wave === "dev")!.progressive).toBeUndefined();
    const row = formatStatus(result, false)
      .split("\n")
      .find((line) => line.startsWith("checkout-web"))!;
    expect(row).toMatch(/3\.2\.0 \([^)]*\) canary +3\.1\.4 \([^)]*\) canary/);
    // Stopped on one of prod's clusters: "canary on 3/4".
    edit(p, "stacks/checkout-web.ts", '    "prod-us-1": { env:', '    "prod-us-1": { progressive: false, env:');
    const partial = formatStatus(await status({ root: p.root }), false);
    expect(partial.split("\n").find((line) => line.startsWith("checkout-web"))).toContain("canary on 3/4");
  });
});

describe("the rule progressive-delivery", () => {
  it("warns in production about a service that runs more pods than policy.progressiveAbove without a plan, at the setting's line", async () => {
    const p = copyProject(base);
    const text = edit(
      p,
      "stacks/platform.ts",
      '    registries: ["registry.example.com/"],',
      '    registries: ["registry.example.com/"],\n    progressiveAbove: 3,',
    );
    expect(text).toContain("progressiveAbove: 3");
    const findings = (await checkPolicy({ root: p.root, skipTypecheck: true })).findings.filter((f) => f.rule === "progressive-delivery");
    expect(findings.map((f) => `${f.severity} ${f.app} ${f.origin.file}:${f.origin.line} ${f.message}`)).toEqual([
      `warn payments stacks/payments.ts:${lineOf(p.read("stacks/payments.ts"), "replicas: 4,")} runs 4 pods in production and every release reaches them all at once`,
      `warn search stacks/search.ts:${lineOf(p.read("stacks/search.ts"), "prod: { autoscaling: { min: 4")} autoscales from 4 pods in production and every release reaches them all at once`,
    ]);
    expect(findings.every((f) => f.clusters.every((c) => c.startsWith("prod-")))).toBe(true);
    // With the default threshold (4) the example is quiet: checkout-web has its plan, and no other service runs more.
    expect((await checkPolicy({ root: base.root, skipTypecheck: true })).findings.filter((f) => f.rule === "progressive-delivery")).toEqual(
      [],
    );
  });
});
