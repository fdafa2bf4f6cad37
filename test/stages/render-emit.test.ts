import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import type { Blueprint, KubernetesObject } from "sluice";
import { service } from "../../lib/blueprints/service.js";
import { validate } from "../../src/pipeline/validate/validate.js";
import { appSpec, loaded, platformSpec } from "../helpers/model.js";
import { planModel, renderedOf } from "../helpers/pipeline.js";

function planOf(apps: Record<string, unknown>, blueprint: Blueprint = service) {
  return planModel(validate("/nowhere", loaded(platformSpec(), apps)), blueprint);
}

function build(apps: Record<string, unknown>, blueprint: Blueprint = service) {
  return renderedOf(planOf(apps, blueprint));
}

describe("render", () => {
  it("files all of an app instance's objects in apps/<app>/<cluster>/manifest.yaml with namespace, labels and origin", () => {
    const rendered = build({
      web: appSpec({
        objects: [{ apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: "web-public", labels: { tier: "edge" } } }],
      }),
    });
    const dev = rendered.objects.filter((o) => o.path === "apps/web/dev-1/manifest.yaml");
    // The blueprint's objects first, then the raw objects in the order written.
    expect(dev.map((o) => o.object.kind)).toEqual(["ServiceAccount", "ConfigMap", "Deployment", "Service", "Ingress"]);
    const ingress = dev.find((o) => o.object.kind === "Ingress")!;
    expect(ingress.object.metadata.namespace).toBe("shop");
    expect(ingress.object.metadata.labels).toEqual({
      tier: "edge",
      "app.kubernetes.io/instance": "web",
      "app.kubernetes.io/managed-by": "sluice",
      "app.kubernetes.io/name": "web",
      // The team's system (app.kubernetes.io/part-of defaults to the team).
      "app.kubernetes.io/part-of": "shop",
    });
    expect(ingress.origin).toMatchObject({ file: "stacks/web.ts", path: ["objects", 0] });
    expect(ingress.sources).toEqual(["stacks/platform.ts", "stacks/web.ts"]);
  });

  it("renders each cluster's Argo CD root, Applications, AppProjects and Namespaces", () => {
    const rendered = build({ web: appSpec(), jobs: appSpec({ namespace: "shop-jobs", release: { dev: "1.0.0" } }) });
    const onCluster = (cluster: string) =>
      [...new Set(rendered.objects.filter((o) => o.path.startsWith(`clusters/${cluster}/`)).map((o) => o.path))].sort();
    expect(onCluster("dev-1")).toEqual([
      "clusters/dev-1/apps/jobs.yaml",
      "clusters/dev-1/apps/web.yaml",
      "clusters/dev-1/namespaces/shop-jobs.yaml",
      "clusters/dev-1/namespaces/shop.yaml",
      "clusters/dev-1/projects/shop.yaml",
      "clusters/dev-1/projects/sluice-platform.yaml",
      "clusters/dev-1/root.yaml",
    ]);
    // jobs is not on prod-1, yet the team's project and namespaces are: they do
    // not come and go with the apps, so removing an app never prunes them.
    expect(onCluster("prod-1")).toEqual([
      "clusters/prod-1/apps/web.yaml",
      "clusters/prod-1/namespaces/shop-jobs.yaml",
      "clusters/prod-1/namespaces/shop.yaml",
      "clusters/prod-1/projects/shop.yaml",
      "clusters/prod-1/projects/sluice-platform.yaml",
      "clusters/prod-1/root.yaml",
    ]);
    const project = rendered.objects.find((o) => o.path === "clusters/prod-1/projects/shop.yaml")!.object as KubernetesObject & {
      spec: { destinations: { namespace: string }[] };
    };
    expect(project.spec.destinations.map((d) => d.namespace)).toEqual(["shop", "shop-jobs"]);
    const app = rendered.objects.find((o) => o.path === "clusters/dev-1/apps/web.yaml")!.object as KubernetesObject & {
      spec: { source: { path: string }; syncPolicy: unknown };
      metadata: { finalizers?: string[] };
    };
    expect(app.spec.source.path).toBe("apps/web/dev-1");
    const retry = { limit: 10, backoff: { duration: "30s", factor: 2, maxDuration: "5m" } };
    const syncOptions = ["FailOnSharedResource=true"];
    expect(app.spec.syncPolicy).toEqual({ automated: { prune: true, selfHeal: true }, syncOptions, retry });
    expect(app.metadata.finalizers).toEqual(["resources-finalizer.argocd.argoproj.io"]);
    const prodApp = rendered.objects.find((o) => o.path === "clusters/prod-1/apps/web.yaml")!.object as typeof app;
    expect(prodApp.spec.syncPolicy).toEqual({ automated: { prune: false, selfHeal: true }, syncOptions, retry });
    expect(prodApp.metadata.finalizers).toBeUndefined();
  });

  it("points Argo CD and CODEOWNERS below envRepo.path when out/ lives in a subdirectory of the env repo", () => {
    const spec = { ...platformSpec(), envRepo: { url: "https://git.example.com/env.git", revision: "release", path: "deploy/k8s" } };
    const model = validate("/nowhere", loaded(spec, { web: appSpec({ release: { dev: "1.0.0" } }) }));
    const rendered = renderedOf(planModel(model));
    const source = (path: string) =>
      (rendered.objects.find((o) => o.path === path)!.object as KubernetesObject & { spec: { source: unknown } }).spec.source;
    expect(source("clusters/dev-1/root.yaml")).toEqual({
      repoURL: "https://git.example.com/env.git",
      targetRevision: "release",
      path: "deploy/k8s/clusters/dev-1",
    });
    expect(source("clusters/dev-1/apps/web.yaml")).toMatchObject({ path: "deploy/k8s/apps/web/dev-1" });
    const codeowners = rendered.documents.find((d) => d.path === "CODEOWNERS")!.content;
    expect(codeowners).toContain("/deploy/k8s/apps/web/ @acme/shop");
    expect(codeowners).not.toMatch(/^\/apps\//m);
  });

  it("uses whatever blueprint it is given for the workload", () => {
    const cron: Blueprint = {
      name: "cron",
      render: (app) => [
        {
          apiVersion: "batch/v1",
          kind: "CronJob",
          metadata: { name: app.name },
          spec: {
            schedule: "0 * * * *",
            jobTemplate: { spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "job", image: app.imageRef }] } } } },
          },
        },
      ],
    };
    const rendered = build({ web: appSpec({ release: { dev: "1.0.0" } }) }, cron);
    expect(rendered.objects.filter((o) => o.path.startsWith("apps/")).map((o) => `${o.path} ${o.object.kind}`)).toEqual([
      "apps/web/dev-1/manifest.yaml CronJob",
    ]);
  });
});

