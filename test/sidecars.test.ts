/**
 * Sidecars and init containers: rendered as native sidecars (init containers
 * with `restartPolicy: Always`) before the app's init containers, hardened
 * like the app's container, moved by the release when they run the app's
 * image, pinned by digest otherwise, merged across layers like every setting,
 * and judged by the policy rules at their own stack lines.
 */
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { plan, synth } from "sluice";
import { exampleStacks, makeProject, type Project } from "./helpers/project.js";
import { edit, expectAt, findingOf, lineOf, only, policyFailure, rejection, withCode } from "./helpers/stack-edit.js";

interface Obj {
  kind: string;
  metadata: { name: string };
  spec?: any;
}

async function objectsOf(p: Project, app: string, cluster: string): Promise<Obj[]> {
  const planned = await plan({ root: p.root, skipTypecheck: true });
  const file = planned.plan.files.find((f) => f.path === `apps/${app}/${cluster}/manifest.yaml`)!;
  return parseAllDocuments(file.content).map((d) => d.toJS() as Obj);
}
const podOf = (objects: Obj[], kind: string) => {
  const workload = objects.find((o) => o.kind === kind)!;
  return kind === "CronJob" ? workload.spec.jobTemplate.spec.template.spec : workload.spec.template.spec;
};

const DIGEST = "a".repeat(64);
const SHIPPER = `registry.example.com/platform/log-shipper:3.1.0@sha256:${DIGEST}`;
const SMALL = '{ requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "100m", memory: "64Mi" } }';

/** payments with an envoy sidecar on the app's own image, a foreign log shipper, and an init container. */
function withContainers(): Project {
  const p = makeProject(exampleStacks());
  edit(
    p,
    "stacks/payments.ts",
    '  team: "payments",',
    `  team: "payments",
  sidecars: {
    proxy: {
      args: ["proxy", "--upstream=127.0.0.1:8080"],
      ports: { "proxy-admin": 9901 },
      env: { MODE: "sidecar", TOKEN: secret("db", "password") },
      resources: ${SMALL},
      probes: { readiness: { http: "/ready" } },
    },
    "log-shipper": { image: "${SHIPPER}", resources: ${SMALL} },
  },
  initContainers: { "wait-db": { command: ["/bin/wait-for", "payments-db:5432"], resources: ${SMALL} } },`,
  );
  return p;
}

