import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { plan, synth } from "sluice";
import { exampleStacks, makeProject, REPO } from "./helpers/project.js";
import { apiServerProblems, schemaFor } from "./helpers/schemas.js";

/** A parsed manifest; read loosely, as a reviewer reads YAML. */
interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
}

const ENV_REPO = "https://git.example.com/platform/env-repo.git"; // stacks/platform.ts
/** The example's one Flux cluster (stacks/platform.ts); every other runs Argo CD. */
const FLUX_CLUSTERS = new Set(["prod-ap-1"]);
/** The example's spokes, by their hub (stacks/platform.ts): their Argo CD objects live in the hub's Argo CD. */
const HUB_OF: Record<string, string> = { "prod-us-west-1": "prod-us-1", "prod-us-central-1": "prod-us-1" };
/** Where what is applied to the cluster itself lives: a spoke's in clusters/<spoke>/spoke. */
const onCluster = (cluster: string) => (Object.hasOwn(HUB_OF, cluster) ? `clusters/${cluster}/spoke` : `clusters/${cluster}`);
/** The cluster whose Argo CD holds a cluster's Applications and projects. */
const argoHome = (cluster: string) => HUB_OF[cluster] ?? cluster;
const VERSION = "app.kubernetes.io/version";
const dirname = path.posix.dirname;
const isKustomization = (file: string) => path.posix.basename(file) === "kustomization.yaml";
const identity = (o: { apiVersion: string; kind: string; namespace?: string | undefined; name: string }) =>
  `${o.apiVersion} ${o.kind} ${o.namespace ?? "-"}/${o.name}`;
const idOf = (o: Obj) => identity({ ...o, ...o.metadata });

function parseObjects(where: string, content: string): Obj[] {
  return parseAllDocuments(content).flatMap((doc) => {
    if (doc.errors.length > 0) throw new Error(`${where}: invalid YAML: ${doc.errors.map((e) => e.message).join("; ")}`);
    return doc.contents === null ? [] : [doc.toJS() as Obj];
  });
}

const planned = await plan({ root: REPO });
const files = new Map(planned.plan.files.map((f) => [f.path, f]));
const objectFiles = [...files.keys()].filter((f) => f.endsWith(".yaml") && !isKustomization(f));
const objects = objectFiles.flatMap((file) => parseObjects(`out/${file}`, files.get(file)!.content).map((object) => ({ file, object })));
/** apps/<app>/<cluster>: one app's manifests on one cluster. */
const appDirs = [...new Set(objectFiles.filter((f) => f.startsWith("apps/")).map(dirname))].sort();
const inDir = (dir: string) => objects.filter((o) => dirname(o.file) === dir).map((o) => o.object);
/** The app directories that hold a workload of this kind (each app kind renders its own). */
const withKind = (kind: string) => appDirs.filter((dir) => inDir(dir).some((o) => o.kind === kind));
const ofKind = (kind: string) => objects.filter((o) => o.object.kind === kind);
function only(dir: string, kind: string): Obj {
  const found = inDir(dir).filter((o) => o.kind === kind);
  expect(found, `out/${dir} should hold exactly one ${kind}`).toHaveLength(1);
  return found[0]!;
}
function at(file: string): Obj {
  const found = objects.filter((o) => o.file === file);
  expect(found, `out/${file} should hold exactly one object`).toHaveLength(1);
  return found[0]!.object;
}
const container = (deployment: Obj) =>
  (deployment.spec.template.spec.containers as { name: string; resources?: unknown }[]).find((c) => c.name === deployment.metadata.name);

