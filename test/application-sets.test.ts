import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Template } from "go-text-template";
import { describe, expect, it } from "vitest";
import { diff, type DiffResult } from "sluice";
import { generatedApplications } from "../src/engines/argocd/generated-applications.js";
import type { KubernetesObject } from "../src/k8s/object.js";
import { parse, parseAllDocuments } from "yaml";
import type { SluiceError } from "../src/errors.js";
import { validate } from "../src/pipeline/validate/index.js";
import { runCli } from "./helpers/cli.js";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { commitOnMain } from "./helpers/git-repo.js";
import { loaded, platformSpec } from "./helpers/model.js";
import { hasKubectl } from "./helpers/previews.js";
import { copyProject, type Project } from "./helpers/project.js";
import { schemaFor } from "./helpers/schemas.js";
import { removeApp } from "./helpers/releases.js";
import { edit } from "./helpers/stack-edit.js";

/**
 * `argocd.applications: "per-team"`: each Argo CD cluster gets one
 * ApplicationSet per team, whose list generator makes the Applications that
 * "per-app" writes one file each. Judged by what Argo CD would make of it:
 * each ApplicationSet is rendered here with an independent implementation
 * of Go's text/template (the go-text-template package, with sprig's toJson
 * as Argo CD registers it), its templatePatch merged as Argo CD's strategic
 * merge does for maps, and compared with the Application of "per-app".
 */

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; [key: string]: unknown }; spec?: any };
const objectsIn = (text: string) => parseAllDocuments(text).map((doc) => doc.toJS() as Obj);

function perTeam(p: Project): void {
  edit(p, "stacks/platform.ts", 'engine: "argocd",', 'engine: "argocd",\n  argocd: { applications: "per-team" },');
}

/** Strings through Go's text/template with the element as data; maps merged key by key, any other value (a list) replaced, as Kubernetes' strategic merge does for a list the template lacks. */
function generate(set: Obj): Obj[] {
  const template = new Template();
  template.funcs.set("toJson", (value: unknown) => JSON.stringify(value));
  const render = (node: unknown, data: unknown): unknown =>
    typeof node === "string"
      ? template.execute(node, data)
      : Array.isArray(node)
        ? node.map((item) => render(item, data))
        : node && typeof node === "object"
          ? Object.fromEntries(Object.entries(node).map(([key, value]) => [key, render(value, data)]))
          : node;
  const isMap = (value: unknown): value is Record<string, unknown> => !!value && typeof value === "object" && !Array.isArray(value);
  const merge = (base: unknown, patch: unknown): unknown =>
    isMap(base) && isMap(patch)
      ? Object.fromEntries(
          [...new Set([...Object.keys(base), ...Object.keys(patch)])].map((k) => [k, k in patch ? merge(base[k], patch[k]) : base[k]]),
        )
      : patch;
  return set.spec.generators[0].list.elements.map((element: Record<string, unknown>) => {
    let made = render(set.spec.template, element) as Obj;
    if (set.spec.templatePatch) made = merge(made, parse(template.execute(set.spec.templatePatch, element))) as Obj;
    // Argo CD puts every Application it makes into the ApplicationSet's own namespace.
    return {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Application",
      metadata: { ...made.metadata, namespace: set.metadata.namespace },
      spec: made.spec,
    };
  });
}

const sorted = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(sorted)
    : value && typeof value === "object"
      ? Object.fromEntries(
          Object.entries(value)
            .sort(([a], [b]) => (a < b ? -1 : 1))
            .map(([k, v]) => [k, sorted(v)]),
        )
      : value;

const ARGO_CLUSTERS = ["dev-1", "staging-1", "prod-eu-1", "prod-us-1", "prod-us-central-1", "prod-us-west-1"];

