/**
 * Progressive delivery: one plan in the stack (`progressive`), run by Argo
 * Rollouts on some clusters and by Flagger on another, judged by analyses
 * the platform writes once. The rendered objects are checked against the
 * controllers' own CRD schemas (strict) and built with kubectl kustomize;
 * the Rollout must run exactly the pod template the Deployment would have.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { simpleGit } from "simple-git";
import { diff, synth } from "sluice";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { copyProject, type Project } from "./helpers/project.js";
import { apiServerProblems, schemaFor } from "./helpers/schemas.js";
import { edit, failsAt } from "./helpers/stack-edit.js";

let base: Project;
/** The example with checkout-web's plan taken out: what its objects are without progressive delivery. */
let plain: Project;
beforeAll(async () => {
  base = synthesizedExample();
  plain = copyProject(base);
  const stack = plain.read("stacks/checkout-web.ts");
  const start = stack.indexOf("  progressive: {");
  const end = stack.indexOf("  dependsOn:");
  plain.write("stacks/checkout-web.ts", stack.slice(0, start) + stack.slice(end));
  await synth({ root: plain.root, skipTypecheck: true });
});

type Obj = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: any;
};

function objects(p: Project, file: string): Obj[] {
  return parseAllDocuments(p.read(file)).map((doc) => doc.toJS() as Obj);
}
function one(list: readonly Obj[], kind: string, name: string): Obj {
  const found = list.filter((o) => o.kind === kind && o.metadata.name === name);
  expect(found, `expected one ${kind} ${name} among ${list.map((o) => `${o.kind} ${o.metadata.name}`).join(", ")}`).toHaveLength(1);
  return found[0]!;
}
const manifest = (p: Project, app: string, cluster: string) => objects(p, `out/apps/${app}/${cluster}/manifest.yaml`);

const hasKubectl = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" }).status === 0;