describe("schemas", () => {
  it("the checks themselves reject a broken object, a bad label and an unknown kind", () => {
    const deployment = ofKind("Deployment")[0]!.object;
    expect(() => schemaFor("apps/v1", "Deployment")!({ ...deployment, spec: { ...deployment.spec, replicas: "two" } })).toThrow(/replicas/);
    expect(schemaFor("example.com/v1", "Widget")).toBeUndefined();
    expect(apiServerProblems({ metadata: { name: "Search_1", labels: { [VERSION]: "sha256:4f1c" } } })).toHaveLength(2);
  });

  it.each(objectFiles)("out/%s matches its published schema", (file) => {
    const held = objects.filter((o) => o.file === file).map((o) => o.object);
    expect(held.map(idOf), `out/${file}: the plan records other objects than the file holds`).toEqual(
      files.get(file)!.objects.map(identity),
    );
    for (const object of held) {
      const validate = schemaFor(object.apiVersion, object.kind);
      if (!validate)
        throw new Error(`out/${file}: no schema for ${object.apiVersion} ${object.kind}; add its model to test/helpers/schemas.ts`);
      try {
        validate(object);
      } catch (error) {
        throw new Error(`out/${file}: ${object.kind} ${object.metadata.name} breaks its schema: ${(error as Error).message}`);
      }
      expect(apiServerProblems(object), `out/${file}`).toEqual([]);
    }
  });

  it.each([...files.keys()].filter(isKustomization))("out/%s is a sorted Kustomization of exactly its directory", (file) => {
    const dir = dirname(file);
    const kustomization = parse(files.get(file)!.content) as { apiVersion?: string; kind?: string; resources?: string[] };
    expect(kustomization.apiVersion).toBe("kustomize.config.k8s.io/v1beta1");
    expect(kustomization.kind).toBe("Kustomization");
    const resources = kustomization.resources ?? [];
    expect(resources, `out/${file}: resources must be sorted`).toEqual([...resources].sort());
    for (const entry of resources) {
      const target = `${dir}/${entry}`;
      const exists = files.has(target) || files.has(`${target}/kustomization.yaml`);
      expect(exists, `out/${file} lists ${entry}: no such file or kustomize directory`).toBe(true);
    }
    // A manifest beside a kustomization that does not list it is never deployed.
    const children = [...files.keys()].flatMap((f) => {
      if (!f.startsWith(`${dir}/`) || f === file) return [];
      const [head = "", ...rest] = f.slice(dir.length + 1).split("/");
      if (rest.length === 0) return head.endsWith(".yaml") ? [head] : [];
      // A spoke's spoke/ is applied to the spoke by its own Application (clusters/<spoke>/spoke.yaml), not listed.
      if (`${dir}/${head}` === `clusters/${dir.split("/")[1]}/spoke` && Object.hasOwn(HUB_OF, dir.split("/")[1]!)) return [];
      return files.has(`${dir}/${head}/kustomization.yaml`) ? [head] : [];
    });
    expect(resources, `out/${file} must list every manifest and kustomize directory in out/${dir}`).toEqual([...new Set(children)].sort());
  });

  it("every file under clusters/ sits next to a kustomization.yaml, so `kubectl apply -k clusters/<cluster>` bootstraps it", () => {
    expect(objectFiles.filter((f) => f.startsWith("clusters/") && !files.has(`${dirname(f)}/kustomization.yaml`))).toEqual([]);
  });

  it("an app instance is two files: its manifest.yaml and its Application", () => {
    const instanceFiles = [...files.keys()].filter((f) => f.startsWith("apps/"));
    expect(instanceFiles.filter((f) => path.posix.basename(f) !== "manifest.yaml")).toEqual([]);
    expect(instanceFiles.map(dirname)).toEqual(appDirs);
    const applications = [...files.keys()].filter((f) => /^clusters\/[^/]+\/apps\/[^/]+\.yaml$/.test(f) && !isKustomization(f));
    expect(applications.map((f) => `apps/${path.posix.basename(f, ".yaml")}/${f.split("/")[1]}`).sort()).toEqual(appDirs);
  });
});

const hasKubectl = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" }).status === 0;
if (!hasKubectl) console.warn("emitted-objects.test.ts: kubectl not installed, so `kubectl kustomize` is NOT run on out/");
const project = makeProject(exampleStacks());
await synth({ root: project.root });
const written = project.tree();

/** What `kubectl kustomize out/<dir>` must print: the objects of its listed files, through listed directories. */
function expectedBuild(dir: string): string[] {
  // An app's directory holds its manifest alone; a preview's has a kustomization (namespace, resources) too.
  if (written[`${dir}/manifest.yaml`] !== undefined && written[`${dir}/kustomization.yaml`] === undefined)
    return parseObjects(`out/${dir}/manifest.yaml`, written[`${dir}/manifest.yaml`]!).map(idOf);
  const kustomization = parse(written[`${dir}/kustomization.yaml`] ?? "") as { resources?: string[] } | null;
  return (kustomization?.resources ?? []).flatMap((entry) => {
    const content = written[`${dir}/${entry}`];
    return content === undefined ? expectedBuild(`${dir}/${entry}`) : parseObjects(`out/${dir}/${entry}`, content).map(idOf);
  });
}