describe("emit", () => {
  it("writes each app instance as one YAML stream, one document per object, and nothing else under apps/", () => {
    const plan = planOf({ web: appSpec({ release: { dev: "1.0.0" } }) });
    expect(plan.files.map((f) => f.path).filter((p) => p.startsWith("apps/"))).toEqual(["apps/web/dev-1/manifest.yaml"]);
    const manifest = plan.files.find((f) => f.path === "apps/web/dev-1/manifest.yaml")!;
    const documents = parseAllDocuments(manifest.content).map((d) => d.toJS() as KubernetesObject);
    expect(documents.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      "ServiceAccount/web",
      "ConfigMap/web",
      "Deployment/web",
      "Service/web",
    ]);
    expect(manifest.objects.map((o) => o.kind)).toEqual(documents.map((d) => d.kind));
  });

  it("adds a kustomization to every directory under clusters/, listing its files and object subdirectories", () => {
    const plan = planOf({ web: appSpec({ release: { dev: "1.0.0" } }) });
    const kustomization = (path: string) => parse(plan.files.find((f) => f.path === path)!.content) as { resources: string[] };
    expect(plan.files.filter((f) => f.path.endsWith("kustomization.yaml") && !f.path.startsWith("clusters/"))).toEqual([]);
    expect(kustomization("clusters/dev-1/kustomization.yaml").resources).toEqual(["apps", "namespaces", "projects", "root.yaml"]);
    expect(kustomization("clusters/dev-1/apps/kustomization.yaml").resources).toEqual(["web.yaml"]);
    // prod clusters have no app yet but still get a root, and the team's project and namespaces.
    expect(kustomization("clusters/prod-2/kustomization.yaml").resources).toEqual(["namespaces", "projects", "root.yaml"]);
    expect(kustomization("clusters/prod-2/projects/kustomization.yaml").resources).toEqual(["shop.yaml", "sluice-platform.yaml"]);
  });

  it("writes a sorted plan and a lock naming every other file and its stacks, without hashes", () => {
    const plan = planOf({ web: appSpec() });
    const paths = plan.files.map((f) => f.path);
    expect(paths).toEqual([...paths].sort());
    const lockFile = plan.files.find((f) => f.path === ".sluice/lock.json")!;
    const lock = JSON.parse(lockFile.content) as typeof plan.lock;
    expect(lock).toEqual(plan.lock);
    expect(lock.lockVersion).toBe(2);
    expect(Object.keys(lock.files).sort()).toEqual(paths.filter((p) => p !== ".sluice/lock.json"));
    expect(lockFile.content).not.toMatch(/sha256|[0-9a-f]{40}/);
    // One file per line, so that pull requests adding different files touch different lines.
    expect(lockFile.content.split("\n").filter((line) => line.includes('"sources"'))).toHaveLength(paths.length - 1);
    expect(lock.files["apps/web/prod-2/manifest.yaml"]!.sources).toEqual(["stacks/platform.ts", "stacks/web.ts"]);
    expect(plan.files.find((f) => f.path === "apps/web/prod-2/manifest.yaml")!.objects[2]).toMatchObject({
      kind: "Deployment",
      name: "web",
      namespace: "shop",
      origin: { file: "stacks/web.ts" },
    });
  });

  it("refuses two objects with one identity on a cluster, naming both origins", () => {
    const clash = appSpec({
      release: { dev: "1.0.0" },
      objects: [{ apiVersion: "v1", kind: "Service", metadata: { name: "web" } }],
    });
    expect(() => planOf({ web: clash })).toThrow(/Service shop\/web is rendered twice on cluster dev-1[\s\S]*stacks\/web\.ts/);
  });
});
