/**
 * Admission as a real API server would do it (issue 16): the emitted policies,
 * read back from out/, compiled and evaluated by a second CEL implementation
 * (@bufbuild/cel with RE2), agree with `sluice check` (cel-js) on the example
 * fleet and a corpus that breaks every rule; expressions the API server would
 * not compile are input errors at the rule's definition; pods carry sidecars
 * nobody reviewed, and `kubectl debug` containers are judged too (defect 7).
 */
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { plan, synth, type KubernetesObject, type Rule } from "sluice";
import { checkRule } from "sluice/testing";
import { builtInRules } from "../lib/rules/index.js";
import { compilePolicy } from "../src/policy/admission-cel.js";
import { admission, type AdmissionRequest } from "../src/policy/admission-eval.js";
import { disagreement } from "../src/policy/agreement.js";
import { celFailures } from "../src/policy/evaluate.js";
import { objectTypes } from "../src/policy/kind-schemas.js";
import { validate } from "../src/pipeline/validate/validate.js";
import { compileBuiltIns } from "../src/policy/compile-built-ins.js";
import { builtInRuleOrigin } from "../src/policy/rule-origin.js";
import { policyContext } from "../src/testing.js";
import { loaded, platformSpec } from "./helpers/model.js";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { copyProject, REPO, type Project } from "./helpers/project.js";
import { documents, emitted } from "./helpers/policies.js";
import { edit, failsAt, lineOf } from "./helpers/stack-edit.js";

type CelRule = Extract<Rule, { on: "object" | "pod" | "container" }>;
const celRules = builtInRules.filter((rule): rule is CelRule => rule.on === "object" || rule.on === "pod" || rule.on === "container");
const context = policyContext({ registries: ["registry.example.com/"] });

let base: Project;
beforeAll(() => {
  base = synthesizedExample();
});

const REGISTRY = "registry.example.com/payments/api";
const resources = { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } };
const good = (name: string, extra: object = {}) => ({
  name,
  image: `registry.example.com/${name}:1.0.0`,
  resources,
  securityContext: { allowPrivilegeEscalation: false },
  ...extra,
});
const podSpec = (spec: object) => ({ securityContext: { runAsNonRoot: true }, containers: [good("app")], ...spec });
const labels = { "app.kubernetes.io/name": "x", "app.kubernetes.io/part-of": "x" };
const workload = (apiVersion: string, kind: string, name: string, spec: object): KubernetesObject =>
  ({
    apiVersion,
    kind,
    metadata: { name, labels },
    spec:
      kind === "CronJob"
        ? { schedule: "@daily", jobTemplate: { spec: { template: { spec: podSpec(spec) } } } }
        : { template: { spec: podSpec(spec) } },
  }) as KubernetesObject;

