import { simpleGit, type SimpleGit } from "simple-git";
import { describe, expect, it } from "vitest";
import { synth } from "sluice";
import { exampleStacks, makeProject, type Project } from "./helpers/project.js";

/**
 * The env repo is reviewed and merged like code: two teams' pull requests
 * that bump two different apps must merge without a conflict, and the merge
 * must be exactly what the merged stacks compile to.
 */
describe("parallel pull requests", () => {
  async function repo(): Promise<{ project: Project; git: SimpleGit }> {
    const project = makeProject(exampleStacks());
    project.write(".gitignore", "node_modules/\n");
    await synth({ root: project.root, skipTypecheck: true });
    const git = simpleGit(project.root);
    await git.init(["--initial-branch=main"]);
    await git.addConfig("user.email", "ci@example.com").addConfig("user.name", "CI");
    await git.add(".").commit("env repo");
    return { project, git };
  }

  async function pullRequest(
    { project, git }: { project: Project; git: SimpleGit },
    branch: string,
    file: string,
    from: string,
    to: string,
  ): Promise<string[]> {
    await git.checkout(["-b", branch, "main"]);
    const before = project.read(file);
    expect(before).toContain(from);
    project.write(file, before.replace(from, to));
    await synth({ root: project.root, skipTypecheck: true });
    await git.add(".").commit(`${branch}: ${from} → ${to}`);
    const changed = (await git.diff(["--name-only", "main", branch])).trim().split("\n");
    await git.checkout("main");
    return changed;
  }

  it("two release bumps of two apps each touch only that app's manifest, merge cleanly, and the merge passes synth --check", async () => {
    const given = await repo();
    const payments = await pullRequest(given, "bump-payments", "stacks/releases/prod/payments.ts", 'prod: "1.6.3"', 'prod: "1.6.4"');
    const catalog = await pullRequest(given, "bump-catalog", "stacks/releases/prod/catalog-api.ts", 'prod: "2.4.1"', 'prod: "2.4.2"');
    // The prod wave is prod-ap-1 (Flux), prod-us-1 (Argo CD) and its spokes: the same manifest change on each, nothing else.
    expect(payments).toEqual([
      "out/apps/payments/prod-ap-1/manifest.yaml",
      "out/apps/payments/prod-us-1/manifest.yaml",
      "out/apps/payments/prod-us-central-1/manifest.yaml",
      "out/apps/payments/prod-us-west-1/manifest.yaml",
      "stacks/releases/prod/payments.ts",
    ]);
    expect(catalog).toEqual([
      "out/apps/catalog-api/prod-ap-1/manifest.yaml",
      "out/apps/catalog-api/prod-us-1/manifest.yaml",
      "out/apps/catalog-api/prod-us-central-1/manifest.yaml",
      "out/apps/catalog-api/prod-us-west-1/manifest.yaml",
      "stacks/releases/prod/catalog-api.ts",
    ]);

    const { project, git } = given;
    await git.merge(["--no-edit", "bump-payments"]);
    const merge = await git.merge(["--no-edit", "bump-catalog"]);
    expect(merge.failed).toBe(false);
    expect(merge.conflicts).toEqual([]);
    expect((await synth({ root: project.root, check: true, skipTypecheck: true })).drift).toEqual({ stale: [], missing: [], extra: [] });
    expect(project.read("out/apps/payments/prod-us-1/manifest.yaml")).toContain("payments/api:1.6.4");
    expect(project.read("out/apps/catalog-api/prod-us-1/manifest.yaml")).toContain(":2.4.2");
  });

  it("two pull requests that each add an app merge too: the shared files change only in different places", async () => {
    const given = await repo();
    const app = (name: string) =>
      `import { platform } from "./platform.js";\nexport default platform.app("${name}", { team: "payments", image: "registry.example.com/${name}", release: { dev: "1.0.0" } });\n`;
    for (const name of ["aardvark", "zebra"]) {
      await given.git.checkout(["-b", `add-${name}`, "main"]);
      given.project.write(`stacks/${name}.ts`, app(name));
      await synth({ root: given.project.root, skipTypecheck: true });
      await given.git.add(".").commit(`add ${name}`);
      await given.git.checkout("main");
    }
    await given.git.merge(["--no-edit", "add-aardvark"]);
    const merge = await given.git.merge(["--no-edit", "add-zebra"]);
    expect(merge.conflicts).toEqual([]);
    expect((await synth({ root: given.project.root, check: true, skipTypecheck: true })).drift).toEqual({
      stale: [],
      missing: [],
      extra: [],
    });
  });
});