describe("kubectl kustomize", () => {
  it("synth writes exactly the planned files into a fresh project", () => {
    expect(written).toEqual(Object.fromEntries([...files.values()].map((f) => [f.path, f.content])));
  });

  const dirs = Object.keys(written).filter(isKustomization).map(dirname);
  it.skipIf(!hasKubectl).each(dirs)(
    hasKubectl ? "builds out/%s with every object it lists" : "kubectl not installed: skipped `kubectl kustomize out/%s`",
    (dir) => {
      const run = spawnSync("kubectl", ["kustomize", path.join(project.root, "out", dir)], { encoding: "utf8" });
      expect(run.status, `kubectl kustomize out/${dir} failed:\n${run.stderr}`).toBe(0);
      const built = parseObjects(`kubectl kustomize out/${dir}`, run.stdout).map(idOf).sort();
      const expected = expectedBuild(dir).sort();
      expect(built, `kubectl kustomize out/${dir}: number of documents`).toHaveLength(expected.length);
      expect(built).toEqual(expected);
    },
  );

  // Argo CD and Flux deploy an app's directory of plain YAML as it is; kustomize
  // needs a kustomization.yaml, so the test adds one beside a copy.
  it.skipIf(!hasKubectl).each(appDirs)(
    hasKubectl ? "builds out/%s/manifest.yaml, every document of it" : "kubectl not installed: skipped kustomize of out/%s",
    (dir) => {
      const copy = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-manifest-"));
      try {
        fs.copyFileSync(path.join(project.root, "out", dir, "manifest.yaml"), path.join(copy, "manifest.yaml"));
        fs.writeFileSync(path.join(copy, "kustomization.yaml"), "resources:\n  - manifest.yaml\n");
        const run = spawnSync("kubectl", ["kustomize", copy], { encoding: "utf8" });
        expect(run.status, `kubectl kustomize out/${dir} failed:\n${run.stderr}`).toBe(0);
        expect(parseObjects(`kubectl kustomize out/${dir}`, run.stdout).map(idOf).sort()).toEqual(expectedBuild(dir).sort());
      } finally {
        fs.rmSync(copy, { recursive: true, force: true });
      }
    },
  );
});