/** The example fleet's objects, and at least 40 variants that break each rule in turn, with regex and optional-field cases. */
async function corpus(): Promise<KubernetesObject[]> {
  const planned = await plan({ root: REPO, skipTypecheck: true });
  const rendered = planned.plan.files.filter((f) => f.path.startsWith("apps/")).flatMap((f) => documents(f.content));
  const deployment = rendered.find((o) => o.kind === "Deployment" && o.metadata.name === "payments")!;
  const mutate = (name: string, change: (d: any) => void): KubernetesObject => {
    const copy = structuredClone(deployment) as any;
    copy.metadata.name = name;
    change(copy);
    return copy;
  };
  const pod = (d: any) => d.spec.template.spec;
  const container = (d: any) => pod(d).containers[0];
  const variants: KubernetesObject[] = [
    mutate("latest", (d) => (container(d).image = `${REGISTRY}:latest`)),
    mutate("untagged", (d) => (container(d).image = REGISTRY)),
    mutate("floating", (d) => (container(d).image = `${REGISTRY}:1.6`)),
    mutate("v-prefixed", (d) => (container(d).image = `${REGISTRY}:v1.6.3`)),
    mutate("prerelease", (d) => (container(d).image = `${REGISTRY}:1.6.3-rc.1`)),
    mutate("digest", (d) => (container(d).image = `${REGISTRY}@sha256:${"a".repeat(64)}`)),
    mutate("port-no-tag", (d) => (container(d).image = "registry.example.com:5000/payments/api")),
    mutate("foreign", (d) => (container(d).image = "docker.io/library/nginx:1.27.0")),
    mutate("upper-registry", (d) => (container(d).image = "REGISTRY.example.com/payments/api:1.6.3")),
    mutate("unicode-image", (d) => (container(d).image = "registry.example.com/paiements/é:1.6.3")),
    mutate("no-limits", (d) => delete container(d).resources.limits),
    mutate("no-resources", (d) => delete container(d).resources),
    mutate("empty-resources", (d) => (container(d).resources = {})),
    mutate("empty-requests", (d) => (container(d).resources.requests = {})),
    mutate("no-liveness", (d) => delete container(d).livenessProbe),
    mutate("no-readiness", (d) => delete container(d).readinessProbe),
    mutate("no-ports-no-probes", (d) => {
      delete container(d).ports;
      delete container(d).readinessProbe;
      delete container(d).livenessProbe;
    }),
    mutate("empty-ports-no-probes", (d) => {
      container(d).ports = [];
      delete container(d).readinessProbe;
    }),
    mutate("privileged", (d) => (container(d).securityContext.privileged = true)),
    mutate("privileged-false", (d) => (container(d).securityContext.privileged = false)),
    mutate("escalation", (d) => (container(d).securityContext.allowPrivilegeEscalation = true)),
    mutate("empty-security-context", (d) => (container(d).securityContext = {})),
    mutate("host-pid", (d) => (pod(d).hostPID = true)),
    mutate("host-network-false", (d) => (pod(d).hostNetwork = false)),
    mutate("host-ipc", (d) => (pod(d).hostIPC = true)),
    mutate("host-path", (d) => (pod(d).volumes = [{ name: "h", hostPath: { path: "/" } }])),
    mutate("empty-volumes", (d) => (pod(d).volumes = [])),
    mutate("no-run-as-non-root", (d) => delete pod(d).securityContext.runAsNonRoot),
    mutate("no-pod-security-context", (d) => delete pod(d).securityContext),
    mutate("container-overrides-root", (d) => (container(d).securityContext.runAsNonRoot = false)),
    mutate("uid-0", (d) => (container(d).securityContext.runAsUser = 0)),
    mutate("no-part-of", (d) => delete d.metadata.labels["app.kubernetes.io/part-of"]),
    mutate("empty-label", (d) => (d.metadata.labels["app.kubernetes.io/part-of"] = "")),
    mutate("empty-labels", (d) => (d.metadata.labels = {})),
    mutate("no-labels", (d) => delete d.metadata.labels),
    mutate("init-latest", (d) => (pod(d).initContainers = [{ ...good("init"), image: "registry.example.com/payments/migrate:latest" }])),
    mutate("init-no-resources", (d) => (pod(d).initContainers = [{ name: "init", image: "registry.example.com/payments/migrate:1.0.0" }])),
    mutate("init-privileged", (d) => (pod(d).initContainers = [good("init", { securityContext: { privileged: true } })])),
    mutate("empty-init", (d) => (pod(d).initContainers = [])),
    workload("apps/v1", "StatefulSet", "sts-root", { containers: [good("db", { securityContext: { runAsUser: 0 } })] }),
    workload("apps/v1", "DaemonSet", "ds-host", { hostNetwork: true }),
    workload("apps/v1", "ReplicaSet", "rs-foreign", { containers: [good("app", { image: "quay.io/x/y:1.0.0" })] }),
    workload("batch/v1", "Job", "job-untagged", { containers: [good("job", { image: "registry.example.com/job" })] }),
    workload("batch/v1", "Job", "job-no-containers", { containers: [] }),
    workload("batch/v1", "CronJob", "cron-host", { hostNetwork: true, initContainers: [good("init", { image: "busybox" })] }),
    workload("apps/v1", "Deployment", "ports-no-probes", { containers: [good("web", { ports: [{ containerPort: 8080 }] })] }),
    {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "bare-privileged" },
      spec: podSpec({ containers: [good("c", { securityContext: { privileged: true } })] }),
    } as KubernetesObject,
    { apiVersion: "v1", kind: "Service", metadata: { name: "bare" }, spec: { ports: [{ port: 80 }] } } as KubernetesObject,
    { apiVersion: "v1", kind: "Service", metadata: { name: "labelled", labels }, spec: { ports: [{ port: 80 }] } } as KubernetesObject,
    // Issue 18 item 19: Services, Ingresses and the pod-making kinds the pod rules missed.
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "external-ips", labels },
      spec: { ports: [{ port: 80 }], externalIPs: ["10.0.0.1"] },
    } as KubernetesObject,
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "fixed-ip", labels },
      spec: { type: "LoadBalancer", ports: [{ port: 80 }], loadBalancerIP: "203.0.113.1" },
    } as KubernetesObject,
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "fixed-ip-annotation", labels, annotations: { "metallb.io/loadBalancerIPs": "203.0.113.1" } },
      spec: { type: "LoadBalancer", ports: [{ port: 80 }] },
    } as KubernetesObject,
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: { name: "wildcard" },
      spec: { rules: [{ host: "*.example.com" }] },
    } as KubernetesObject,
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: { name: "hostless" },
      spec: { rules: [{ http: { paths: [] } }] },
    } as KubernetesObject,
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: { name: "named" },
      spec: { rules: [{ host: "shop.example.com" }] },
    } as KubernetesObject,
    {
      apiVersion: "v1",
      kind: "ReplicationController",
      metadata: { name: "rc-host", labels },
      spec: { template: { spec: podSpec({ hostNetwork: true }) } },
    } as KubernetesObject,
    {
      apiVersion: "v1",
      kind: "PodTemplate",
      metadata: { name: "template-privileged", labels },
      template: { spec: podSpec({ containers: [good("c", { securityContext: { privileged: true } })] }) },
    } as KubernetesObject,
    // Issue 19: an Argo Rollout (declared by the platform) is a workload like a Deployment; one with a workloadRef has no pod spec of its own.
    workload("argoproj.io/v1alpha1", "Rollout", "rollout-privileged", {
      containers: [good("app", { securityContext: { privileged: true } })],
    }),
    workload("argoproj.io/v1alpha1", "Rollout", "rollout-host", { hostNetwork: true }),
    workload("argoproj.io/v1alpha1", "Rollout", "rollout-latest", {
      containers: [good("app", { image: "registry.example.com/app:latest" })],
    }),
    workload("argoproj.io/v1alpha1", "Rollout", "rollout-ports-no-probes", {
      containers: [good("web", { ports: [{ containerPort: 8080 }] })],
    }),
    workload("argoproj.io/v1alpha1", "Rollout", "rollout-good", {}),
    {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Rollout",
      metadata: { name: "rollout-by-ref", labels },
      spec: { workloadRef: { apiVersion: "apps/v1", kind: "Deployment", name: "payments" } },
    } as KubernetesObject,
    meshInjected(),
    // After `kubectl debug`, as an UPDATE of the Pod itself shows it: ephemeral containers are judged on their own subresource only.
    {
      ...meshInjected(),
      metadata: { name: "debugged" },
      spec: { ...(meshInjected() as unknown as { spec: object }).spec, ephemeralContainers: [{ name: "debugger", image: "busybox" }] },
    } as KubernetesObject,
  ];
  expect(variants.length).toBeGreaterThanOrEqual(40);
  return [...rendered, ...variants];
}