describe('argocd.applications: "per-team"', () => {
  it("makes, through each team's ApplicationSet, exactly the Applications per-app writes, and nothing of them is left in apps/", async () => {
    const p = synthesizedExample();
    const before = p.tree();
    perTeam(p);
    const run = await runCli(["synth", "--root", p.root]);
    expect(run.status, run.stderr).toBe(0);
    const after = p.tree();

    // The per-app files of the Argo CD clusters are gone; the workloads' manifests and Flux's objects are as they were.
    const perApp = Object.keys(before).filter((f) => /^clusters\/[^/]+\/apps\/[^/]+\.yaml$/.test(f) && !f.endsWith("kustomization.yaml"));
    const argoFiles = perApp.filter((f) => objectsIn(before[f]!)[0]!.kind === "Application");
    expect(argoFiles.length).toBeGreaterThan(30);
    for (const f of argoFiles) expect(after[f], f).toBeUndefined();
    for (const f of perApp.filter((file) => !argoFiles.includes(file))) expect(after[f], f).toBe(before[f]);
    for (const f of Object.keys(before).filter((file) => /^apps\/.*manifest\.yaml$/.test(file))) expect(after[f], f).toBe(before[f]);

    const made = new Map<string, Obj>();
    for (const cluster of ARGO_CLUSTERS) {
      for (const team of ["payments", "storefront"]) {
        const file = `clusters/${cluster}/appsets/${team}.yaml`;
        const [set, ...more] = objectsIn(after[file] ?? "");
        expect(more, file).toEqual([]);
        schemaFor(set!.apiVersion, set!.kind)!(set!);
        expect(set!.metadata.annotations).toMatchObject({
          "argocd.argoproj.io/sync-options": "Prune=false,ServerSideApply=true",
          "argocd.argoproj.io/sync-wave": "-1",
        });
        expect(set!.spec).toMatchObject({
          goTemplate: true,
          goTemplateOptions: ["missingkey=error"],
          syncPolicy: { preserveResourcesOnDeletion: true },
        });
        for (const application of generate(set!)) {
          schemaFor(application.apiVersion, application.kind)!(application);
          expect(made.has(`${cluster}/${application.metadata.name}`)).toBe(false);
          made.set(`${cluster}/${application.metadata.name}`, application);
          expect((application.metadata.labels as Record<string, string>)["sluice.dev/team"]).toBe(team);
        }
      }
      expect(objectsIn(after[`clusters/${cluster}/kustomization.yaml`]!)[0]).toMatchObject({
        resources: expect.arrayContaining(["appsets"]),
      });
    }
    // One Application for each per-app file, field for field.
    expect(made.size).toBe(argoFiles.length);
    for (const f of argoFiles) {
      const [expected] = objectsIn(before[f]!);
      const cluster = f.split("/")[1]!;
      expect(sorted(made.get(`${cluster}/${expected!.metadata.name}`)), f).toEqual(sorted(expected));
    }
    // The root's project may now apply ApplicationSets.
    expect(objectsIn(after["clusters/dev-1/projects/sluice-platform.yaml"]!)[0]!.spec.namespaceResourceWhitelist).toContainEqual({
      group: "argoproj.io",
      kind: "ApplicationSet",
    });
    expect(after["README.md"]).toContain("`clusters/<cluster>/appsets/<team>.yaml`");
    expect(after["README.md"]).toContain("ApplicationSet controller");
    expect((await runCli(["synth", "--check", "--root", p.root])).status).toBe(0);
  });

  it("changes only the app's manifest on a release bump, its team's ApplicationSet when the Application changes, the same with or without the render cache", async () => {
    const base = synthesizedExample({ caches: true });
    perTeam(base);
    expect((await runCli(["synth", "--root", base.root])).status).toBe(0);
    const cached = copyProject(base, ["stacks", "out", "CODEOWNERS", "node_modules/.cache/sluice"]);
    const start = cached.tree();

    // A release bump: the manifest (and the lock), nothing of Argo CD's.
    edit(cached, "stacks/catalog-api.ts", 'release: { dev: "2.4.1",', 'release: { dev: "2.5.0",');
    expect((await runCli(["synth", "--root", cached.root])).status).toBe(0);
    const bumped = cached.tree();
    const changed = Object.keys(bumped).filter((f) => bumped[f] !== start[f]);
    expect(changed).toEqual(["apps/catalog-api/dev-1/manifest.yaml"]);

    // An autoscaled app: Argo CD must leave its replica count to the HPA, in its element's patch.
    edit(cached, "stacks/catalog-api.ts", "    staging: { env:", "    staging: { autoscaling: { min: 2, max: 6, targetCPU: 70 }, env:");
    const scaled = await runCli(["synth", "--root", cached.root]);
    expect(scaled.status, scaled.stderr).toBe(0);
    const [set] = objectsIn(cached.read("out/clusters/staging-1/appsets/storefront.yaml"));
    const catalog = generate(set!).find((a) => a.metadata.name === "catalog-api")!;
    expect(catalog.spec.ignoreDifferences).toContainEqual(
      expect.objectContaining({ kind: "Deployment", name: "catalog-api", jsonPointers: ["/spec/replicas"] }),
    );

    // The render cache held every other instance's Application: a run without it writes the same bytes.
    const fresh = copyProject(cached, ["stacks", "out", "CODEOWNERS"]);
    const check = await runCli(["synth", "--check", "--root", fresh.root]);
    expect(check.status, check.stdout + check.stderr).toBe(0);
  });

  it("makes the same ApplicationSets when the clusters are synthesized in partitions", async () => {
    const whole = synthesizedExample();
    perTeam(whole);
    const parts = copyProject(whole);
    expect((await runCli(["synth", "--root", whole.root])).status).toBe(0);
    for (const part of ["1/3", "2/3", "3/3"]) {
      const run = await runCli(["synth", "--partition", part, "--root", parts.root]);
      expect(run.status, run.stderr).toBe(0);
    }
    const expected = whole.tree();
    const got = parts.tree();
    expect(Object.keys(got).filter((f) => f.includes("/appsets/")).length).toBeGreaterThan(12);
    expect(Object.keys(got)).toEqual(Object.keys(expected));
    for (const [file, content] of Object.entries(expected)) expect(got[file], file).toBe(content);
  });

  it("takes no Application from a render-cache entry that is not its instance's (a forged cache): it renders the instance again", async () => {
    const p = synthesizedExample({ caches: true });
    perTeam(p);
    expect((await runCli(["synth", "--root", p.root])).status).toBe(0);
    const clean = p.tree();
    // Every cached Application of payments-migrate now claims to be payments'.
    const file = path.join(p.root, "node_modules/.cache/sluice/render.json");
    const text = fs.readFileSync(file, "utf8");
    const newline = text.indexOf("\n");
    const payload = text
      .slice(newline + 1)
      .replaceAll('\\"sluice.dev/app\\":\\"payments-migrate\\"', '\\"sluice.dev/app\\":\\"payments\\"');
    expect(payload).not.toBe(text.slice(newline + 1));
    const header = { ...(JSON.parse(text.slice(0, newline)) as object), sha256: createHash("sha256").update(payload).digest("hex") };
    fs.writeFileSync(file, `${JSON.stringify(header)}\n${payload}`);
    p.remove("out/clusters");
    const run = await runCli(["synth", "--root", p.root]);
    expect(run.status, run.stderr).toBe(0);
    expect(p.tree()).toEqual(clean);
  });

  it("gives a team with no app on a cluster an ApplicationSet that makes nothing, so its last app's Application goes", async () => {
    const p = synthesizedExample();
    perTeam(p);
    edit(p, "stacks/platform.ts", "  teams: {\n", '  teams: {\n    data: { owners: ["@acme/data"], namespaces: ["data"] },\n');
    const run = await runCli(["synth", "--root", p.root]);
    expect(run.status, run.stderr).toBe(0);
    for (const cluster of ARGO_CLUSTERS) {
      const [set] = objectsIn(p.read(`out/clusters/${cluster}/appsets/data.yaml`));
      schemaFor(set!.apiVersion, set!.kind)!(set!);
      expect(set!.spec.generators).toEqual([{ list: { elements: [] } }]);
      expect(set!.spec.template.spec.project).toBe("data");
    }
  });

  it.skipIf(!hasKubectl)("builds every Argo CD cluster with kubectl kustomize, its ApplicationSets in the root's resources", async () => {
    const p = synthesizedExample();
    perTeam(p);
    expect((await runCli(["synth", "--root", p.root])).status).toBe(0);
    for (const cluster of ARGO_CLUSTERS) {
      const built = spawnSync("kubectl", ["kustomize", path.join(p.root, "out/clusters", cluster)], { encoding: "utf8" });
      expect(built.status, built.stderr).toBe(0);
      const sets = objectsIn(built.stdout).filter(
        (o) => o.kind === "ApplicationSet" && (o.metadata.labels as Record<string, string>)?.["sluice.dev/team"],
      );
      expect(sets.map((o) => (o.metadata.labels as Record<string, string>)["sluice.dev/team"]).sort(), cluster).toEqual([
        "payments",
        "storefront",
      ]);
      expect(
        objectsIn(built.stdout)
          .filter((o) => o.kind === "Application" && o.metadata.name !== "root" && !o.metadata.name.startsWith("root-"))
          .map((o) => o.metadata.name),
      ).not.toContain("payments");
    }
  });

  it("refuses an engine move on a cluster while the apps are made per team, at the move's line", () => {
    const spec = platformSpec() as { clusters: Record<string, object> };
    const problems = () => {
      try {
        validate(
          "/nowhere",
          loaded({
            ...spec,
            argocd: { applications: "per-team" },
            clusters: { ...spec.clusters, "dev-1": { ...spec.clusters["dev-1"], engine: "flux", move: { from: "argocd", step: "adopt" } } },
          }),
        );
        return [];
      } catch (error) {
        return (error as SluiceError).diagnostics;
      }
    };
    expect(problems()).toContainEqual(
      expect.objectContaining({ code: "validate/application-sets-move", hint: expect.stringContaining('"per-app"') }),
    );
  });
});