describe("invariants", () => {
  /** The app an object belongs to: its apps/<app>/ directory, or the Application clusters/<cluster>/apps/<app>.yaml. */
  function appOf(file: string, object: Obj): string | undefined {
    // An app's preview (previews/<app>/<cluster>/) is the app's too.
    const manifest = /^apps\/([^/]+)\/[^/]+\/[^/]+$/.exec(file) ?? /^previews\/([^/]+)\/[^/]+\/manifest\.yaml$/.exec(file);
    const application = /^clusters\/[^/]+\/apps\/([^/]+)\.yaml$/.exec(file);
    return manifest?.[1] ?? (object.kind === "Application" ? application?.[1] : undefined);
  }

  it("every object carries the recommended labels; only pods carry the version, and GitOps objects no instance label", () => {
    const problems: string[] = [];
    for (const { file, object } of objects) {
      const labels = object.metadata.labels ?? {};
      for (const key of ["name", "part-of"].map((k) => `app.kubernetes.io/${k}`)) {
        if (!labels[key]) problems.push(`out/${file}: no ${key}`);
      }
      if (labels["app.kubernetes.io/managed-by"] !== "sluice") problems.push(`out/${file}: managed-by is not sluice`);
      // A release bump must change the pods alone, not every object's labels.
      if (labels[VERSION]) problems.push(`out/${file}: ${object.kind} ${object.metadata.name} carries ${VERSION}`);
      const app = appOf(file, object);
      if (app !== undefined && labels["app.kubernetes.io/name"] !== app) problems.push(`out/${file}: name label is not ${app}`);
      // Argo CD's label tracking reads app.kubernetes.io/instance as "owned by the Application of that name".
      const gitops = file.startsWith("clusters/");
      if (gitops && labels["app.kubernetes.io/instance"]) problems.push(`out/${file}: GitOps object carries app.kubernetes.io/instance`);
      if (!gitops && labels["app.kubernetes.io/instance"] !== app) problems.push(`out/${file}: instance label is not ${app}`);
    }
    for (const { file, object } of ofKind("Deployment")) {
      const image: string = object.spec.template.spec.containers[0].image;
      const release = image.includes("@") ? `sha256-${image.split("@sha256:")[1]!.slice(0, 12)}` : image.split(":").pop();
      expect(object.spec.template.metadata.labels[VERSION], `out/${file}: pods' version`).toBe(release);
    }
    expect(problems).toEqual([]);
  });

  it("every Deployment selects its pods by a version-free subset of their labels, as do its Service and PDB", () => {
    expect(ofKind("Deployment").length).toBeGreaterThan(0);
    for (const { file, object } of ofKind("Deployment")) {
      const selector: Record<string, string> = object.spec.selector?.matchLabels ?? {};
      const podLabels: Record<string, string> = object.spec.template.metadata.labels ?? {};
      expect(Object.keys(selector), `out/${file}: empty selector`).not.toHaveLength(0);
      expect(podLabels, `out/${file}: selector is not a subset of the pod labels`).toMatchObject(selector);
      expect(selector, `out/${file}: a selector is immutable, so it must not hold the version`).not.toHaveProperty([VERSION]);
      for (const other of inDir(dirname(file))) {
        const otherSelector =
          other.kind === "Service"
            ? other.spec.selector
            : other.kind === "PodDisruptionBudget"
              ? other.spec.selector.matchLabels
              : undefined;
        if (otherSelector) expect(podLabels, `out/${file}: the ${other.kind} selects other pods`).toMatchObject(otherSelector);
      }
    }
  });

  it("wherever an HPA runs, the Deployment leaves replicas to it and Argo CD ignores them", () => {
    for (const dir of withKind("Deployment")) {
      const [, app, cluster] = dir.split("/");
      const deployment = only(dir, "Deployment");
      const hpa = inDir(dir).find((o) => o.kind === "HorizontalPodAutoscaler");
      const application = at(`clusters/${cluster}/apps/${app}.yaml`);
      if (!hpa) {
        expect(deployment.spec.replicas, `out/${dir}: replicas`).toEqual(expect.any(Number));
        // Argo CD may ignore Reloader's pod template annotation there (secret-rotation.test.ts), never the replicas.
        for (const ignored of application.spec.ignoreDifferences ?? [])
          expect(ignored.jsonPointers, `${app} on ${cluster}`).not.toContain("/spec/replicas");
        continue;
      }
      if (FLUX_CLUSTERS.has(cluster!)) {
        // Flux applies server-side and owns only the fields it writes: with no replicas written, the HPA's stay.
        expect(application.kind).toBe("Kustomization");
        expect(deployment.spec, `out/${dir}: the HPA owns replicas`).not.toHaveProperty("replicas");
        continue;
      }
      expect(hpa.apiVersion).toBe("autoscaling/v2");
      expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: deployment.metadata.name });
      expect(deployment.spec, `out/${dir}: the HPA owns replicas`).not.toHaveProperty("replicas");
      // A CPU-utilization target means nothing without a CPU request to measure against.
      expect(container(deployment)?.resources, `out/${dir}: HPA on CPU but no CPU request`).toHaveProperty(["requests", "cpu"]);
      expect(application.spec.ignoreDifferences, `clusters/${cluster}/apps/${app}.yaml`).toContainEqual({
        group: "apps",
        kind: "Deployment",
        name: deployment.metadata.name,
        namespace: deployment.metadata.namespace,
        jsonPointers: expect.arrayContaining(["/spec/replicas"]),
      });
      expect(application.spec.syncPolicy?.syncOptions, `clusters/${cluster}/apps/${app}.yaml`).toContain("RespectIgnoreDifferences=true");
    }
  });

  it("search autoscales 2-10 on staging and 4-20 in prod, and runs one fixed replica on dev-1 (stacks/search.ts)", () => {
    const clusters = ["dev-1", "prod-ap-1", "prod-eu-1", "prod-us-1", "prod-us-central-1", "prod-us-west-1", "staging-1"];
    expect(appDirs.filter((d) => d.startsWith("apps/search/"))).toEqual(clusters.map((c) => `apps/search/${c}`));
    const cpu70 = [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }];
    for (const [cluster, min, max] of [
      ["staging-1", 2, 10],
      ["prod-eu-1", 4, 20],
      ["prod-us-1", 4, 20],
      ["prod-us-west-1", 4, 20],
      ["prod-us-central-1", 4, 20],
      ["prod-ap-1", 4, 20],
    ] as const) {
      const hpa = only(`apps/search/${cluster}`, "HorizontalPodAutoscaler");
      expect(hpa.spec, cluster).toMatchObject({ minReplicas: min, maxReplicas: max, metrics: cpu70 });
      expect(only(`apps/search/${cluster}`, "Deployment").spec, cluster).not.toHaveProperty("replicas");
      if (FLUX_CLUSTERS.has(cluster)) continue;
      const application = at(`clusters/${cluster}/apps/search.yaml`);
      expect(application.spec.ignoreDifferences).toEqual([
        expect.objectContaining({
          kind: "Deployment",
          name: "search",
          // In prod, Reloader restarts search's pods when its token changes (secretRotation: "reloader").
          jsonPointers: [
            "/spec/replicas",
            ...(cluster.startsWith("prod-") ? ["/spec/template/metadata/annotations/reloader.stakater.com~1last-reloaded-from"] : []),
          ],
        }),
      ]);
      expect(application.spec.syncPolicy.syncOptions).toContain("RespectIgnoreDifferences=true");
    }
    expect(inDir("apps/search/dev-1").map((o) => o.kind)).not.toContain("HorizontalPodAutoscaler");
    expect(only("apps/search/dev-1", "Deployment").spec.replicas).toBe(1);
    expect(at("clusters/dev-1/apps/search.yaml").spec).not.toHaveProperty("ignoreDifferences");
  });

  it("a PodDisruptionBudget exists exactly where at least two pods run, and never beside a job", () => {
    const cases = new Set<boolean>();
    for (const dir of [...withKind("Deployment"), ...withKind("StatefulSet")]) {
      const hpa = inDir(dir).find((o) => o.kind === "HorizontalPodAutoscaler");
      const workload = inDir(dir).find((o) => o.kind === "Deployment" || o.kind === "StatefulSet")!;
      const minPods: number = hpa?.spec.minReplicas ?? workload.spec.replicas ?? 1;
      const pdbs = inDir(dir).filter((o) => o.kind === "PodDisruptionBudget");
      expect(pdbs, `out/${dir} runs at least ${minPods} pods`).toHaveLength(minPods >= 2 ? 1 : 0);
      cases.add(minPods >= 2);
    }
    expect([...cases].sort(), "the examples should cover both cases").toEqual([false, true]);
    const jobs = [...withKind("Job"), ...withKind("CronJob")];
    expect(jobs.length).toBeGreaterThan(0);
    for (const dir of jobs)
      expect(
        inDir(dir).filter((o) => o.kind === "PodDisruptionBudget"),
        `out/${dir}`,
      ).toEqual([]);
  });

  it("payments runs 1 pod on dev-1, and 4 with limits in prod (stacks/payments.ts)", () => {
    expect(only("apps/payments/dev-1", "Deployment").spec.replicas).toBe(1);
    for (const cluster of ["prod-ap-1", "prod-eu-1", "prod-us-1"]) {
      const deployment = only(`apps/payments/${cluster}`, "Deployment");
      expect(deployment.spec.replicas, cluster).toBe(4);
      expect(container(deployment)?.resources, cluster).toEqual({
        requests: { cpu: "500m", memory: "512Mi" },
        limits: { cpu: "1", memory: "1Gi" },
      });
    }
  });

  it("catalog-api sets ENV_NAME on staging-1 only, and runs 3 pods with a 500m CPU limit in prod (stacks/catalog-api.ts)", () => {
    const dirs = appDirs.filter((d) => d.startsWith("apps/catalog-api/"));
    expect(dirs).toContain("apps/catalog-api/staging-1");
    for (const dir of dirs) {
      expect(only(dir, "ConfigMap").data?.ENV_NAME, `out/${dir}`).toBe(dir.endsWith("/staging-1") ? "staging" : undefined);
    }
    for (const cluster of ["prod-eu-1", "prod-us-1"]) {
      const deployment = only(`apps/catalog-api/${cluster}`, "Deployment");
      expect(deployment.spec.replicas, cluster).toBe(3);
      expect(container(deployment)?.resources, cluster).toMatchObject({ limits: { cpu: "500m" } });
    }
  });

  it("every Application deploys a directory sluice renders into a namespace its cluster's AppProject allows", () => {
    const deployed: string[] = [];
    for (const { file, object } of ofKind("Application")) {
      const cluster = file.split("/")[1]!;
      const { source, destination, project } = object.spec;
      if (file.startsWith(`clusters/${cluster}/components/`)) {
        // A platform component: a Helm chart at an exact version, in the components' project.
        expect(project, `out/${file}`).toBe("sluice-components");
        expect(source.targetRevision, `out/${file}`).toMatch(/^v?\d+\.\d+\.\d+/);
        continue;
      }
      expect(source.repoURL, `out/${file}`).toBe(ENV_REPO);
      const spokeRoot = /^clusters\/([^/]+)\/spokes\/([^/]+)\.yaml$/.exec(file);
      if (spokeRoot) {
        // A spoke's root, in its hub: the spoke's Argo CD objects, applied into the hub's Argo CD namespace.
        expect([project, source.path, destination], `out/${file}`).toEqual([
          "sluice-platform",
          `clusters/${spokeRoot[2]}`,
          { server: "https://kubernetes.default.svc", namespace: "argocd" },
        ]);
        expect(files.has(`${source.path}/kustomization.yaml`), `out/${file}`).toBe(true);
        continue;
      }
      if (file === `clusters/${cluster}/spoke.yaml`) {
        // What the spoke holds itself, applied to the spoke.
        expect([project, source.path], `out/${file}`).toEqual(["sluice-platform", `clusters/${cluster}/spoke`]);
        expect(destination.server, `out/${file}`).toBe(`https://${cluster}.k8s.example.com`);
        continue;
      }
      if (file === `clusters/${cluster}/root.yaml`) {
        expect(files.has(`${source.path}/kustomization.yaml`), `out/${file}: source.path ${source.path} is no kustomize directory`).toBe(
          true,
        );
        // The app-of-apps manages Namespaces and AppProjects, so it runs in the platform's own project, emitted beside it.
        expect([project, source.path], `out/${file}`).toEqual(["sluice-platform", `clusters/${cluster}`]);
        expect(files.has(`clusters/${cluster}/projects/sluice-platform.yaml`), `out/${file}`).toBe(true);
        continue;
      }
      const app = Object.hasOwn(HUB_OF, cluster) ? object.metadata.name.slice(0, -`-${cluster}`.length) : object.metadata.name;
      expect(source.path, `out/${file}`).toBe(`apps/${app}/${cluster}`);
      expect(files.has(`${source.path}/manifest.yaml`), `out/${file}: nothing rendered at ${source.path}`).toBe(true);
      deployed.push(source.path);
      const appProject = objects.find(
        (o) =>
          o.file.startsWith(`clusters/${argoHome(cluster)}/projects/`) &&
          o.object.kind === "AppProject" &&
          o.object.metadata.name === project,
      );
      expect(appProject, `out/${file}: project ${project} is not emitted for ${cluster}`).toBeDefined();
      expect(appProject!.object.spec.destinations, `out/${file}: destination not allowed by project ${project}`).toContainEqual(
        destination,
      );
      expect(inDir(`${onCluster(cluster)}/namespaces`).map(idOf), `out/${file}`).toContain(`v1 Namespace -/${destination.namespace}`);
      for (const manifest of inDir(source.path)) {
        expect(manifest.metadata.namespace, `out/${file} deploys ${idOf(manifest)} outside ${destination.namespace}`).toBe(
          destination.namespace,
        );
      }
    }
    // On Flux clusters, a Kustomization in the team's home namespace, applied as the team's account.
    for (const { file, object } of ofKind("Kustomization")) {
      const cluster = file.split("/")[1]!;
      if (!file.startsWith(`clusters/${cluster}/apps/`)) continue;
      expect(FLUX_CLUSTERS.has(cluster), `out/${file}`).toBe(true);
      const path = object.spec.path.replace(/^\.\//, "");
      expect(files.has(`${path}/manifest.yaml`), `out/${file}: nothing rendered at ${path}`).toBe(true);
      deployed.push(path);
      for (const manifest of inDir(path)) expect(manifest.metadata.namespace, `out/${file}`).toBe(object.spec.targetNamespace);
    }
    expect(deployed.sort(), "every apps/<app>/<cluster> is deployed by exactly one Application or Kustomization").toEqual(appDirs);
  });

  it("every team has its AppProject and Namespaces on every cluster, protected from prune and deletion by a sync", () => {
    const clusters = [...new Set(objectFiles.filter((f) => f.startsWith("clusters/")).map((f) => f.split("/")[1]!))];
    for (const cluster of clusters) {
      if (FLUX_CLUSTERS.has(cluster)) {
        // Flux: a tenant per team instead of an AppProject.
        expect(
          inDir(`clusters/${cluster}/tenants`)
            .filter((o) => o.kind === "ServiceAccount")
            .map((o) => o.metadata.name)
            .sort(),
        ).toEqual(["flux-payments", "flux-storefront"]);
      } else if (!Object.hasOwn(HUB_OF, cluster)) {
        // A spoke's projects are its hub's.
        expect(
          inDir(`clusters/${cluster}/projects`)
            .map((o) => o.metadata.name)
            .sort(),
          cluster,
        ).toEqual(["payments", "sluice-components", "sluice-platform", "storefront"]);
      }
      const namespaces = inDir(`${onCluster(cluster)}/namespaces`);
      expect(
        namespaces
          .filter((o) => o.kind === "Namespace")
          .map((o) => o.metadata.name)
          .sort(),
        cluster,
      ).toEqual(["payments", "storefront", "storefront-jobs"]);
      // Guarded: each namespace's file holds its default requests and limits and its default-deny policy.
      for (const name of ["payments", "storefront", "storefront-jobs"]) {
        const guard = namespaces
          .filter((o) => o.metadata.namespace === name)
          .map((o) => `${o.kind}/${o.metadata.name}`)
          .sort();
        expect(guard, `${cluster}/${name}`).toEqual(
          expect.arrayContaining(["LimitRange/sluice-defaults", "NetworkPolicy/sluice-default-deny"]),
        );
      }
    }
    // A preview's project and Namespace go with its pull request (test/previews.test.ts).
    const previews = (file: string) => file.startsWith("previews/") || file.includes("/previews/");
    for (const { file, object } of [...ofKind("AppProject"), ...ofKind("Namespace")].filter(({ file }) => !previews(file))) {
      const annotations = (object.metadata as { annotations?: Record<string, string> }).annotations ?? {};
      if (FLUX_CLUSTERS.has(file.split("/")[1]!)) {
        expect(annotations["kustomize.toolkit.fluxcd.io/prune"], `out/${file}`).toBe("disabled");
        continue;
      }
      const options = annotations["argocd.argoproj.io/sync-options"] ?? "";
      expect(options.split(","), `out/${file}`).toContain("Prune=false");
      if (object.kind === "Namespace") expect(options.split(","), `out/${file}`).toContain("Delete=false");
    }
  });

  it("AppProjects allow no repository but the env repo; team projects no cluster-scoped kinds", () => {
    expect(ofKind("AppProject").length).toBeGreaterThan(0);
    for (const { file, object } of ofKind("AppProject")) {
      if (object.metadata.name.startsWith("sluice-preview-")) {
        // An app's previews: the env repo, and of cluster resources only its own pr-*-<app> Namespaces.
        const app = object.metadata.name.slice("sluice-preview-".length);
        expect(object.spec.sourceRepos, `out/${file}`).toEqual([ENV_REPO]);
        expect(object.spec.clusterResourceWhitelist, `out/${file}`).toEqual([{ group: "", kind: "Namespace", name: `pr-*-${app}` }]);
        continue;
      }
      if (object.metadata.name === "sluice-components") {
        // The platform's add-ons on that cluster: their chart repositories and namespaces, any kind
        // (Reloader runs on the production clusters only).
        expect(object.spec.sourceRepos, `out/${file}`).toEqual([
          "https://charts.external-secrets.io",
          "https://kubernetes.github.io/ingress-nginx",
          ...(file.startsWith("clusters/prod-") ? ["https://stakater.github.io/stakater-charts"] : []),
        ]);
        expect(object.spec.clusterResourceWhitelist).toEqual([{ group: "*", kind: "*" }]);
        continue;
      }
      expect(object.spec.sourceRepos, `out/${file}`).toEqual([ENV_REPO]);
      if (object.metadata.name === "sluice-platform") {
        // The root's project: Namespaces and the admission policies; Applications and AppProjects
        // in Argo CD's namespace; the guards of the teams' namespaces.
        expect(object.spec.clusterResourceWhitelist, `out/${file}`).toEqual([
          { group: "", kind: "Namespace" },
          { group: "admissionregistration.k8s.io", kind: "ValidatingAdmissionPolicy" },
          { group: "admissionregistration.k8s.io", kind: "ValidatingAdmissionPolicyBinding" },
        ]);
        const hub = file.startsWith("clusters/prod-us-1/");
        expect(object.spec.namespaceResourceWhitelist, `out/${file}`).toEqual([
          { group: "argoproj.io", kind: "Application" },
          { group: "argoproj.io", kind: "AppProject" },
          // dev-1 hosts previews: their ApplicationSets.
          ...(file.startsWith("clusters/dev-1/") ? [{ group: "argoproj.io", kind: "ApplicationSet" }] : []),
          // The hub applies a spoke's registration, an ExternalSecret.
          ...(hub ? [{ group: "external-secrets.io", kind: "ExternalSecret" }] : []),
          { group: "", kind: "LimitRange" },
          { group: "", kind: "ResourceQuota" },
          { group: "networking.k8s.io", kind: "NetworkPolicy" },
        ]);
        const teamNamespaces = ["payments", "storefront", "storefront-jobs"];
        expect(object.spec.destinations, `out/${file}`).toEqual([
          { server: "https://kubernetes.default.svc", namespace: "argocd" },
          ...teamNamespaces.map((namespace) => ({ server: "https://kubernetes.default.svc", namespace })),
          // A hub's root project reaches its spokes: the teams' namespaces and Argo CD's, as the spoke's default.
          ...(hub
            ? ["prod-us-central-1", "prod-us-west-1"].flatMap((spoke) =>
                ["argocd", ...teamNamespaces].map((namespace) => ({ server: `https://${spoke}.k8s.example.com`, namespace })),
              )
            : []),
        ]);
        // Everything the root deploys is a kind its project allows.
        const cluster = file.split("/")[1]!;
        const allowed = [...object.spec.clusterResourceWhitelist, ...object.spec.namespaceResourceWhitelist].map(
          (g: { group: string; kind: string }) => `${g.group}/${g.kind}`,
        );
        const spokes = Object.keys(HUB_OF).filter((spoke) => HUB_OF[spoke] === cluster);
        const deployed = objects
          .filter((o) => [cluster, ...spokes].some((c) => o.file.startsWith(`clusters/${c}/`)))
          .map(({ object: o }) => `${o.apiVersion.includes("/") ? o.apiVersion.split("/")[0] : ""}/${o.kind}`);
        for (const kind of new Set(deployed)) expect(allowed, `${cluster}: ${kind}`).toContain(kind);
      } else {
        expect(object.spec, `out/${file}`).not.toHaveProperty("clusterResourceWhitelist");
      }
    }
  });

  it("no emitted file holds a path of this machine or a timestamp", () => {
    const tmp = os.tmpdir();
    const machinePaths = [REPO, project.root, `${tmp}/`, `${fs.realpathSync(tmp)}/`, ...(os.homedir() === "/" ? [] : [`${os.homedir()}/`])];
    const timestamp = /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}|\b1[5-9]\d{8}(\d{3})?\b/;
    const emitted = [...[...files.values()].map((f) => [f.path, f.content] as const), ...Object.entries(written)];
    for (const [file, content] of emitted) {
      for (const machinePath of machinePaths) expect(content.includes(machinePath), `out/${file} contains ${machinePath}`).toBe(false);
      expect(content, `out/${file}`).not.toMatch(timestamp);
    }
  });
});
