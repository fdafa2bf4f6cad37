/**
 * Issue 18, items 13, 14, 17 and 18: platform rule functions that return
 * nonsense, too much or never; regular expressions that backtrack before
 * merge; waivers a team could borrow with a label; and the odd pod specs on
 * which `sluice check` and admission must agree.
 */
import { spawnSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { synth, type KubernetesObject, type Rule } from "sluice";
import { checkRule } from "sluice/testing";
import { builtInRules } from "../lib/rules/index.js";
import { compilePolicy } from "../src/policy/admission-cel.js";
import { admission } from "../src/policy/admission-eval.js";
import { oddPodSpecs } from "./helpers/odd-pods.js";
import { emitted } from "./helpers/policies.js";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { CLI, copyProject, type Project } from "./helpers/project.js";
import { edit, failsAt, policyFailure } from "./helpers/stack-edit.js";

type CelRule = Extract<Rule, { on: "object" | "pod" | "container" }>;

let base: Project;
beforeAll(() => {
  base = synthesizedExample();
});

/** A copy of the example whose platform has one more rule, written in stacks/rules.ts as `custom`. */
function withPlatformRule(rule: string): Project {
  const p = copyProject(base);
  p.write("stacks/rules.ts", `import { defineRule } from "sluice";\nexport const custom = defineRule(${rule});\n`);
  edit(
    p,
    "stacks/platform.ts",
    'import { definePlatform } from "sluice";',
    'import { definePlatform } from "sluice";\nimport { custom } from "./rules.js";',
  );
  edit(p, "stacks/platform.ts", 'registries: ["registry.example.com/"],', 'registries: ["registry.example.com/"],\n    rules: [custom],');
  return p;
}

const instanceRule = (body: string) => `{
  id: "custom-rule",
  description: "A platform rule.",
  severity: "error",
  on: "instance",
  check(input) {
    ${body}
  },
}`;

describe("13. a platform rule function that returns nonsense, too much or never", () => {
  const nonsense: [string, string, RegExp][] = [
    ["null", "return null as never;", /rule custom-rule returned null on app \S+ on cluster \S+, not a list of violations/],
    [
      "an object",
      'return { message: "x" } as never;',
      /rule custom-rule returned an object with keys message on app .*, not a list of violations/,
    ],
    ["a list holding null", "return [null] as never;", /rule custom-rule returned a list on app .* whose element 0 is null/],
    ["a violation without a message", "return [{ text: 'x' }] as never;", /whose element 0 has no message \(a string\)/],
  ];
  it.each(nonsense)("returning %s: exit 2 at the rule's line in policy.rules, nothing written", async (_what, body, message) => {
    const p = withPlatformRule(instanceRule(body));
    const found = await failsAt(p, "policy/rule-failed", "stacks/platform.ts", "rules: [custom],");
    expect(found.message).toMatch(message);
    expect(found.hint).toMatch(/return an array|each violation is an object/);
  });

  it("200,000 violations: the first 100 are reported, and how many more there are", async () => {
    const p = withPlatformRule(
      instanceRule(
        'return input.app.name === "payments" ? Array.from({ length: 200_000 }, (_, i) => ({ message: `violation ${i}` })) : [];',
      ),
    );
    const findings = (await policyFailure(synth({ root: p.root, skipTypecheck: true }))).filter((f) => f.rule === "custom-rule");
    const clusters = new Set(findings.flatMap((f) => f.clusters ?? []));
    expect(clusters.size).toBeGreaterThan(0);
    // Findings with one message on several clusters are merged: one per violation, plus the count of the rest.
    expect(findings.filter((f) => f.message.startsWith("violation ")).length).toBe(100);
    expect(
      findings.find((f) =>
        /^and 199900 more violations of this rule on this instance \(only the first 100 are reported\)$/.test(f.message),
      ),
    ).toBeDefined();
  });

  it("an endless loop: the CLI stops it after the time budget, exit 2 at the rule's line, out/ untouched", () => {
    const p = withPlatformRule(instanceRule("while (input.app.name.length > 0) {}\n    return [];"));
    const before = p.tree();
    const started = Date.now();
    const result = spawnSync(process.execPath, [CLI, "synth", "--root", p.root], { encoding: "utf8", timeout: 60_000 });
    expect(Date.now() - started).toBeLessThan(40_000);
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toMatch(
      /stacks\/platform\.ts:\d+:\d+: error: policy\.rules\[0\]\.check: rule custom-rule ran for more than 5 s on app \S+ on cluster \S+ and was stopped/,
    );
    expect(result.stderr).not.toMatch(/internal error/i);
    expect(p.tree()).toEqual(before);
  }, 90_000);
});

describe("14. regular expressions before merge are RE2's, as at admission", () => {
  const deployment = (annotation: string): KubernetesObject =>
    ({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "d", annotations: { owner: annotation } },
      spec: { template: { spec: { containers: [] } } },
    }) as KubernetesObject;
  const rule = (pattern: string) =>
    ({
      id: "owner-pattern",
      description: "d",
      severity: "error",
      on: "object",
      kinds: ["apps/Deployment"],
      check: `!has(object.metadata.annotations) || !('owner' in object.metadata.annotations) || !object.metadata.annotations['owner'].matches('${pattern}')`,
      message: "m",
    }) as const;

  it("nested quantifiers on a 70-character annotation take linear time, and both evaluators agree", () => {
    const started = Date.now();
    expect(checkRule(rule("^(a+)+$"), deployment(`${"a".repeat(69)}!`))).toEqual({ violations: [], admission: "admitted" });
    expect(checkRule(rule("^(a+)+$"), deployment("a".repeat(70))).admission).toBe("denied");
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it.each([
    "'A'.matches('(?i)a')",
    "!('A'.matches('(?i)b'))",
    "['A'].exists(e, e.matches('(?i)a'))",
    "['A'].all(e, e.matches('(?i)a'))",
    "true ? 'A'.matches('(?i)a') : false",
  ])("every form of a matches() call is RE2's before merge: %s", (check) => {
    const always = {
      id: "always",
      description: "d",
      severity: "error",
      on: "object",
      kinds: ["apps/Deployment"],
      check,
      message: "m",
    } as const;
    expect(checkRule(always, deployment("x"))).toEqual({ violations: [], admission: "admitted" });
  });

  it("(?i), valid in RE2, is accepted in a platform rule and matches case-insensitively before merge", async () => {
    expect(checkRule(rule("(?i)^PAY"), deployment("payments")).admission).toBe("denied");
    expect(checkRule(rule("(?i)^PAY"), deployment("payments")).violations).toHaveLength(1);
    const p = withPlatformRule(`{
  id: "custom-rule",
  description: "A platform rule.",
  severity: "error",
  on: "object",
  kinds: ["apps/Deployment"],
  check: "!object.metadata.name.matches('(?i)^PAYMENTS$')",
  message: "no app named payments",
}`);
    const findings = await policyFailure(synth({ root: p.root, skipTypecheck: true }));
    expect(findings.filter((f) => f.rule === "custom-rule").map((f) => f.app)).toEqual(["payments"]);
  });
});

describe("17. a waiver is matched at admission by namespace and name, never by a label the team sets", () => {
  it("a storefront pod labelled instance=payments does not inherit payments' waiver; payments' own objects do", async () => {
    const p = copyProject(base);
    edit(
      p,
      "stacks/payments.ts",
      "  ports: { http: 8080, metrics: 9090 },",
      '  ports: { http: 8080, metrics: 9090 },\n  waivers: { "approved-registries": { reason: "the vendor sidecar comes from its own registry" } },',
    );
    await synth({ root: p.root, skipTypecheck: true });
    const policy = emitted(p, "prod-eu-1").get("approved-registries")!;
    const vap = policy.find((o) => o.kind === "ValidatingAdmissionPolicy") as unknown as {
      spec: { matchConditions: { expression: string }[] };
    };
    expect(() => compilePolicy({ variables: [], conditions: vap.spec.matchConditions.map((c) => c.expression) })).not.toThrow();
    expect(vap.spec.matchConditions.map((c) => c.expression).join(" ")).not.toMatch(/labels/);
    const vendor = { containers: [{ name: "sidecar", image: "quay.io/vendor/sidecar:2.0.0" }] };
    const labels = { "app.kubernetes.io/instance": "payments", "app.kubernetes.io/name": "payments" };
    const deployment = (name: string, namespace: string) =>
      ({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name, namespace, labels },
        spec: { template: { spec: vendor } },
      }) as KubernetesObject;
    const pod = (name: string, namespace: string) =>
      ({ apiVersion: "v1", kind: "Pod", metadata: { name, namespace, labels }, spec: vendor }) as KubernetesObject;
    // Another team, borrowing the label (and even the name): judged.
    expect(admission(policy, deployment("storefront-cache", "storefront"))).toBe("denied");
    expect(admission(policy, deployment("payments", "storefront"))).toBe("denied");
    expect(admission(policy, pod("payments-7d9f8b-x2x4q", "storefront"))).toBe("warned");
    expect(admission(policy, deployment("payments", "storefront"), { namespace: "storefront" })).toBe("denied");
    // The app that waives the rule, in its namespace: its workload and the pods it creates.
    expect(admission(policy, deployment("payments", "payments"))).toBe("ignored");
    expect(admission(policy, pod("payments-7d9f8b-x2x4q", "payments"))).toBe("ignored");
  });
});

describe("18. pre-merge and admission agree on odd pod specs (absent, empty and null fields, init and ephemeral containers)", () => {
  const context = { registries: ["registry.example.com/"] };
  const celRules = builtInRules.filter((rule): rule is CelRule => rule.on === "object" || rule.on === "pod" || rule.on === "container");
  const corpus = oddPodSpecs();

  it.each(celRules.map((rule) => [rule.id, rule] as const))("%s: checkRule finds no disagreement on any of them", (_id, rule) => {
    const verdicts = corpus.map(([what, object]) => {
      try {
        return { what, ...checkRule(rule, object, context) };
      } catch (error) {
        return { what, error: error instanceof Error ? error.message : String(error) };
      }
    });
    expect(verdicts.filter((v) => "error" in v)).toEqual([]);
  });

  it("the corpus is not trivial: each rule refuses some of it, and null reads as absent, as the API server decodes it", () => {
    // The corpus is of workloads: the rules about Services and Ingresses are broken elsewhere (policy-agreement.test.ts).
    const podRules = celRules.filter(
      (rule) =>
        rule.on !== "object" || corpus.some(([, object]) => rule.kinds?.some((kind) => kind.split("/").pop() === object.kind) ?? true),
    );
    for (const rule of podRules)
      expect(
        corpus.some(([, object]) => checkRule(rule, object, context).violations.length > 0),
        rule.id,
      ).toBe(true);
    const byName = new Map(corpus);
    const noHost = celRules.find((rule) => rule.id === "no-host-access")!;
    expect(checkRule(noHost, byName.get("Deployment hostNetwork null")!, context)).toEqual({ violations: [], admission: "admitted" });
    expect(checkRule(noHost, byName.get("Deployment null volumes")!, context)).toEqual({ violations: [], admission: "admitted" });
    const resources = celRules.find((rule) => rule.id === "resources-required")!;
    const noContainers = checkRule(resources, byName.get("Deployment no containers key")!, context);
    expect(noContainers.admission).toBe("denied");
    expect(noContainers.violations.map((v) => v.message)).toEqual([expect.stringMatching(/the pod spec has no containers list/)]);
  });
});