/** Every object of an app's manifest validates against its schema (the CRDs' own, strict) and the whole file builds with kustomize. */
function expectValidManifest(p: Project, app: string, cluster: string): void {
  const file = `out/apps/${app}/${cluster}/manifest.yaml`;
  for (const object of objects(p, file)) {
    const validate = schemaFor(object.apiVersion, object.kind);
    expect(validate, `${file}: no schema for ${object.apiVersion} ${object.kind}`).toBeDefined();
    expect(() => validate!(object), `${file}: ${object.kind} ${object.metadata.name}`).not.toThrow();
    expect(apiServerProblems(object), `${file}: ${object.kind} ${object.metadata.name}`).toEqual([]);
  }
  if (!hasKubectl) return;
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-progressive-"));
  try {
    fs.copyFileSync(path.join(p.root, file), path.join(copy, "manifest.yaml"));
    fs.writeFileSync(path.join(copy, "kustomization.yaml"), "resources:\n  - manifest.yaml\n");
    const run = spawnSync("kubectl", ["kustomize", copy], { encoding: "utf8" });
    expect(run.status, `kubectl kustomize ${file}:\n${run.stderr}`).toBe(0);
    expect(parseAllDocuments(run.stdout)).toHaveLength(objects(p, file).length);
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
}

const ARGO_CLUSTERS = ["prod-eu-1", "prod-us-1", "prod-us-west-1", "prod-us-central-1"];

describe("the example: checkout-web's canary, on Argo Rollouts and on Flagger from one plan", () => {
  it.each(ARGO_CLUSTERS)(
    "Argo Rollouts on %s: a Rollout running exactly the Deployment's pod template, selector and replicas",
    (cluster) => {
      const rollout = one(manifest(base, "checkout-web", cluster), "Rollout", "checkout-web");
      const deployment = one(manifest(plain, "checkout-web", cluster), "Deployment", "checkout-web");
      expect(rollout.apiVersion).toBe("argoproj.io/v1alpha1");
      expect(rollout.spec.template).toEqual(deployment.spec.template);
      expect(rollout.spec.selector).toEqual(deployment.spec.selector);
      expect(rollout.spec.replicas).toEqual(deployment.spec.replicas);
      expect(rollout.metadata).toEqual(deployment.metadata);
      expect(manifest(base, "checkout-web", cluster).some((o) => o.kind === "Deployment")).toBe(false);
      expectValidManifest(base, "checkout-web", cluster);
    },
  );

  it("Argo Rollouts: one action per step, ingress-nginx moves the weight, stable and canary Services, an AnalysisTemplate per analysis", () => {
    const objectsOn = manifest(base, "checkout-web", "prod-eu-1");
    const { canary } = one(objectsOn, "Rollout", "checkout-web").spec.strategy;
    expect(canary.steps).toEqual([
      { setWeight: 10 },
      { pause: { duration: "5m" } },
      { analysis: { templates: [{ templateName: "checkout-web-error-rate" }] } },
      { setWeight: 50 },
      { pause: { duration: "5m" } },
      { analysis: { templates: [{ templateName: "checkout-web-error-rate" }] } },
    ]);
    expect(canary.analysis).toEqual({ templates: [{ templateName: "checkout-web-latency-p99" }] });
    expect(canary.trafficRouting).toEqual({ nginx: { stableIngress: "checkout-web" } });
    expect([canary.stableService, canary.canaryService]).toEqual(["checkout-web", "checkout-web-canary"]);
    const stable = one(objectsOn, "Service", "checkout-web");
    expect(one(objectsOn, "Service", "checkout-web-canary").spec).toEqual(stable.spec);
    const errors = one(objectsOn, "AnalysisTemplate", "checkout-web-error-rate").spec.metrics[0];
    // The platform's query once, filled in for this app: its namespace, its canary Service, the interval, the argument's default.
    expect(errors.provider.prometheus.query).toContain('namespace="storefront",service="checkout-web-canary"');
    expect(errors.provider.prometheus.query).not.toContain("{{");
    expect(errors).toMatchObject({ interval: "1m", count: 5, failureLimit: 1, successCondition: "result[0] <= 0.01" });
    const latency = one(objectsOn, "AnalysisTemplate", "checkout-web-latency-p99").spec.metrics[0];
    // The app's argument, and no count: a background analysis runs for the whole canary.
    expect(latency.successCondition).toBe("result[0] <= 0.5");
    expect(latency.count).toBeUndefined();
  });

  it("Argo CD leaves the controller's fields alone: the Services' pod-template-hash selector, the webhook's annotation on the Rollout", () => {
    const application = objects(base, "out/clusters/prod-eu-1/apps/checkout-web.yaml")[0]!;
    expect(application.spec.ignoreDifferences).toEqual(
      expect.arrayContaining([
        {
          group: "",
          kind: "Service",
          name: "checkout-web",
          namespace: "storefront",
          jsonPointers: ["/spec/selector/rollouts-pod-template-hash"],
        },
        {
          group: "",
          kind: "Service",
          name: "checkout-web-canary",
          namespace: "storefront",
          jsonPointers: ["/spec/selector/rollouts-pod-template-hash"],
        },
        {
          group: "argoproj.io",
          kind: "Rollout",
          name: "checkout-web",
          namespace: "storefront",
          jsonPointers: ["/spec/template/metadata/annotations/cost.example.com~1centre"],
        },
      ]),
    );
  });

  it("Flagger on prod-ap-1: the Deployment's own template without a replica count, a Canary on the Gateway, MetricTemplates from the same analyses; no Service or HTTPRoute of sluice's", () => {
    const objectsOn = manifest(base, "checkout-web", "prod-ap-1");
    const deployment = one(objectsOn, "Deployment", "checkout-web");
    const before = one(manifest(plain, "checkout-web", "prod-ap-1"), "Deployment", "checkout-web");
    expect(deployment.spec.template).toEqual(before.spec.template);
    expect(deployment.spec.replicas).toBeUndefined();
    expect(objectsOn.filter((o) => o.kind === "Service" || o.kind === "HTTPRoute")).toEqual([]);
    const hpa = one(objectsOn, "HorizontalPodAutoscaler", "checkout-web");
    expect(hpa.spec).toMatchObject({
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "checkout-web" },
      minReplicas: 3,
      maxReplicas: 3,
    });
    const canary = one(objectsOn, "Canary", "checkout-web").spec;
    expect(canary).toMatchObject({
      provider: "gatewayapi:v1",
      targetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "checkout-web" },
      autoscalerRef: { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", name: "checkout-web" },
      service: {
        port: 3000,
        targetPort: "http",
        hosts: ["shop.example.com"],
        gatewayRefs: [{ name: "public", namespace: "gateway-system", sectionName: "https" }],
      },
      analysis: { interval: "5m", threshold: 2, stepWeights: [10, 50] },
    });
    expect(canary.analysis.metrics).toEqual([
      { name: "error-rate", interval: "1m", thresholdRange: { max: 0.01 }, templateRef: { name: "checkout-web-error-rate" } },
      { name: "latency-p99", interval: "1m", thresholdRange: { max: 0.5 }, templateRef: { name: "checkout-web-latency-p99" } },
    ]);
    const argoQuery = one(manifest(base, "checkout-web", "prod-eu-1"), "AnalysisTemplate", "checkout-web-error-rate").spec.metrics[0]
      .provider.prometheus.query;
    expect(one(objectsOn, "MetricTemplate", "checkout-web-error-rate").spec).toEqual({
      provider: { type: "prometheus", address: "http://prometheus.monitoring:9090" },
      query: argoQuery,
    });
    expectValidManifest(base, "checkout-web", "prod-ap-1");
  });

  it("Flagger renames app.kubernetes.io/name on the primary's pods: the PodDisruptionBudget and network policies select by instance there", () => {
    const objectsOn = manifest(base, "checkout-web", "prod-ap-1");
    expect(one(objectsOn, "PodDisruptionBudget", "checkout-web").spec.selector).toEqual({
      matchLabels: { "app.kubernetes.io/instance": "checkout-web" },
    });
    expect(one(objectsOn, "NetworkPolicy", "checkout-web-callers").spec.podSelector).toEqual({
      matchLabels: { "app.kubernetes.io/instance": "checkout-web" },
    });
    // Another app's policy on the Flagger cluster names its callers by instance too; elsewhere by name, as before.
    const payments = one(manifest(base, "payments", "prod-ap-1"), "NetworkPolicy", "payments-callers");
    const peers = payments.spec.ingress.flatMap((rule: any) => rule.from).filter((peer: any) => peer.podSelector);
    expect(peers.length).toBeGreaterThan(0);
    for (const peer of peers) expect(Object.keys(peer.podSelector.matchLabels)).toEqual(["app.kubernetes.io/instance"]);
    expect(manifest(base, "payments", "prod-eu-1")).toEqual(manifest(plain, "payments", "prod-eu-1"));
  });

  it("production only: the plan written at the app's top level leaves dev and staging rolling as before", () => {
    for (const cluster of ["dev-1", "staging-1"])
      expect(base.read(`out/apps/checkout-web/${cluster}/manifest.yaml`)).toBe(
        plain.read(`out/apps/checkout-web/${cluster}/manifest.yaml`),
      );
  });

  it("the env repo README names what each cluster needs: Argo Rollouts, ingress-nginx, Flagger's label default", () => {
    const readme = base.read("out/README.md");
    expect(readme).toContain("Argo Rollouts v1.9 or later");
    expect(readme).toContain("the IngressClass's controller is ingress-nginx");
    expect(readme).toContain("Flagger v1.44 or later");
    expect(readme).toContain("`-selector-labels` keeps its default");
  });
});

