import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { SluiceError } from "../src/errors.js";
import { validate } from "../src/pipeline/validate/index.js";
import { runCli } from "./helpers/cli.js";
import { synth } from "../src/synth.js";
import { fleetStacks } from "./bench/fleet.js";
import { makeProject } from "./helpers/project.js";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { appSpec, loaded, platformSpec } from "./helpers/model.js";
import { hasKubectl } from "./helpers/previews.js";
import type { Project } from "./helpers/project.js";
import { schemaFor } from "./helpers/schemas.js";

/**
 * envRepo.layout "by-team": a directory level by team under apps/ and each
 * cluster's apps/, so that a fleet of 10,000 apps keeps every directory
 * under GitHub's recommended 3,000 entries; and the error that asks for it.
 */

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; spec?: any };
const objectsIn = (text: string) => parseAllDocuments(text).map((doc) => doc.toJS() as Obj);

function byTeam(p: Project): void {
  p.write("stacks/platform.ts", p.read("stacks/platform.ts").replace('revision: "main" }', 'revision: "main", layout: "by-team" }'));
}

describe('envRepo.layout: "by-team"', () => {
  it("moves every app instance's files under its team in one synth, and the engines deploy them from there", async () => {
    const p = synthesizedExample();
    byTeam(p);
    const run = await runCli(["synth", "--root", p.root, "--format", "json"]);
    expect(run.status, run.stderr).toBe(0);
    const tree = p.tree();
    const files = Object.keys(tree);
    // The old places are gone, every app file is under apps/<team>/<app>/<cluster>/.
    expect(files.filter((f) => /^apps\/[^/]+\/[^/]+\/manifest\.yaml$/.test(f))).toEqual([]);
    expect(files).toContain("apps/storefront/catalog-api/dev-1/manifest.yaml");
    expect(files).toContain("clusters/dev-1/apps/storefront/catalog-api.yaml");
    expect(files).toContain("clusters/dev-1/apps/storefront/kustomization.yaml");
    expect(files.filter((f) => /^clusters\/[^/]+\/apps\/[^/]+\.yaml$/.test(f) && !f.endsWith("/kustomization.yaml"))).toEqual([]);
    expect(objectsIn(tree["clusters/dev-1/apps/kustomization.yaml"]!)[0]).toMatchObject({
      resources: expect.arrayContaining(["payments", "storefront"]),
    });

    // Each GitOps object deploys its instance's directory, which exists; every one is strict.
    const delivered: string[] = [];
    for (const [file, text] of Object.entries(tree)) {
      if (!/^clusters\/[^/]+\/(?:[a-z]+\/)?apps\/[^/]+\/[^/]+\.yaml$/.test(file) || file.endsWith("kustomization.yaml")) continue;
      for (const object of objectsIn(text)) {
        schemaFor(object.apiVersion, object.kind)?.(object);
        const source = object.kind === "Application" ? object.spec.source.path : object.spec.path.replace(/^\.\//, "");
        expect(files, `${file} deploys ${source}`).toContain(`${source}/manifest.yaml`);
        delivered.push(source);
      }
    }
    expect(delivered.length).toBe(files.filter((f) => f.startsWith("apps/") && f.endsWith("/manifest.yaml")).length);

    // Owners follow the files: the team's apps, and a gated wave's clusters at the new depth.
    expect(tree.CODEOWNERS).toContain("/apps/storefront/catalog-api/ @acme/storefront");
    expect(tree.CODEOWNERS).toMatch(/^\/apps\/\*\/\*\/prod-eu-1\/ /m);
    expect(tree["README.md"]).toContain("(apps/storefront/catalog-api/dev-1/manifest.yaml)");
    expect(tree["README.md"]).toContain("`apps/<team>/<app>/<cluster>/manifest.yaml`");
    expect((await runCli(["synth", "--check", "--root", p.root])).status).toBe(0);
  });

  it("links an app's directory and names its waves in the README's Apps once it runs on more than 12 clusters", async () => {
    const p = makeProject(fleetStacks(3, 14));
    await synth({ root: p.root, skipTypecheck: true, cache: false });
    const readme = p.read("out/README.md");
    expect(readme).toContain("| app-0000 | team-0 | team-0 | [14 clusters](apps/app-0000/) of `dev`, `staging`, `prod-canary`, `prod` |");
    expect(readme).not.toContain("(apps/app-0000/prod-001/manifest.yaml)");
    // Up to 12, each cluster links its manifest, as the example's README shows.
    expect(synthesizedExample().read("out/README.md")).toContain("[`dev-1`](apps/catalog-api/dev-1/manifest.yaml)");
  });

  it.skipIf(!hasKubectl)("builds each cluster with kubectl kustomize: every app's object, through the team directories", async () => {
    const p = synthesizedExample();
    byTeam(p);
    expect((await runCli(["synth", "--root", p.root])).status).toBe(0);
    const tree = p.tree();
    for (const cluster of ["dev-1", "prod-ap-1", "prod-us-1"]) {
      const built = spawnSync("kubectl", ["kustomize", path.join(p.root, "out/clusters", cluster)], { encoding: "utf8" });
      expect(built.status, built.stderr).toBe(0);
      const names = objectsIn(built.stdout)
        .filter((o) => ["Application", "Kustomization"].includes(o.kind) && o.apiVersion !== "kustomize.config.k8s.io/v1beta1")
        .map((o) => o.metadata.name);
      const apps = Object.keys(tree).flatMap((f) => {
        const match = new RegExp(`^clusters/${cluster}/apps/[^/]+/([^/]+)\\.yaml$`).exec(f);
        return match && match[1] !== "kustomization" ? [match[1]!] : [];
      });
      expect(apps.length).toBeGreaterThan(0);
      for (const app of apps) expect(names).toContain(app);
    }
  });

  it("partitions find each cluster's files at the team depth", async () => {
    const p = synthesizedExample();
    byTeam(p);
    expect((await runCli(["synth", "--root", p.root])).status).toBe(0);
    p.write("out/apps/storefront/catalog-api/dev-1/stray.yaml", "kind: ConfigMap\n");
    expect((await runCli(["synth", "--check", "--clusters", "staging-1", "--root", p.root])).status).toBe(0);
    const dev = await runCli(["synth", "--check", "--clusters", "dev-1", "--root", p.root]);
    expect(dev.status).toBe(1);
    expect(dev.stdout).toContain("extra    out/apps/storefront/catalog-api/dev-1/stray.yaml");
  });
});

describe("directories past 3,000 entries", () => {
  const apps = (count: number, team: (i: number) => string = () => "shop") =>
    Object.fromEntries(Array.from({ length: count }, (_, i) => [`app-${i}`, appSpec({ team: team(i) })]));
  const problems = (platform: Record<string, unknown>, declared: Record<string, unknown>) => {
    try {
      validate("/nowhere", loaded(platform, declared));
      return [];
    } catch (error) {
      if (!(error instanceof SluiceError)) throw error;
      return error.diagnostics;
    }
  };

  it("asks a flat env repo of more than 3,000 apps for the by-team layout, at the platform's envRepo", () => {
    const [problem, ...more] = problems(platformSpec(), apps(3_001));
    expect(more).toEqual([]);
    expect(problem).toMatchObject({
      code: "layout/directory-too-large",
      message: "out/apps/ would hold 3,001 entries; GitHub recommends at most 3,000 per directory",
      origin: { file: "stacks/platform.ts", path: ["envRepo"] },
    });
    expect(problem!.hint).toContain('layout: "by-team"');
    // A cluster's apps/ also holds its kustomization.yaml.
    expect(problems(platformSpec(), apps(3_000))[0]?.message).toBe(
      "out/clusters/<cluster>/apps/ would hold 3,001 entries; GitHub recommends at most 3,000 per directory",
    );
    expect(problems(platformSpec(), apps(2_999))).toEqual([]);
  });

  it("holds 10,000 apps in ten teams by team, and names a team too large for one directory", () => {
    const platform = platformSpec() as { envRepo: Record<string, unknown>; teams: Record<string, unknown> };
    platform.envRepo = { ...platform.envRepo, layout: "by-team" };
    platform.teams = Object.fromEntries(
      Array.from({ length: 10 }, (_, i) => [`team-${i}`, { owners: [`@acme/team-${i}`], namespaces: [`team-${i}`] }]),
    );
    expect(
      problems(
        platform,
        apps(10_000, (i) => `team-${i % 10}`),
      ),
    ).toEqual([]);
    const [problem] = problems(
      platform,
      apps(3_002, (i) => (i < 3_001 ? "team-0" : "team-1")),
    );
    expect(problem).toMatchObject({
      message: "out/apps/team-0/ would hold 3,001 entries; GitHub recommends at most 3,000 per directory",
      origin: { path: ["teams", "team-0"] },
    });
    expect(problem!.hint).toContain("split team team-0");
  });
});
