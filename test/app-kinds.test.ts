/**
 * App kinds: a service, worker, cron job, job and stateful service, each
 * chosen per app and rendered by the built-in blueprint of its kind. The
 * example stacks hold one of each (stacks/catalog-api.ts, price-sync.ts,
 * price-report.ts, payments-migrate.ts, search-index.ts); every emitted object
 * is also held to its strict schema and built with kustomize by
 * test/emitted-objects.test.ts.
 */
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { plan, promote, synth } from "sluice";
import { instanceNeeds } from "../src/pipeline/resolve/instance-needs.js";
import { loadModel } from "../src/synth.js";
import { jobName } from "../lib/blueprints/job.js";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { gitAt, T0 } from "./helpers/mid-rollout.js";
import { exampleStacks, makeProject, type Project } from "./helpers/project.js";
import { edit, expectAt, lineOf, only, rejection, withCode } from "./helpers/stack-edit.js";

interface Obj {
  kind: string;
  metadata: { name: string };
  spec?: any;
}

const manifest = (p: Project, app: string, cluster: string): Obj[] =>
  parseAllDocuments(p.read(`out/apps/${app}/${cluster}/manifest.yaml`)).map((d) => d.toJS() as Obj);
const kinds = (objects: readonly Obj[]) => objects.map((o) => o.kind);
const one = (objects: readonly Obj[], kind: string): Obj => {
  const found = objects.filter((o) => o.kind === kind);
  expect(found, `exactly one ${kind}`).toHaveLength(1);
  return found[0]!;
};

describe("each kind renders its workload", () => {
  const p = synthesizedExample();

  it("a service: Deployment, Service, and a PodDisruptionBudget and autoscaler where it runs two pods or autoscales", () => {
    const objects = kinds(manifest(p, "search", "staging-1"));
    expect(objects).toEqual(
      expect.arrayContaining(["ServiceAccount", "Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler"]),
    );
    expect(objects).not.toContain("StatefulSet");
  });

  it("a worker: a Deployment and no Service", () => {
    const objects = manifest(p, "price-sync", "dev-1");
    expect(kinds(objects)).toContain("Deployment");
    expect(kinds(objects)).not.toContain("Service");
  });

  it("a cron job: its schedule, time zone and limits, suspended only where its environment says so, skipping a run while the last one runs", () => {
    const dev = one(manifest(p, "price-report", "dev-1"), "CronJob");
    const staging = one(manifest(p, "price-report", "staging-1"), "CronJob");
    expect(staging.spec).toMatchObject({
      schedule: "30 2 * * *",
      timeZone: "Europe/Berlin",
      concurrencyPolicy: "Forbid",
      jobTemplate: { spec: { activeDeadlineSeconds: 1800, backoffLimit: 2, template: { spec: { restartPolicy: "Never" } } } },
    });
    expect(staging.spec.suspend).toBeUndefined();
    expect(dev.spec.suspend).toBe(true);
    expect(staging.spec.jobTemplate.spec.template.spec.containers[0].image).toBe("registry.example.com/storefront/price-report:2.3.1");
    expect(kinds(manifest(p, "price-report", "staging-1"))).not.toContain("Deployment");
  });

  it("a job: named after its release, run to completion once, before the app that depends on it", () => {
    const job = one(manifest(p, "payments-migrate", "staging-1"), "Job");
    expect(job.metadata.name).toBe("payments-migrate-1-6-3");
    expect(job.spec.template.spec.restartPolicy).toBe("Never");
    expect(job.spec.ttlSecondsAfterFinished).toBeUndefined();
    // payments waits for it: a later Argo CD sync wave on the same cluster.
    const wave = (app: string) => /argocd\.argoproj\.io\/sync-wave: "(\d+)"/.exec(p.read(`out/clusters/staging-1/apps/${app}.yaml`))?.[1];
    expect(Number(wave("payments"))).toBeGreaterThan(Number(wave("payments-migrate")));
  });

  it("a stateful service: a StatefulSet with a volume per pod, behind a headless Service of its name", () => {
    const objects = manifest(p, "search-index", "staging-1");
    const set = one(objects, "StatefulSet");
    expect(set.spec).toMatchObject({ serviceName: "search-index", replicas: 3, podManagementPolicy: "Parallel" });
    expect(set.spec.volumeClaimTemplates).toEqual([
      {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: { name: "data" },
        spec: { accessModes: ["ReadWriteOnce"], volumeMode: "Filesystem", resources: { requests: { storage: "10Gi" } } },
      },
    ]);
    expect(set.spec.template.spec.containers[0].volumeMounts).toContainEqual({ name: "data", mountPath: "/var/lib/index" });
    expect(set.spec.template.spec.containers[0].livenessProbe).toEqual({ exec: { command: ["/bin/index-check", "--live"] } });
    expect(one(objects, "Service").spec.clusterIP).toBe("None");
    expect(kinds(objects)).toContain("PodDisruptionBudget");
  });
});