describe("the autoscaler scales what runs the pods", () => {
  it("an autoscaled canary: the HPA targets the Rollout on Argo Rollouts, the Deployment on Flagger (and the Canary names it)", async () => {
    const p = copyProject(base);
    edit(p, "stacks/checkout-web.ts", "  ports: { http: 3000 },", "  ports: { http: 3000 },\n  autoscaling: { min: 3, max: 10 },");
    await synth({ root: p.root, skipTypecheck: true });
    const argo = one(manifest(p, "checkout-web", "prod-eu-1"), "HorizontalPodAutoscaler", "checkout-web");
    expect(argo.spec.scaleTargetRef).toEqual({ apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", name: "checkout-web" });
    expect(one(manifest(p, "checkout-web", "prod-eu-1"), "Rollout", "checkout-web").spec.replicas).toBeUndefined();
    const flagger = manifest(p, "checkout-web", "prod-ap-1");
    expect(one(flagger, "HorizontalPodAutoscaler", "checkout-web").spec).toMatchObject({
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "checkout-web" },
      minReplicas: 3,
      maxReplicas: 10,
    });
    const application = objects(p, "out/clusters/prod-eu-1/apps/checkout-web.yaml")[0]!;
    expect(application.spec.ignoreDifferences).toContainEqual(
      expect.objectContaining({
        group: "argoproj.io",
        kind: "Rollout",
        name: "checkout-web",
        jsonPointers: expect.arrayContaining(["/spec/replicas"]),
      }),
    );
    expectValidManifest(p, "checkout-web", "prod-eu-1");
    expectValidManifest(p, "checkout-web", "prod-ap-1");
  });
});

describe("other plans and routers", () => {
  it("Argo Rollouts on a Gateway: the route sends to both Services, weighted 100/0, through the Gateway API plugin; Argo CD leaves the weights to it", async () => {
    const p = copyProject(base);
    edit(
      p,
      "stacks/platform.ts",
      '      labels: { region: "eu-west" },\n      env: { REGION: "eu-west" },',
      '      labels: { region: "eu-west" },\n      env: { REGION: "eu-west" },\n      exposure: { gateway: { name: "public", namespace: "gateway-system", listeners: { https: "https" } } },',
    );
    await synth({ root: p.root, skipTypecheck: true });
    const objectsOn = manifest(p, "checkout-web", "prod-eu-1");
    const route = one(objectsOn, "HTTPRoute", "checkout-web");
    expect(route.spec.rules[0].backendRefs).toEqual([
      { kind: "Service", name: "checkout-web", port: 3000, weight: 100 },
      { kind: "Service", name: "checkout-web-canary", port: 3000, weight: 0 },
    ]);
    expect(one(objectsOn, "Rollout", "checkout-web").spec.strategy.canary.trafficRouting).toEqual({
      plugins: { "argoproj-labs/gatewayAPI": { httpRoute: "checkout-web", namespace: "storefront" } },
    });
    const application = objects(p, "out/clusters/prod-eu-1/apps/checkout-web.yaml")[0]!;
    expect(application.spec.ignoreDifferences).toContainEqual({
      group: "gateway.networking.k8s.io",
      kind: "HTTPRoute",
      name: "checkout-web",
      namespace: "storefront",
      jsonPointers: ["/spec/rules/0/backendRefs/0/weight", "/spec/rules/0/backendRefs/1/weight"],
    });
    expect(p.read("out/README.md")).toContain("`argoproj-labs/gatewayAPI`, a release after v0.15.0");
    expectValidManifest(p, "checkout-web", "prod-eu-1");
  });

  it("blue-green with a preview host: active and preview Services, a preview route to the new release, analyses before promotion — on both controllers", async () => {
    const p = copyProject(base);
    const stack = p.read("stacks/checkout-web.ts");
    const start = stack.indexOf("  progressive: {");
    const end = stack.indexOf("  dependsOn:");
    p.write(
      "stacks/checkout-web.ts",
      `${stack.slice(0, start)}  progressive: {\n    blueGreen: { previewExposure: { host: "preview.shop.example.com" }, analysis: ["error-rate"] },\n  },\n${stack.slice(end)}`,
    );
    await synth({ root: p.root, skipTypecheck: true });
    const argo = manifest(p, "checkout-web", "prod-eu-1");
    expect(one(argo, "Rollout", "checkout-web").spec.strategy).toEqual({
      blueGreen: {
        activeService: "checkout-web",
        previewService: "checkout-web-preview",
        autoPromotionEnabled: true,
        prePromotionAnalysis: { templates: [{ templateName: "checkout-web-error-rate" }] },
      },
    });
    const preview = one(argo, "Ingress", "checkout-web-preview");
    expect(preview.spec.rules[0].host).toBe("preview.shop.example.com");
    expect(preview.spec.rules[0].http.paths[0].backend.service.name).toBe("checkout-web-preview");
    expect(preview.spec.tls).toEqual([{ hosts: ["preview.shop.example.com"], secretName: "checkout-web-preview-tls" }]);
    expect(one(argo, "AnalysisTemplate", "checkout-web-error-rate").spec.metrics[0].provider.prometheus.query).toContain(
      'service="checkout-web-preview"',
    );
    const flagger = manifest(p, "checkout-web", "prod-ap-1");
    expect(one(flagger, "Canary", "checkout-web").spec.analysis).toMatchObject({ iterations: 5, threshold: 2 });
    expect(one(flagger, "HTTPRoute", "checkout-web-preview").spec).toMatchObject({
      hostnames: ["preview.shop.example.com"],
      rules: [{ backendRefs: [{ kind: "Service", name: "checkout-web-canary", port: 3000 }] }],
    });
    expectValidManifest(p, "checkout-web", "prod-eu-1");
    expectValidManifest(p, "checkout-web", "prod-ap-1");
  });
});

describe("moving a running app onto Argo Rollouts: adopt the Deployment, then hand over", () => {
  async function commit(p: Project, message: string): Promise<void> {
    await simpleGit(p.root).add(".").commit(message);
  }
  const noteOf = async (p: Project) =>
    (await diff({ root: p.root, skipTypecheck: true })).attention.filter((n) => n.kind === "progressive" && n.cluster === "prod-eu-1");

  it("the Rollout takes the Deployment's pods over (workloadRef, scaled down progressively), then its pod template; never both sets, never none", async () => {
    // GIVEN checkout-web running as a Deployment in production.
    const p = copyProject(plain);
    p.write(".gitignore", "node_modules/\n");
    const git = simpleGit(p.root);
    await git.init(["--initial-branch=main"]);
    await git.addConfig("user.email", "ci@example.com").addConfig("user.name", "CI");
    await commit(p, "running as a Deployment");
    const running = one(manifest(p, "checkout-web", "prod-eu-1"), "Deployment", "checkout-web");

    // Step 1: the plan with adoptDeployment.
    const stack = base.read("stacks/checkout-web.ts");
    p.write("stacks/checkout-web.ts", stack.replace("  progressive: {\n", "  progressive: {\n    adoptDeployment: true,\n"));
    const adoption = await noteOf(p);
    expect(adoption.map((n) => n.message)).toContain(
      "checkout-web: the Rollout adopts Deployment checkout-web (workloadRef): Argo Rollouts scales the Deployment down as the Rollout's pods become ready; once the Rollout is Healthy, merge the plan without adoptDeployment on prod-eu-1",
    );
    await synth({ root: p.root, skipTypecheck: true });
    const adopting = manifest(p, "checkout-web", "prod-eu-1");
    // The Deployment is exactly what ran: its replica count too, which Argo Rollouts lowers from here.
    expect(one(adopting, "Deployment", "checkout-web")).toEqual(running);
    expect(one(adopting, "Rollout", "checkout-web").spec).toEqual({
      replicas: 3,
      selector: running.spec.selector,
      workloadRef: { apiVersion: "apps/v1", kind: "Deployment", name: "checkout-web", scaleDown: "progressively" },
      strategy: one(manifest(base, "checkout-web", "prod-eu-1"), "Rollout", "checkout-web").spec.strategy,
    });
    const application = objects(p, "out/clusters/prod-eu-1/apps/checkout-web.yaml")[0]!;
    expect(application.spec.ignoreDifferences).toContainEqual({
      group: "apps",
      kind: "Deployment",
      name: "checkout-web",
      namespace: "storefront",
      jsonPointers: ["/spec/replicas"],
    });
    expectValidManifest(p, "checkout-web", "prod-eu-1");
    // Flagger adopts a Deployment by itself: prod-ap-1 renders the plan as it always does.
    expect(p.read("out/apps/checkout-web/prod-ap-1/manifest.yaml")).toBe(base.read("out/apps/checkout-web/prod-ap-1/manifest.yaml"));
    await commit(p, "adopt");

    // Step 2: without adoptDeployment, the Rollout holds the very pod template the Deployment had, and the Deployment leaves.
    p.write("stacks/checkout-web.ts", stack);
    const handover = await noteOf(p);
    expect(handover.map((n) => n.message)).toContain(
      "checkout-web: the Rollout takes its pod template over from Deployment checkout-web, which leaves the env repo; merge this only once the Rollout is Healthy, when Argo Rollouts has scaled the Deployment to zero (the same release may run through the plan once more) on prod-eu-1",
    );
    await synth({ root: p.root, skipTypecheck: true });
    const after = manifest(p, "checkout-web", "prod-eu-1");
    expect(one(after, "Rollout", "checkout-web").spec.template).toEqual(running.spec.template);
    expect(after.some((o) => o.kind === "Deployment")).toBe(false);
    expect(p.read("out/apps/checkout-web/prod-eu-1/manifest.yaml")).toBe(base.read("out/apps/checkout-web/prod-eu-1/manifest.yaml"));
  });

  it("switching without adopting is called out: both sets of pods run until the Deployment is pruned", async () => {
    const p = copyProject(plain);
    p.write(".gitignore", "node_modules/\n");
    const git = simpleGit(p.root);
    await git.init(["--initial-branch=main"]);
    await git.addConfig("user.email", "ci@example.com").addConfig("user.name", "CI");
    await commit(p, "running as a Deployment");
    p.write("stacks/checkout-web.ts", base.read("stacks/checkout-web.ts"));
    const notes = (await noteOf(p)).map((n) => n.message);
    expect(notes).toContainEqual(expect.stringContaining("checkout-web moves from a Deployment to an Argo Rollouts Rollout"));
    expect(notes).toContainEqual(expect.stringContaining("adopt the Deployment first: adoptDeployment"));
  });

  it("an autoscaled app adopting: the autoscaler scales the Rollout, pinned to its maximum for the step", async () => {
    const p = copyProject(base);
    edit(p, "stacks/checkout-web.ts", "  ports: { http: 3000 },", "  ports: { http: 3000 },\n  autoscaling: { min: 3, max: 10 },");
    edit(p, "stacks/checkout-web.ts", "  progressive: {\n", "  progressive: {\n    adoptDeployment: true,\n");
    await synth({ root: p.root, skipTypecheck: true });
    const objectsOn = manifest(p, "checkout-web", "prod-eu-1");
    expect(one(objectsOn, "HorizontalPodAutoscaler", "checkout-web").spec).toMatchObject({
      scaleTargetRef: { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", name: "checkout-web" },
      minReplicas: 10,
      maxReplicas: 10,
    });
    expect(one(objectsOn, "Rollout", "checkout-web").spec.replicas).toBeUndefined();
    expect(one(objectsOn, "Deployment", "checkout-web").spec.replicas).toBeUndefined();
    expectValidManifest(p, "checkout-web", "prod-eu-1");
  });
});

describe("metric providers", () => {
  it("a Prometheus token and Datadog keys come from Secrets in the app's namespace, each controller its way, and the README lists them", async () => {
    const p = copyProject(base);
    const prometheus = 'metrics: { prometheus: { prometheus: { address: "http://prometheus.monitoring:9090" } } },';
    const withAuth =
      'metrics: { prometheus: { prometheus: { address: "http://prometheus.monitoring:9090", secret: "prom-token" } }, datadog: { datadog: { secret: "datadog-keys" } } },';
    const platform = p.read("stacks/platform.ts").replaceAll(prometheus, withAuth);
    p.write(
      "stacks/platform.ts",
      platform.replace('metric: "prometheus",\n      query:\n        \'histogram', 'metric: "datadog",\n      query:\n        \'histogram'),
    );
    await synth({ root: p.root, skipTypecheck: true });
    const argo = manifest(p, "checkout-web", "prod-eu-1");
    expect(one(argo, "AnalysisTemplate", "checkout-web-error-rate").spec).toMatchObject({
      args: [{ name: "token", valueFrom: { secretKeyRef: { name: "prom-token", key: "token" } } }],
      metrics: [{ provider: { prometheus: { headers: [{ key: "Authorization", value: "Bearer {{args.token}}" }] } } }],
    });
    const latency = one(argo, "AnalysisTemplate", "checkout-web-latency-p99").spec.metrics[0];
    expect(latency.provider).toEqual({
      datadog: { apiVersion: "v2", query: expect.any(String), secretRef: { name: "datadog-keys", namespaced: true } },
    });
    expect(latency.successCondition).toBe("result <= 0.5");
    const flagger = manifest(p, "checkout-web", "prod-ap-1");
    expect(one(flagger, "MetricTemplate", "checkout-web-error-rate").spec.provider).toEqual({
      type: "prometheus",
      address: "http://prometheus.monitoring:9090",
      secretRef: { name: "prom-token" },
    });
    expect(one(flagger, "MetricTemplate", "checkout-web-latency-p99").spec.provider).toEqual({
      type: "datadog",
      address: "https://api.datadoghq.com",
      secretRef: { name: "datadog-keys" },
    });
    const readme = p.read("out/README.md");
    expect(readme).toContain("`datadog-keys` with `address`, `api-key` and `app-key`");
    expect(readme).toContain("`datadog-keys` with `datadog_api_key` and `datadog_application_key`");
    expect(readme).toContain("`prom-token` with `token`");
    expectValidManifest(p, "checkout-web", "prod-eu-1");
    expectValidManifest(p, "checkout-web", "prod-ap-1");
  });

  it("an analysis on a provider the cluster does not declare is an error at the app's line, naming the cluster", async () => {
    const p = copyProject(base);
    // prod-ap-1 declares its own metrics: without "prometheus" the analyses have nothing to query there.
    const platform = p.read("stacks/platform.ts");
    const flagger = platform.indexOf('controller: "flagger"');
    p.write(
      "stacks/platform.ts",
      platform.slice(0, flagger) +
        platform.slice(flagger).replace("metrics: { prometheus: { prometheus:", "metrics: { thanos: { prometheus:"),
    );
    const found = await failsAt(
      p,
      "resolve/analysis-metric",
      "stacks/checkout-web.ts",
      '{ weight: 10, pause: "5m" }, { analysis: "error-rate" }',
    );
    expect(found.message).toContain("on cluster prod-ap-1");
  });
});

describe("invalid plans are errors at their lines, and nothing is written", () => {
  const plan =
    '      steps: [{ weight: 10, pause: "5m" }, { analysis: "error-rate" }, { weight: 50, pause: "5m" }, { analysis: "error-rate" }],';

  it("weights that do not increase", async () => {
    const p = copyProject(base);
    edit(p, "stacks/checkout-web.ts", plan, '      steps: [{ weight: 50, pause: "5m" },\n        { weight: 10, pause: "5m" }],');
    const found = await failsAt(p, "validate/invalid", "stacks/checkout-web.ts", "{ weight: 10, pause");
    expect(found.message).toContain("weights must increase from step to step: 10 comes after 50");
  });

  it("an analysis the platform does not declare, with the one it likely meant", async () => {
    const p = copyProject(base);
    edit(p, "stacks/checkout-web.ts", plan, '      steps: [{ weight: 10, pause: "5m" },\n        { analysis: "eror-rate" }],');
    const found = await failsAt(p, "validate/unknown-analysis", "stacks/checkout-web.ts", '"eror-rate"');
    expect(found.hint).toBe('did you mean "error-rate"?');
  });

  it("an argument of the wrong type", async () => {
    const p = copyProject(base);
    edit(p, "stacks/checkout-web.ts", "args: { maxSeconds: 0.5 }", 'args: { maxSeconds: "fast" }');
    const found = await failsAt(p, "validate/analysis-arg", "stacks/checkout-web.ts", 'maxSeconds: "fast"');
    expect(found.message).toBe('argument maxSeconds of analysis latency-p99 is "fast", not a number');
  });

  it("an argument without a default left out", async () => {
    const p = copyProject(base);
    edit(p, "stacks/checkout-web.ts", '[{ name: "latency-p99", args: { maxSeconds: 0.5 } }]', '[\n        "latency-p99"]');
    const found = await failsAt(p, "validate/analysis-arg", "stacks/checkout-web.ts", '"latency-p99"]');
    expect(found.message).toBe("analysis latency-p99 needs argument maxSeconds (a number), which has no default");
  });

  it("a canary of an app nothing exposes, with neither traffic nor replicaBased", async () => {
    const p = copyProject(base);
    edit(p, "stacks/checkout-web.ts", '  expose: { host: "shop.example.com" },', "");
    edit(p, "stacks/checkout-web.ts", '    staging: { expose: { host: "shop.staging.example.com" } },', "");
    edit(p, "stacks/checkout-web.ts", '    dev: { expose: { host: "shop.dev.example.com" } },', "");
    const found = await failsAt(p, "resolve/progressive-traffic", "stacks/checkout-web.ts", "    canary: {");
    expect(found.message).toContain("a canary needs something that shifts traffic, but the app is not exposed");
  });

  it("Flagger cannot pause each step differently: an error at the odd pause, for the Flagger cluster", async () => {
    const p = copyProject(base);
    edit(p, "stacks/checkout-web.ts", plan, '      steps: [{ weight: 10, pause: "5m" },\n        { weight: 50, pause: "10m" }],');
    const found = await failsAt(p, "resolve/progressive-flagger", "stacks/checkout-web.ts", 'pause: "10m"');
    expect(found.message).toContain("on cluster prod-ap-1");
  });

  it("a cluster without a controller", async () => {
    const p = copyProject(base);
    edit(
      p,
      "stacks/checkout-web.ts",
      '    dev: { expose: { host: "shop.dev.example.com" } },',
      '    dev: { expose: { host: "shop.dev.example.com" },\n      progressive: { canary: { replicaBased: true, steps: [{ weight: 50 }] } } },',
    );
    const found = await failsAt(p, "resolve/progressive-controller", "stacks/checkout-web.ts", "progressive: { canary: { replicaBased");
    expect(found.message).toContain("on cluster dev-1");
  });

  it("a platform analysis that reads a value sluice does not fill in", async () => {
    const p = copyProject(base);
    edit(p, "stacks/platform.ts", '{{args.maxSeconds}}",', '{{args.maxSecs}}",');
    const found = await failsAt(p, "validate/analysis-bound", "stacks/platform.ts", '"{{args.maxSecs}}"');
    expect(found.message).toContain("reads argument maxSecs, which it does not declare");
  });
});

describe("a Rollout's pod template is held to Kubernetes' own schema", () => {
  it("where Argo Rollouts' CRD lets anything through (volumes, containers' resources), an app's own Rollout is refused at its line", async () => {
    const p = copyProject(base);
    const template = (volume: string) =>
      `{ apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", metadata: { name: "batch" }, spec: { selector: { matchLabels: { app: "batch" } }, template: { metadata: { labels: { app: "batch" } }, spec: { containers: [{ name: "c", image: "registry.example.com/storefront/c:1.0.0", resources: { requests: { cpu: "1" } } }], volumes: [${volume}] } }, strategy: { canary: { steps: [{ setWeight: 50 }] } } } } as never`;
    edit(
      p,
      "stacks/price-sync.ts",
      "  objects: [\n",
      `  objects: [\n    ${template('{ name: "v", emptyDir: {}, hostPth: { path: "/" } }')},\n`,
    );
    const found = await failsAt(p, "check/schema", "stacks/price-sync.ts", 'kind: "Rollout"');
    expect(found.message).toContain('/spec/template/spec/volumes/0 has unknown field "hostPth"');
  });
});

describe("releases", () => {
  it("a release bump of the canaried app changes only that app's files on that wave", async () => {
    const p = copyProject(base);
    const before = p.tree();
    edit(p, "stacks/releases/prod-canary/checkout-web.ts", '"prod-canary": "3.2.0"', '"prod-canary": "3.2.1"');
    await synth({ root: p.root, skipTypecheck: true });
    const after = p.tree();
    const changed = Object.keys(after).filter((file) => after[file] !== before[file]);
    expect(changed.sort()).toEqual(["apps/checkout-web/prod-eu-1/manifest.yaml"]);
    // And in it only the pod template's image and version: the plan and its analyses are untouched.
    const rollout = one(manifest(p, "checkout-web", "prod-eu-1"), "Rollout", "checkout-web");
    expect(rollout.spec.template.spec.containers[0].image).toBe("registry.example.com/storefront/checkout-web:3.2.1");
    const others = (t: Project) => manifest(t, "checkout-web", "prod-eu-1").filter((o) => o.kind !== "Rollout");
    expect(others(p)).toEqual(others(base));
  });
});