/** A pod as the API server sees it after a mesh's injection webhook: a sidecar and an init container from the mesh's registry, the init one as root. */
function meshInjected(): KubernetesObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "payments-7d9f-abcde", labels: { "app.kubernetes.io/instance": "payments" } },
    spec: podSpec({
      initContainers: [
        {
          name: "istio-init",
          image: "docker.io/istio/proxyv2:1.24.0",
          securityContext: { runAsUser: 0, runAsNonRoot: false, capabilities: { add: ["NET_ADMIN"] } },
        },
      ],
      containers: [
        good("payments"),
        { name: "istio-proxy", image: "docker.io/istio/proxyv2:1.24.0", securityContext: { runAsUser: 1337 } },
      ],
    }),
  } as KubernetesObject;
}

describe("pre-merge and admission agree (two CEL implementations)", () => {
  it.each(["kubernetes", "kyverno"] as const)(
    "every built-in CEL rule, as %s admission evaluated by @bufbuild/cel with RE2, refuses exactly what sluice check refuses",
    async (engine) => {
      const p = copyProject(base);
      if (engine === "kyverno") edit(p, "stacks/platform.ts", 'admission: "kubernetes",', 'admission: "kyverno",');
      edit(
        p,
        "stacks/platform.ts",
        '  owners: ["@acme/platform"],\n',
        '  owners: ["@acme/platform"],\n  customResources: { "argoproj.io/v1alpha1": { Rollout: "Namespaced" } },\n',
      );
      await synth({ root: p.root, skipTypecheck: true });
      const policies = emitted(p, "prod-eu-1");
      expect([...policies.keys()].sort()).toEqual(celRules.map((r) => r.id).sort());
      const objects = await corpus();
      let refused = 0;
      for (const rule of celRules) {
        const objectsOfRule = policies.get(rule.id)!;
        // Every emitted expression compiles as the API server would compile it.
        for (const policy of objectsOfRule.filter((o) => o.kind !== "ValidatingAdmissionPolicyBinding")) {
          const spec = (
            policy as unknown as {
              spec: {
                variables?: { name: string; expression: string }[];
                validations: { expression: string }[];
                matchConditions?: { expression: string }[];
              };
            }
          ).spec;
          expect(
            () =>
              compilePolicy({
                variables: spec.variables ?? [],
                conditions: [...spec.validations, ...(spec.matchConditions ?? [])].map((v) => v.expression),
              }),
            rule.id,
          ).not.toThrow();
        }
        for (const object of objects) {
          const preMerge = celFailures(rule, object, { context }).length > 0;
          const verdict = admission(objectsOfRule, object);
          const what = `${rule.id} on ${object.kind} ${object.metadata.name}: pre-merge ${preMerge}, admission ${verdict}`;
          expect(verdict === "denied" || verdict === "warned", what).toBe(preMerge);
          // Deny for what review saw (production severity is error for every rule here); bare Pods are only warned about.
          if (preMerge) expect(verdict, what).toBe(object.kind === "Pod" ? "warned" : "denied");
          if (preMerge) refused++;
        }
      }
      // The corpus breaks every rule at least once: an agreement on "all pass" would prove nothing.
      for (const rule of celRules)
        expect(
          objects.some((o) => celFailures(rule, o, { context }).length > 0),
          rule.id,
        ).toBe(true);
      expect(refused).toBeGreaterThan(celRules.length * 3);
    },
  );

  it("the disagreement check finds an expression the two evaluators read differently, at the rule, in checkRule", () => {
    // cel-js lower-cases non-ASCII letters in lowerAscii(); CEL (and @bufbuild/cel) only ASCII ones.
    const lowerOwner = {
      id: "lower-case-owner",
      description: "The owner annotation is lower-case.",
      severity: "error",
      on: "object",
      kinds: ["apps/Deployment"],
      check:
        "!has(object.metadata.annotations) || !('owner' in object.metadata.annotations) || object.metadata.annotations['owner'] == object.metadata.annotations['owner'].lowerAscii()",
      message: "write the owner in lower case",
    } satisfies CelRule;
    const deployment = (owner: string) => {
      const object = workload("apps/v1", "Deployment", "d", {}) as KubernetesObject & {
        metadata: { annotations?: Record<string, string> };
      };
      object.metadata.annotations = { owner };
      return object;
    };
    const ascii = deployment("elise");
    expect(checkRule(lowerOwner, ascii)).toEqual({ violations: [], admission: "admitted" });
    const accented = deployment("Élise");
    expect(disagreement(lowerOwner, accented, context)).toMatch(
      /sluice check refuses Deployment d .*but admission \(@bufbuild\/cel with RE2\) admits it/,
    );
    expect(() => checkRule(lowerOwner, accented)).toThrow(/rule lower-case-owner: sluice check refuses Deployment d/);
  });

  it("checkRule refuses a rule the API server would not compile", () => {
    const lookahead = {
      id: "no-test-images",
      description: "d",
      severity: "error",
      on: "container",
      check: "container.image.matches('^(?!test/).*$')",
      message: "m",
    } satisfies CelRule;
    expect(() => checkRule(lookahead, workload("apps/v1", "Deployment", "d", {}))).toThrow(
      /invalid regular expression '\^\(\?!test\/\)\.\*\$' for RE2/,
    );
  });
});