describe("a job's name carries its release", () => {
  it("as a DNS label of at most 63 characters, unique per release", () => {
    expect(jobName("migrate", "1.6.3")).toBe("migrate-1-6-3");
    expect(jobName("migrate", "v2.0.0-rc.1")).toBe("migrate-v2-0-0-rc-1");
    expect(jobName("migrate", `sha256:${"ab".repeat(32)}`)).toBe("migrate-abababababab");
    expect(jobName("migrate", `1.10@sha256:${"cd".repeat(32)}`)).toBe("migrate-1-10-cdcdcdcdcdcd");
    const long = "a".repeat(60);
    const names = ["1.0.0", "1.0.1"].map((release) => jobName(long, release));
    for (const name of names) expect(name).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
    expect(new Set(names).size).toBe(2);
  });
});

describe("a setting of another kind", () => {
  it("a schedule on a service does not compile, at its line", async () => {
    const p = makeProject(exampleStacks());
    const text = edit(p, "stacks/catalog-api.ts", '  team: "storefront",', '  team: "storefront",\n  schedule: "0 3 * * *",');
    const d = only(await rejection(plan({ root: p.root })));
    expect(d.code).toMatch(/^typecheck\/TS\d+$/);
    expectAt(d, "stacks/catalog-api.ts", lineOf(text, "schedule:"));
  });

  it("ports on a cron job, and replicas in its environment override, do not compile, each at its line", async () => {
    const p = makeProject(exampleStacks());
    let text = edit(p, "stacks/price-report.ts", '  schedule: "30 2 * * *",', '  schedule: "30 2 * * *",\n  ports: { http: 8080 },');
    text = edit(p, "stacks/price-report.ts", "dev: { suspend: true }", "dev: { suspend: true, replicas: 2 }");
    const diagnostics = await rejection(plan({ root: p.root }));
    expect(diagnostics.every((d) => /^typecheck\/TS\d+$/.test(d.code))).toBe(true);
    expect(diagnostics.map((d) => d.origin?.line).sort()).toEqual([lineOf(text, "ports:"), lineOf(text, "replicas: 2")].sort());
  });

  it("without the type-check, is an error at its line that names the kinds it is for; nothing is written", async () => {
    const p = makeProject(exampleStacks());
    const text = edit(
      p,
      "stacks/price-report.ts",
      '  schedule: "30 2 * * *",',
      '  schedule: "30 2 * * *",\n  autoscaling: { min: 2, max: 4 },',
    );
    const d = only(withCode(await rejection(synth({ root: p.root, skipTypecheck: true })), "validate/kind-setting"));
    expectAt(d, "stacks/price-report.ts", lineOf(text, "autoscaling:"));
    expect(d.message).toBe("autoscaling is not a setting of a cronJob app");
    expect(d.hint).toContain("service and worker");
    expect(p.exists("out")).toBe(false);
  });

  it("a platform's default of another kind is not an error, and does not reach the app", async () => {
    const p = makeProject(exampleStacks());
    edit(
      p,
      "stacks/platform.ts",
      "  environments: {\n    dev: {",
      '  environments: {\n    dev: {\n      schedule: "0 4 * * *",\n      volumeClaims: { data: { size: "1Gi" } },',
    );
    await synth({ root: p.root, skipTypecheck: true });
    expect(one(manifest(p, "price-report", "dev-1"), "CronJob").spec.schedule).toBe("30 2 * * *");
    expect(p.read("out/apps/search/dev-1/manifest.yaml")).not.toMatch(/schedule|volumeClaimTemplates/);
  });
});

describe("what an instance needs from its cluster", () => {
  it("follows its kind: a cron job in an environment that autoscales by default needs no metrics-server", async () => {
    const p = makeProject(exampleStacks());
    edit(p, "stacks/platform.ts", "  environments: {\n    dev: {", "  environments: {\n    dev: {\n      autoscaling: { min: 2, max: 4 },");
    const model = await loadModel({ root: p.root, skipTypecheck: true });
    const app = (name: string) => model.apps.find((a) => a.name === name)!;
    const dev = model.platform.clusters.find((c) => c.name === "dev-1")!;
    expect(instanceNeeds(model.platform, app("price-report"), dev).autoscaled).toBe(false);
    expect(instanceNeeds(model.platform, app("price-sync"), dev).autoscaled).toBe(true);
  });
});