const changesOf = (result: DiffResult) =>
  result.clusters.flatMap((c) => c.objects.map((o) => `${o.change} ${o.cluster} ${o.kind} ${o.name}`));

describe('sluice diff with argocd.applications: "per-team"', () => {
  it("reads each ApplicationSet as the Applications Argo CD makes of it, as the independent Go template renders them", () => {
    const p = synthesizedExample();
    perTeam(p);
    return runCli(["synth", "--root", p.root]).then((run) => {
      expect(run.status, run.stderr).toBe(0);
      let count = 0;
      for (const cluster of ARGO_CLUSTERS) {
        for (const team of ["payments", "storefront"]) {
          const [set] = objectsIn(p.read(`out/clusters/${cluster}/appsets/${team}.yaml`));
          const ours = generatedApplications(set as unknown as KubernetesObject);
          expect(ours, `${cluster}/${team}`).toBeDefined();
          expect(ours!.map(sorted)).toEqual(generate(set!).map(sorted));
          count += ours!.length;
        }
      }
      expect(count).toBeGreaterThan(30);
    });
  });

  it("shows no Application changed when a platform switches from per-app: the ApplicationSets are added, the Applications only move", async () => {
    const p = await commitOnMain(synthesizedExample());
    perTeam(p);
    const result = await diff({ root: p.root, skipTypecheck: true });
    const changes = changesOf(result);
    // Besides the ApplicationSets, only the root's project changes: it may now apply them.
    const others = changes.filter((c) => !c.includes(" ApplicationSet "));
    expect(others.length).toBeGreaterThan(0);
    for (const change of others) expect(change).toMatch(/^changed \S+ AppProject sluice-platform$/);
    expect(changes.filter((c) => c.startsWith("added ") && c.includes(" ApplicationSet ")).length).toBe(ARGO_CLUSTERS.length * 2);
    // The old Application files hold the same objects as the ApplicationSets make: laid out differently, nothing else.
    expect(result.relaid).toContain("clusters/dev-1/apps/payments.yaml");
  });

  it("shows a change to one app's Application as that Application's, made by its team's ApplicationSet, at the app's stack", async () => {
    const start = synthesizedExample();
    perTeam(start);
    expect((await runCli(["synth", "--root", start.root])).status).toBe(0);
    const p = await commitOnMain(start);

    // Autoscaling in staging: Argo CD must leave the replicas to the HPA (the Application's ignoreDifferences).
    edit(p, "stacks/catalog-api.ts", "    staging: { env:", "    staging: { autoscaling: { min: 2, max: 6, targetCPU: 70 }, env:");
    const scaled = await diff({ root: p.root, skipTypecheck: true });
    const staging = scaled.clusters.find((c) => c.name === "staging-1")!;
    const application = staging.objects.find((o) => o.kind === "Application")!;
    expect(application).toMatchObject({
      change: "changed",
      name: "catalog-api",
      namespace: "argocd",
      generatedBy: "ApplicationSet argocd/storefront",
      file: "clusters/staging-1/appsets/storefront.yaml",
      origin: expect.objectContaining({ file: "stacks/catalog-api.ts" }),
    });
    expect(application.fields.map((f) => f.path)).toContainEqual(expect.stringMatching(/^spec\.ignoreDifferences/));
    // No other app's Application is said to change.
    expect(scaled.clusters.flatMap((c) => c.objects.filter((o) => o.kind === "Application" && o.name !== "catalog-api"))).toEqual([]);
    const text = await runCli(["diff"], { cwd: p.root, env: { NO_COLOR: "1" } });
    expect(text.stdout).toContain("~ Application argocd/catalog-api");
    expect(text.stdout).toContain("made by ApplicationSet argocd/storefront");
    edit(p, "stacks/catalog-api.ts", "    staging: { autoscaling: { min: 2, max: 6, targetCPU: 70 }, env:", "    staging: { env:");

    // An app gone: its Application is deleted on every cluster, and the reviewer is told so.
    removeApp(p, "search");
    const removed = await diff({ root: p.root, skipTypecheck: true });
    const gone = changesOf(removed).filter((c) => c.includes(" Application "));
    expect(gone.length).toBeGreaterThan(0);
    for (const change of gone) expect(change).toMatch(/^removed \S+ Application search(-\S+)?$/);
    expect(removed.attention).toContainEqual(
      expect.objectContaining({ kind: "deletions", cluster: "dev-1", message: expect.stringContaining("1 Application,") }),
    );
  });

  it("compares an ApplicationSet it cannot read as sluice writes them as the object it is", () => {
    const set = {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "ApplicationSet",
      metadata: { name: "team", namespace: "argocd" },
      spec: {
        goTemplate: true,
        goTemplateOptions: ["missingkey=error"],
        generators: [{ list: { elements: [{ name: "a", path: "apps/a", patch: { spec: { syncPolicy: { syncOptions: ["X=y"] } } } }] } }],
        template: { metadata: { name: "{{ .name }}" }, spec: { project: "team", source: { path: "{{ .path }}" } } },
        templatePatch: "{{ toJson .patch }}",
      },
    };
    const made = generatedApplications(set);
    expect(made).toEqual([
      {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Application",
        // No preserveResourcesOnDeletion: the controller adds the resources finalizer.
        metadata: { name: "a", namespace: "argocd", finalizers: ["resources-finalizer.argocd.argoproj.io"] },
        spec: { project: "team", source: { path: "apps/a" }, syncPolicy: { syncOptions: ["X=y"] } },
      },
    ]);
    // The project is the template's, whatever a patch says (Argo CD's guard against a patch escaping its project).
    const escaping = structuredClone(set);
    (escaping.spec.generators[0]!.list.elements[0]!.patch.spec as Record<string, unknown>).project = "default";
    expect(generatedApplications(escaping)![0]!.spec).toMatchObject({ project: "team" });
    const variants: ((s: typeof set) => void)[] = [
      (s) => (s.spec.template.spec.source.path = "apps/{{ .name }}"), // an action inside a string
      (s) => (s.spec.template.metadata.name = "{{ .name | upper }}"), // a function
      (s) => (s.spec.template.metadata.name = "{{ .missing }}"), // a key no element has: Argo CD makes nothing
      (s) => (s.spec.goTemplate = false), // fasttemplate
      (s) => (s.spec.templatePatch = "{{ .patch }}"),
      (s) => Object.assign(s.spec.generators[0]!, { clusters: {} }), // another generator
      (s) => ((s.spec.generators[0]!.list.elements[0]!.patch.spec as Record<string, unknown>).source = null), // a null deletes
      (s) => Object.assign(s.spec.template.spec, { syncPolicy: { syncOptions: ["A=b"] } }), // a list in both: merge strategies decide
      // 70,000 elements of a 1 KB template: past the 64 MiB bound (a committed file need not be sluice's).
      (s) => {
        Object.assign(s.spec.template.spec, { description: "x".repeat(1_000) });
        s.spec.generators[0]!.list.elements = Array.from({ length: 70_000 }, () => s.spec.generators[0]!.list.elements[0]!);
      },
    ];
    for (const change of variants) {
      const variant = structuredClone(set);
      change(variant);
      expect(generatedApplications(variant), String(change)).toBeUndefined();
    }
  });
});