describe("an admission expression the API server would not compile is an input error at the rule's definition", () => {
  const cases: [string, string, RegExp][] = [
    [
      "a negative lookahead (RE2 has none)",
      "object.metadata.name.matches('^(?!tmp-).*$')",
      /invalid regular expression .* for RE2: .*invalid or unsupported Perl syntax/,
    ],
    ["a function Kubernetes does not declare", "object.metadata.name.shout() == 'X'", /undeclared reference to 'shout'/],
    ["a variable Kubernetes does not declare", "params.limit > 1", /undeclared reference to 'params'/],
    ["a list literal of mixed types", "object.metadata.name in ['a', 1]", /expected type 'string' but found 'int' in a list literal/],
    [
      "arithmetic on a number read from the object (int at admission, double before merge)",
      "object.spec.replicas % 2 == 0",
      /arithmetic \('%'\) on a number read from the object.*int\(object.spec.replicas\)/,
    ],
    [
      "a field the matched kind does not have (the Kubernetes 1.34 schema)",
      "object.spec.replics >= 2",
      /\(checked against apps\/Deployment\): undefined field 'replics' \(in apps\/Deployment\.spec\)/,
    ],
    [
      "a function on a field of the wrong type (the schema types it)",
      "object.spec.replicas.startsWith('1')",
      /no matching overload for 'startsWith' applied to '\(int, string\)'/,
    ],
    ["optional field selection (not cross-checkable)", "object.?metadata.?labels.orValue({}) != {}", /optional field selection/],
  ];
  it.each(cases)("%s: exit 2 at the platform's rule line, nothing written", async (_what, check, message) => {
    const p = copyProject(base);
    p.write(
      "stacks/rules.ts",
      `import { defineRule } from "sluice";
export const custom = defineRule({
  id: "custom-rule",
  description: "A platform rule.",
  severity: "error",
  on: "object",
  kinds: ["apps/Deployment"],
  check: ${JSON.stringify(check)},
  message: "m",
});
`,
    );
    edit(
      p,
      "stacks/platform.ts",
      'import { definePlatform } from "sluice";',
      'import { definePlatform } from "sluice";\nimport { custom } from "./rules.js";',
    );
    edit(p, "stacks/platform.ts", 'registries: ["registry.example.com/"],', 'registries: ["registry.example.com/"],\n    rules: [custom],');
    const found = await failsAt(p, "validate/rule", "stacks/platform.ts", "rules: [custom],");
    expect(found.message).toMatch(/rule "custom-rule": the rule cannot be exported to admission as written: expression `/);
    expect(found.message).toMatch(message);
  });

  it("a built-in rule is reported at its line in lib/rules (and fails the build)", () => {
    const images = fs.readFileSync(path.join(REPO, "lib/rules/images.ts"), "utf8");
    const origin = builtInRuleOrigin("immutable-release-in-production");
    expect(origin.file).toBe("lib/rules/images.ts");
    expect(origin.line).toBe(lineOf(images, 'id: "immutable-release-in-production"'));
    // GIVEN a built-in rule edited into a lookahead, WHEN the stacks are validated, THEN it is an input error at its line.
    const broken: Rule[] = builtInRules.map((rule) =>
      rule.id === "no-mutable-image" && rule.on === "container"
        ? { ...rule, check: "container.image.matches('^(?!.*:latest$).*$')" }
        : rule,
    );
    let thrown: unknown;
    try {
      validate("/nowhere", loaded(platformSpec()), broken);
    } catch (error) {
      thrown = error;
    }
    const diagnostic = (thrown as { diagnostics: { message: string; origin: { file: string; line: number } }[] }).diagnostics[0]!;
    expect(diagnostic.message).toMatch(/^built-in rule no-mutable-image cannot be exported to admission as written: .*for RE2/);
    expect(diagnostic.origin).toMatchObject({ file: "lib/rules/images.ts", line: lineOf(images, 'id: "no-mutable-image"') });
    expect(() => compileBuiltIns(broken)).toThrow(/built-in rule no-mutable-image/);
    // The unbroken ones compile to the forms the build recorded.
    expect(compileBuiltIns(builtInRules)).toEqual(
      JSON.parse(fs.readFileSync(path.join(REPO, "dist/src/policy/built-in-compiled.json"), "utf8")),
    );
  });

  it("what Kubernetes compiles, sluice compiles: no false alarms on ordinary rules", () => {
    const accepted = [
      "object.metadata.name.size() <= 40 && size(object.metadata.name) > 0",
      "has(object.metadata.labels) && 'team' in object.metadata.labels && object.metadata.labels['team'] != ''",
      "object.metadata.labels.all(k, k.startsWith('app.kubernetes.io/') || k == 'team')",
      "object.spec.template.spec.containers.map(c, c.name).exists(n, n == 'app')",
      "object.spec.template.spec.containers.filter(c, has(c.ports)).size() <= 1",
      "object.spec.template.spec.containers.exists_one(c, c.name == 'app')",
      "int(object.spec.replicas) >= 2 && object.spec.replicas < 100 && object.spec.replicas > 1.5 && int(object.spec.replicas) % 2 == 0",
      "'prefix-' + object.metadata.name != object.metadata.name + '-suffix'",
      "type(object.spec.replicas) == int || object.spec.replicas == null",
      "object.metadata.name.matches('^[a-z][-a-z0-9]*$') && !object.metadata.name.endsWith('-')",
      "object.metadata.name.lowerAscii().replace('_', '-').split('-').size() < 5",
      "object.metadata.name.substring(0, 3) != 'tmp' && object.metadata.name.indexOf('x') < 0",
      "request.operation == 'CREATE' || (has(request.userInfo.groups) && 'system:masters' in request.userInfo.groups)",
      "!has(namespaceObject.metadata.labels) || namespaceObject.metadata.labels['env'] != 'prod' || object.spec.replicas >= 2",
      "(object.kind == 'Deployment' ? dyn(object).spec.replicas : 1) >= 1",
      "[object.metadata.name, object.kind].all(s, s != '')",
      "{'a': 1, 'b': 2}[object.metadata.name] == 1 || true",
    ];
    for (const expression of accepted) expect(() => compilePolicy({ variables: [], conditions: [expression] }), expression).not.toThrow();
    // Variables are typed by their expressions, in order.
    expect(() =>
      compilePolicy({
        variables: [
          { name: "names", expression: "['a', 'b']" },
          { name: "first", expression: "variables.names[0]" },
        ],
        conditions: ["variables.first.startsWith('a')"],
      }),
    ).not.toThrow();
    expect(() => compilePolicy({ variables: [{ name: "n", expression: "1" }], conditions: ["variables.n.startsWith('a')"] })).toThrow(
      /no matching overload for 'startsWith' applied to '\(int, string\)'/,
    );
    expect(() => compilePolicy({ variables: [], conditions: ["object.metadata.name"] })).not.toThrow();
    expect(() => compilePolicy({ variables: [], conditions: ["size(object.metadata.name)"] })).toThrow(/must evaluate to bool, not int/);
  });

  it("field selections are checked against the matched kind's schema; through dyn() they are not", () => {
    const schema = {
      type: "object",
      properties: {
        metadata: {
          type: "object",
          properties: { name: { type: "string" }, labels: { type: "object", additionalProperties: { type: "string" } } },
        },
        spec: { type: "object", properties: { replicas: { type: "integer" }, template: { $ref: "#/definitions/template" } } },
      },
      definitions: { template: { type: "object", properties: { spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } } },
    };
    const types = objectTypes(["apps/Deployment", "Service"], (apiVersion, kind) =>
      apiVersion === "apps/v1" && kind === "Deployment" ? schema : undefined,
    );
    expect(types).toHaveLength(1);
    const compiles = (expression: string) => () => compilePolicy({ variables: [], conditions: [expression] }, types);
    expect(
      compiles("object.spec.replicas >= 2 && object.metadata.labels['a'] != '' && has(object.spec.template.spec.anything)"),
    ).not.toThrow();
    expect(compiles("object.spec.replica >= 2")).toThrow(/undefined field 'replica' \(in apps\/Deployment\.spec\)/);
    expect(compiles("has(object.metadata.lables)")).toThrow(/undefined field 'lables'/);
    expect(compiles("object.spec.replicas.startsWith('1')")).toThrow(/no matching overload for 'startsWith' applied to '\(int, string\)'/);
    expect(compiles("dyn(object).spec.replica >= 2")).not.toThrow();
    // Without a schema (a kind sluice has none for), object is dyn, as at the API server.
    expect(() => compilePolicy({ variables: [], conditions: ["object.spec.replica >= 2"] })).not.toThrow();
  });
});

describe("pods carry what review never saw; kubectl debug adds containers (defect 7)", () => {
  const rule = (id: string) => celRules.find((r) => r.id === id)!;
  const policies = () => emitted(base, "prod-eu-1");

  it("a mesh-injected pod of a compliant Deployment is warned about and audited, not denied", () => {
    const pod = meshInjected();
    for (const id of ["approved-registries", "run-as-non-root", "resources-required"]) {
      expect(celFailures(rule(id), pod, { context }).length, id).toBeGreaterThan(0);
      expect(admission(policies().get(id)!, pod), id).toBe("warned");
    }
    // The workload its template came from is judged with the rule's severity.
    const deployment = workload("apps/v1", "Deployment", "payments", {
      containers: [good("payments", { image: "docker.io/istio/proxyv2:1.24.0" })],
    });
    expect(admission(policies().get("approved-registries")!, deployment)).toBe("denied");
  });

  it("a kubectl debug container (the pods/ephemeralcontainers subresource) is judged with the rule's severity, and only it", () => {
    const debug: AdmissionRequest = { operation: "UPDATE", subResource: "ephemeralcontainers" };
    const withDebug = (container: object): KubernetesObject => {
      const pod = meshInjected() as KubernetesObject & { spec: { ephemeralContainers?: object[] } };
      pod.spec.ephemeralContainers = [container];
      return pod;
    };
    const busybox = withDebug({ name: "debugger", image: "docker.io/library/busybox:1.37", securityContext: { privileged: true } });
    expect(admission(policies().get("approved-registries")!, busybox, debug)).toBe("denied");
    expect(admission(policies().get("no-privileged")!, busybox, debug)).toBe("denied");
    // An approved debug image passes, although the pod's injected sidecar would not.
    const approved = withDebug({ ...good("debugger"), securityContext: { runAsNonRoot: true } });
    expect(admission(policies().get("approved-registries")!, approved, debug)).toBe("admitted");
    expect(admission(policies().get("run-as-non-root")!, approved, debug)).toBe("admitted");
    // Rules about serving containers do not match Pods, so not their debug containers either.
    expect(admission(policies().get("readiness-probe")!, busybox, debug)).toBe("ignored");
  });

  it("Kyverno gets the same split: a policy for what was reviewed and a Warn/Audit policy for Pods", async () => {
    const p = copyProject(base);
    edit(p, "stacks/platform.ts", 'admission: "kubernetes",', 'admission: "kyverno",');
    await synth({ root: p.root, skipTypecheck: true });
    const objects = emitted(p, "prod-eu-1").get("approved-registries")!;
    expect(
      objects.map(
        (o) =>
          `${o.kind} ${o.metadata.name} ${(o as unknown as { spec: { validationActions: string[] } }).spec.validationActions.join("+")}`,
      ),
    ).toEqual(["ValidatingPolicy sluice-approved-registries Deny", "ValidatingPolicy sluice-approved-registries-pods Warn+Audit"]);
    expect(admission(objects, meshInjected())).toBe("warned");
    expect(admission(objects, meshInjected(), { operation: "UPDATE", subResource: "ephemeralcontainers" })).toBe("admitted");
  });
});
