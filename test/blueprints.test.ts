/**
 * Blueprints are registered by the platform and chosen per app: a second
 * blueprint is one file (here stacks/blueprints/worker.ts, wrapping the
 * built-in web-service from `sluice/blueprints`) and one registration line in
 * the platform, and an app chooses it with `blueprint: "worker"`.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { plan, synth } from "sluice";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { copyProject, exampleStacks, makeProject, type Project } from "./helpers/project.js";
import { edit, expectAt, lineOf, only, rejection, withCode } from "./helpers/stack-edit.js";

const CACHE = "node_modules/.cache/sluice";

/** The worker blueprint: the web service's objects without its Service. */
const WORKER = `import { webService, type Blueprint } from "sluice/blueprints";

export const worker: Blueprint = {
  ...webService,
  name: "worker",
  cacheKey: "worker-1",
  render: (app) => webService.render(app).filter((object) => object.kind !== "Service"),
};
`;

/** GIVEN the worker in its own file, registered by the platform in one line (and imported). */
function withWorker(p: Project, file = WORKER): void {
  p.write("stacks/blueprints/worker.ts", file);
  edit(
    p,
    "stacks/platform.ts",
    'import { definePlatform } from "sluice";',
    'import { definePlatform } from "sluice";\nimport { worker } from "./blueprints/worker.js";',
  );
  edit(p, "stacks/platform.ts", "  teams: {\n", "  blueprints: { worker },\n\n  teams: {\n");
}

const chooseWorker = (p: Project, name = "worker") =>
  edit(p, "stacks/catalog-api.ts", '  team: "storefront",', `  team: "storefront",\n  blueprint: "${name}",`);

describe("blueprints chosen per app", () => {
  let base: Project;
  let before: Record<string, string>;
  beforeAll(() => {
    base = synthesizedExample({ caches: true });
    before = base.tree();
  });

  it("renders an app with the platform's blueprint, re-rendering only that app, and leaves the others' files as they were", async () => {
    const p = copyProject(base, ["stacks", "out", "CODEOWNERS", CACHE]);
    withWorker(p);
    chooseWorker(p);

    const result = await synth({ root: p.root });

    expect(new Set(result.rendered.map((r) => r.app))).toEqual(new Set(["catalog-api"]));
    const after = p.tree();
    const ours = (file: string) => file.startsWith("apps/catalog-api/");
    const manifests = Object.keys(after).filter((file) => ours(file) && file.endsWith("manifest.yaml"));
    expect(manifests.length).toBeGreaterThan(0);
    for (const file of manifests) {
      expect(before[file]).toMatch(/^kind: Service$/m);
      expect(after[file]).not.toMatch(/^kind: Service$/m);
      expect(after[file]).toMatch(/^kind: Deployment$/m);
    }
    const others = (tree: Record<string, string>) =>
      Object.fromEntries(Object.entries(tree).filter(([file]) => !ours(file) && !file.startsWith(".sluice/")));
    expect(others(after)).toEqual(others(before));
  });

  it("renders the apps of a blueprint again when its cacheKey changes, and on every synth without one", async () => {
    const p = copyProject(base, ["stacks", "out", "CODEOWNERS", CACHE]);
    withWorker(p);
    chooseWorker(p);
    await synth({ root: p.root });
    expect((await synth({ root: p.root })).rendered).toEqual([]);

    edit(p, "stacks/blueprints/worker.ts", 'cacheKey: "worker-1"', 'cacheKey: "worker-2"');
    expect(new Set((await synth({ root: p.root })).rendered.map((r) => r.app))).toEqual(new Set(["catalog-api"]));

    edit(p, "stacks/blueprints/worker.ts", '  cacheKey: "worker-2",\n', "");
    await synth({ root: p.root });
    expect(new Set((await synth({ root: p.root })).rendered.map((r) => r.app))).toEqual(new Set(["catalog-api"]));
  });

  it("a platform that registers blueprints changes nothing for apps that choose none", async () => {
    const p = copyProject(base, ["stacks", "out", "CODEOWNERS"]);
    withWorker(p);
    const result = await synth({ root: p.root, check: true });
    expect(result.drift).toMatchObject({ stale: [], missing: [], extra: [] });
  });

  it("an unregistered blueprint does not compile, at the line that names it", async () => {
    const p = makeProject(exampleStacks());
    withWorker(p);
    const line = lineOf(chooseWorker(p, "wroker"), '"wroker"');
    const d = only(await rejection(plan({ root: p.root })));
    expect(d.code).toMatch(/^typecheck\/TS\d+$/);
    expectAt(d, "stacks/catalog-api.ts", line);
  });

  it("without the type-check, an unregistered blueprint is an error at its line that names the likely one", async () => {
    const p = makeProject(exampleStacks());
    withWorker(p);
    const line = lineOf(chooseWorker(p, "wroker"), '"wroker"');
    const d = only(withCode(await rejection(plan({ root: p.root, skipTypecheck: true })), "validate/unknown-blueprint"));
    expectAt(d, "stacks/catalog-api.ts", line);
    expect(d.hint).toBe('did you mean "worker"?');
  });

  it("refuses a platform blueprint named like a built-in one", async () => {
    const p = makeProject(exampleStacks());
    withWorker(p);
    edit(p, "stacks/platform.ts", "  blueprints: { worker },", '  blueprints: { "web-service": worker },');
    const d = only(withCode(await rejection(plan({ root: p.root, skipTypecheck: true })), "validate/built-in-blueprint"));
    expect(d.origin?.file).toBe("stacks/platform.ts");
  });

  it("checks a platform blueprint's objects as strictly as every emitted object", async () => {
    const p = makeProject(exampleStacks());
    withWorker(
      p,
      WORKER.replace(
        "render: (app) => webService.render(app)",
        'render: (app) => webService.render(app).map((o) => (o.kind === "Deployment" ? { ...o, spec: { ...o.spec as object, replica: 2 } } : o))',
      ),
    );
    chooseWorker(p);
    const d = only(await rejection(plan({ root: p.root })));
    expect(d.code).toMatch(/^check\//);
    expect(d.message).toMatch(/replica\b/);
  });
});