describe("sidecars and init containers", () => {
  it("renders sidecars as native sidecars, first, then the init containers, each hardened like the app's container", async () => {
    const p = withContainers();
    const pod = podOf(await objectsOf(p, "payments", "staging-1"), "Deployment");
    expect(pod.initContainers.map((c: any) => [c.name, c.restartPolicy])).toEqual([
      ["proxy", "Always"],
      ["log-shipper", "Always"],
      ["wait-db", undefined],
    ]);
    const [proxy, shipper, wait] = pod.initContainers;
    expect(proxy.image).toBe("registry.example.com/payments/api:1.6.3");
    expect(proxy.ports).toEqual([{ name: "proxy-admin", containerPort: 9901, protocol: "TCP" }]);
    expect(proxy.readinessProbe).toEqual({ httpGet: { path: "/ready", port: "proxy-admin" } });
    // Plain values are the container's own; secrets stay references to the app's Secret.
    expect(proxy.env).toEqual([
      { name: "MODE", value: "sidecar" },
      { name: "TOKEN", valueFrom: { secretKeyRef: { name: "payments-db", key: "password" } } },
    ]);
    expect(shipper.image).toBe(SHIPPER);
    expect(wait.command).toEqual(["/bin/wait-for", "payments-db:5432"]);
    for (const container of pod.initContainers) expect(container.securityContext).toEqual(pod.containers[0].securityContext);
    // The Service exposes the app's ports only.
    const service = (await objectsOf(p, "payments", "staging-1")).find((o) => o.kind === "Service")!;
    expect(service.spec.ports.map((port: any) => port.name)).toEqual(["http", "metrics"]);
  });

  it("moves a container that runs the app's image with the wave's release, and leaves a pinned one as written", async () => {
    const p = withContainers();
    for (const [cluster, tag] of [
      ["dev-1", "1.7.0"],
      ["staging-1", "1.6.3"],
    ] as const) {
      const pod = podOf(await objectsOf(p, "payments", cluster), "Deployment");
      expect(pod.containers[0].image).toBe(`registry.example.com/payments/api:${tag}`);
      const images = Object.fromEntries(pod.initContainers.map((c: any) => [c.name, c.image]));
      expect(images).toEqual({ proxy: pod.containers[0].image, "log-shipper": SHIPPER, "wait-db": pod.containers[0].image });
    }
  });

  it("gives a Job's and a cron job's pods their sidecars too (native sidecars end with the main container)", async () => {
    const p = makeProject(exampleStacks());
    edit(
      p,
      "stacks/price-report.ts",
      '  timeZone: "Europe/Berlin",',
      `  timeZone: "Europe/Berlin",\n  sidecars: { "log-shipper": { image: "${SHIPPER}", resources: ${SMALL} } },`,
    );
    const pod = podOf(await objectsOf(p, "price-report", "staging-1"), "CronJob");
    expect(pod.initContainers).toMatchObject([{ name: "log-shipper", restartPolicy: "Always", image: SHIPPER }]);
  });

  it("lets a platform layer add a sidecar to every app, which an app's override merges into key by key", async () => {
    const p = makeProject(exampleStacks());
    edit(
      p,
      "stacks/platform.ts",
      '      env: { LOG_LEVEL: "info" },',
      `      env: { LOG_LEVEL: "info" },\n      sidecars: { "log-shipper": { image: "${SHIPPER}", env: { FORMAT: "json" }, resources: ${SMALL} } },`,
    );
    edit(
      p,
      "stacks/payments.ts",
      "    dev: { replicas: 1 },",
      '    dev: { replicas: 1 },\n    staging: { sidecars: { "log-shipper": { env: { FORMAT: "text", LEVEL: "debug" } } } },',
    );
    const payments = podOf(await objectsOf(p, "payments", "staging-1"), "Deployment");
    expect(payments.initContainers).toHaveLength(1);
    expect(payments.initContainers[0]).toMatchObject({
      name: "log-shipper",
      image: SHIPPER,
      env: [
        { name: "FORMAT", value: "text" },
        { name: "LEVEL", value: "debug" },
      ],
    });
    const report = podOf(await objectsOf(p, "price-report", "staging-1"), "CronJob");
    expect(report.initContainers[0]).toMatchObject({ name: "log-shipper", env: [{ name: "FORMAT", value: "json" }] });
    expect(podOf(await objectsOf(p, "payments", "dev-1"), "Deployment")).not.toHaveProperty("initContainers");
  });

  it("runs init containers in the order written, a platform layer's before the app's", async () => {
    const p = makeProject(exampleStacks());
    edit(
      p,
      "stacks/platform.ts",
      '      env: { LOG_LEVEL: "info" },',
      `      env: { LOG_LEVEL: "info" },\n      initContainers: { "wait-mesh": { image: "${SHIPPER}", resources: ${SMALL} } },`,
    );
    edit(
      p,
      "stacks/payments.ts",
      '  team: "payments",',
      `  team: "payments",\n  initContainers: { "warm-cache": { resources: ${SMALL} }, "check-schema": { resources: ${SMALL} } },`,
    );
    const pod = podOf(await objectsOf(p, "payments", "staging-1"), "Deployment");
    expect(pod.initContainers.map((c: any) => c.name)).toEqual(["wait-mesh", "warm-cache", "check-schema"]);
  });

  it("refuses a foreign image with a tag that can move, at its line", async () => {
    const p = makeProject(exampleStacks());
    const text = edit(
      p,
      "stacks/payments.ts",
      '  team: "payments",',
      '  team: "payments",\n  sidecars: {\n    envoy: { image: "envoyproxy/envoy:v1.31.0" },\n  },',
    );
    const d = only(await rejection(plan({ root: p.root, skipTypecheck: true })));
    expectAt(d, "stacks/payments.ts", lineOf(text, "envoy:"));
    expect(d.message).toContain("must be pinned by digest");
  });

  it("refuses a container named like the app, a name used twice, and a port another container has, each at its line", async () => {
    const cases: [string, string, string][] = [
      ["sidecars: { payments: { resources: {} } },", "payments: {", "the app's own name"],
      ["sidecars: { x: {} },\n  initContainers: { x: {} },", "initContainers:", "both a sidecar and an init container"],
      ["sidecars: { proxy: { ports: { admin: 8080 } } },", "admin: 8080", "share its ports"],
      ["sidecars: { proxy: { ports: { http: 9000 } } },", "http: 9000", "share its ports"],
    ];
    for (const [setting, marker, message] of cases) {
      const p = makeProject(exampleStacks());
      const text = edit(p, "stacks/payments.ts", '  team: "payments",', `  team: "payments",\n  ${setting}`);
      const d = only(await rejection(plan({ root: p.root, skipTypecheck: true })));
      expectAt(d, "stacks/payments.ts", lineOf(text, marker));
      expect(d.message).toContain(message);
    }
  });

  it("is judged by the policy rules at the sidecar's own lines: resources-required, approved-registries", async () => {
    const p = makeProject(exampleStacks());
    const text = edit(
      p,
      "stacks/payments.ts",
      '  team: "payments",',
      `  team: "payments",
  sidecars: {
    "log-shipper": {
      image: "docker.io/fluent/fluent-bit:3.1.0@sha256:${DIGEST}",
    },
  },`,
    );
    const findings = await policyFailure(synth({ root: p.root, skipTypecheck: true }));
    const resources = findingOf(findings, "resources-required");
    expect({ file: resources.origin.file, line: resources.origin.line }).toEqual({
      file: "stacks/payments.ts",
      line: lineOf(text, '"log-shipper": {'),
    });
    const registry = findingOf(findings, "approved-registries");
    expect({ file: registry.origin.file, line: registry.origin.line }).toEqual({
      file: "stacks/payments.ts",
      line: lineOf(text, 'image: "docker.io'),
    });
  });

  it("finds a credential written in a sidecar's env, at its line", async () => {
    const p = makeProject(exampleStacks());
    const text = edit(
      p,
      "stacks/payments.ts",
      '  team: "payments",',
      `  team: "payments",\n  sidecars: {\n    proxy: {\n      env: { AWS_ACCESS_KEY_ID: "AKIA${"QX7Z".repeat(4)}" },\n    },\n  },`,
    );
    const d = only(withCode(await rejection(plan({ root: p.root, skipTypecheck: true })), "secrets/plaintext"));
    expectAt(d, "stacks/payments.ts", lineOf(text, "AWS_ACCESS_KEY_ID"));
    expect(d.message).toContain("sidecars.proxy.env.AWS_ACCESS_KEY_ID");
  });

  it("names Kubernetes 1.29 in the Prerequisites of the clusters where an app has sidecars", async () => {
    const p = withContainers();
    const readme = (await plan({ root: p.root, skipTypecheck: true })).plan.files.find((f) => f.path === "README.md")!.content;
    expect(readme).toContain("the pods of payments have native sidecars");
  });
});
