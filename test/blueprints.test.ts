/**
 * Blueprints are registered by the platform and chosen per app: a second
 * blueprint is one file (here stacks/blueprints/quiet.ts, wrapping the
 * built-in service from `sluice/blueprints`) and one registration line in
 * the platform, and an app chooses it with `blueprint: "quiet"`.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { plan, synth } from "sluice";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { copyProject, exampleStacks, makeProject, type Project } from "./helpers/project.js";
import { edit, expectAt, lineOf, only, rejection, withCode } from "./helpers/stack-edit.js";

const CACHE = "node_modules/.cache/sluice";

/** The quiet blueprint: the service's objects without its Service. */
const QUIET = `import { service, type Blueprint } from "sluice/blueprints";

export const quiet: Blueprint = {
  ...service,
  name: "quiet",
  cacheKey: "quiet-1",
  render: (app) => service.render(app).filter((object) => object.kind !== "Service"),
};
`;

/** GIVEN the quiet in its own file, registered by the platform in one line (and imported). */
function withQuiet(p: Project, file = QUIET): void {
  p.write("stacks/blueprints/quiet.ts", file);
  edit(
    p,
    "stacks/platform.ts",
    'import { definePlatform } from "sluice";',
    'import { definePlatform } from "sluice";\nimport { quiet } from "./blueprints/quiet.js";',
  );
  edit(p, "stacks/platform.ts", "  teams: {\n", "  blueprints: { quiet },\n\n  teams: {\n");
}

const chooseQuiet = (p: Project, name = "quiet") =>
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
    withQuiet(p);
    chooseQuiet(p);

    const result = await synth({ root: p.root });

    expect(new Set(result.rendered.map((r) => r.app))).toEqual(new Set(["catalog-api"]));
    const after = p.tree();
    // Its instances' files, and its preview's (rendered with the same blueprint).
    const ours = (file: string) => file.startsWith("apps/catalog-api/") || file.startsWith("previews/catalog-api/");
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
    withQuiet(p);
    chooseQuiet(p);
    await synth({ root: p.root });
    expect((await synth({ root: p.root })).rendered).toEqual([]);

    edit(p, "stacks/blueprints/quiet.ts", 'cacheKey: "quiet-1"', 'cacheKey: "quiet-2"');
    expect(new Set((await synth({ root: p.root })).rendered.map((r) => r.app))).toEqual(new Set(["catalog-api"]));

    edit(p, "stacks/blueprints/quiet.ts", '  cacheKey: "quiet-2",\n', "");
    await synth({ root: p.root });
    expect(new Set((await synth({ root: p.root })).rendered.map((r) => r.app))).toEqual(new Set(["catalog-api"]));
  });

  it("a platform that registers blueprints changes nothing for apps that choose none", async () => {
    const p = copyProject(base, ["stacks", "out", "CODEOWNERS"]);
    withQuiet(p);
    const result = await synth({ root: p.root, check: true });
    expect(result.drift).toMatchObject({ stale: [], missing: [], extra: [] });
  });

  it("an unregistered blueprint does not compile, at the line that names it", async () => {
    const p = makeProject(exampleStacks());
    withQuiet(p);
    const line = lineOf(chooseQuiet(p, "qiuet"), '"qiuet"');
    const d = only(await rejection(plan({ root: p.root })));
    expect(d.code).toMatch(/^typecheck\/TS\d+$/);
    expectAt(d, "stacks/catalog-api.ts", line);
  });

  it("without the type-check, an unregistered blueprint is an error at its line that names the likely one", async () => {
    const p = makeProject(exampleStacks());
    withQuiet(p);
    const line = lineOf(chooseQuiet(p, "qiuet"), '"qiuet"');
    const d = only(withCode(await rejection(plan({ root: p.root, skipTypecheck: true })), "validate/unknown-blueprint"));
    expectAt(d, "stacks/catalog-api.ts", line);
    expect(d.hint).toBe('did you mean "quiet"?');
  });

  it("refuses a platform blueprint named like a built-in one", async () => {
    const p = makeProject(exampleStacks());
    withQuiet(p);
    edit(p, "stacks/platform.ts", "  blueprints: { quiet },", '  blueprints: { "service": quiet },');
    const d = only(withCode(await rejection(plan({ root: p.root, skipTypecheck: true })), "validate/built-in-blueprint"));
    expect(d.origin?.file).toBe("stacks/platform.ts");
  });

  it("checks a platform blueprint's objects as strictly as every emitted object", async () => {
    const p = makeProject(exampleStacks());
    withQuiet(
      p,
      QUIET.replace(
        "render: (app) => service.render(app)",
        'render: (app) => service.render(app).map((o) => (o.kind === "Deployment" ? { ...o, spec: { ...o.spec as object, replica: 2 } } : o))',
      ),
    );
    chooseQuiet(p);
    const d = only(await rejection(plan({ root: p.root })));
    expect(d.code).toMatch(/^check\//);
    expect(d.message).toMatch(/replica\b/);
  });
});
