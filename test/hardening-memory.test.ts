/**
 * Memory at scale (issue 18, item 27): synth holds a fleet's merged specs and
 * objects a part at a time, never all at once, and `--check`, `diff` and
 * `check` keep no instance's bytes, only their digests. Peak memory itself is
 * measured by `npm run bench` (a benchmark, not a test); these pin the
 * behaviour that keeps it down.
 */
import { describe, expect, it } from "vitest";
import { diff, synth } from "sluice";
import { exampleStacks, makeProject } from "./helpers/project.js";

describe("what synth keeps in memory", () => {
  it("--check keeps the digests of the instances' files, not their bytes, and still finds a stale file", async () => {
    const p = makeProject(exampleStacks());
    await synth({ root: p.root, skipTypecheck: true, cache: false });
    const checked = await synth({ root: p.root, skipTypecheck: true, cache: false, check: true });
    const instanceFiles = checked.plan.files.filter((file) => file.path.startsWith("apps/"));
    expect(instanceFiles.length).toBeGreaterThan(10);
    expect(instanceFiles.filter((file) => file.content !== undefined)).toEqual([]);
    expect(checked.drift).toEqual({ stale: [], missing: [], extra: [] });
    p.write("out/apps/payments/dev-1/manifest.yaml", "# edited by hand\n");
    const stale = await synth({ root: p.root, skipTypecheck: true, cache: false, check: true });
    expect(stale.drift?.stale).toEqual(["apps/payments/dev-1/manifest.yaml"]);
  });

  it("returns the instances it rendered by name, not their merged specs", async () => {
    const p = makeProject(exampleStacks());
    const result = await synth({ root: p.root, skipTypecheck: true, cache: false });
    expect(result.rendered).toContainEqual({ app: "payments", cluster: "prod-eu-1" });
    expect(Object.hasOwn(result, "resolved")).toBe(false);
  });

  it("diff renders again only the files that differ from the base", async () => {
    const p = makeProject(exampleStacks());
    await synth({ root: p.root, skipTypecheck: true, cache: false });
    const { simpleGit } = await import("simple-git");
    const git = simpleGit(p.root);
    await git.init(["--initial-branch=main"]);
    await git.addConfig("user.email", "ci@example.com").addConfig("user.name", "CI");
    p.write(".gitignore", "node_modules/\n");
    await git.add(".").commit("fleet");
    p.write("stacks/payments.ts", p.read("stacks/payments.ts").replace('dev: "1.7.0"', 'dev: "1.7.1"'));
    const result = await diff({ root: p.root, skipTypecheck: true, cache: false });
    const changed = result.clusters.flatMap((cluster) => cluster.objects.map((object) => `${cluster.name} ${object.kind}/${object.name}`));
    expect(changed).toEqual(["dev-1 Deployment/payments"]);
  });
});