describe("a cron job's schedule", () => {
  it.each([
    ["61 * * * *", 'has "61" in its minute, which takes 0–59'],
    ["* * * *", "has 4 fields; a schedule has five"],
    ["TZ=Europe/Berlin 0 3 * * *", "set timeZone instead"],
    ["@every 5m", "Kubernetes does not document"],
    ["0 3 * * 1-0", "runs backwards"],
  ])("%s is an error at its line", async (schedule, message) => {
    const p = makeProject(exampleStacks());
    const text = edit(p, "stacks/price-report.ts", '  schedule: "30 2 * * *",', `  schedule: ${JSON.stringify(schedule)},`);
    const d = only(await rejection(plan({ root: p.root, skipTypecheck: true })));
    expectAt(d, "stacks/price-report.ts", lineOf(text, "schedule:"));
    expect(d.message).toContain(message);
  });

  it("and its time zone come from the tz database", async () => {
    const p = makeProject(exampleStacks());
    const text = edit(p, "stacks/price-report.ts", '"Europe/Berlin"', '"Europe/Berlín"');
    const d = only(await rejection(plan({ root: p.root, skipTypecheck: true })));
    expectAt(d, "stacks/price-report.ts", lineOf(text, "timeZone:"));
  });

  it("is required of a cron job", async () => {
    const p = makeProject(exampleStacks());
    edit(p, "stacks/price-report.ts", '  schedule: "30 2 * * *",\n', "");
    const d = only(withCode(await rejection(plan({ root: p.root, skipTypecheck: true })), "validate/schedule-missing"));
    expect(d.origin?.file).toBe("stacks/price-report.ts");
  });
});

describe("releases move every kind", () => {
  it("a release bump of the cron job moves exactly its image in exactly its wave's files", async () => {
    const p = synthesizedExample();
    edit(p, "stacks/price-report.ts", 'staging: "2.3.1"', 'staging: "2.3.2"');
    const before = manifest(p, "price-report", "staging-1");
    const result = await synth({ root: p.root, skipTypecheck: true });
    expect(result.write?.written.filter((file) => !file.startsWith(".sluice/"))).toEqual(["apps/price-report/staging-1/manifest.yaml"]);
    const after = manifest(p, "price-report", "staging-1");
    const image = (objects: Obj[]) => one(objects, "CronJob").spec.jobTemplate.spec.template.spec.containers[0].image;
    expect(image(after)).toBe("registry.example.com/storefront/price-report:2.3.2");
    // Nothing else in the file changed but the image and the version label.
    const strip = (objects: Obj[]) => JSON.stringify(objects).replaceAll("2.3.1", "X").replaceAll("2.3.2", "X");
    expect(strip(after)).toBe(strip(before));
  });

  it("promote moves the cron job to the next wave", async () => {
    const p = makeProject(exampleStacks());
    p.write(".gitignore", "node_modules\n");
    await synth({ root: p.root, skipTypecheck: true });
    const git = gitAt(p, T0);
    await git.init(["--initial-branch=main"]);
    await git.addConfig("user.email", "ci@example.com").addConfig("user.name", "CI");
    await git.add(".").commit("price-report 2.4.0 in dev");
    const now = new Date(T0.getTime() + 3 * 3_600_000);
    const result = await promote({ root: p.root, app: "price-report", skipTypecheck: true, now });
    expect(result).toMatchObject({ app: "price-report", version: "2.4.0", from: "dev", to: "staging" });
    expect(p.read("stacks/price-report.ts")).toContain('staging: "2.4.0"');
    const image = one(manifest(p, "price-report", "staging-1"), "CronJob").spec.jobTemplate.spec.template.spec.containers[0].image;
    expect(image).toBe("registry.example.com/storefront/price-report:2.4.0");
  });

  it("a new release of a job is a new Job, so it runs again", async () => {
    const p = synthesizedExample();
    edit(p, "stacks/payments-migrate.ts", 'staging: "1.6.3"', 'staging: "1.6.4"');
    await synth({ root: p.root, skipTypecheck: true });
    expect(one(manifest(p, "payments-migrate", "staging-1"), "Job").metadata.name).toBe("payments-migrate-1-6-4");
  });
});
