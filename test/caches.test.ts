import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { synth } from "sluice";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { copyProject, exampleStacks, makeProject, type Project } from "./helpers/project.js";
import { removeApp } from "./helpers/releases.js";

const CACHE = "node_modules/.cache/sluice";

const copyWithCaches = (from: Project) => copyProject(from, ["stacks", "out", "CODEOWNERS", CACHE]);

const bump = (project: Project, file: string, from: string, to: string) => {
  const before = project.read(file);
  expect(before).toContain(from);
  project.write(file, before.replace(from, to));
};

/**
 * Edits that a series of synths goes through, each a different kind of change to the stack
 * files and to which apps exist. A change to one field of the model (a release, an environment
 * default) is covered for every field by render-cache-key.test.ts.
 */
const EDITS: [string, (p: Project) => void][] = [
  ["a comment that moves every line", (p) => p.write("stacks/payments.ts", `// moved\n\n${p.read("stacks/payments.ts")}`)],
  ["a removed app", (p) => removeApp(p, "search")],
  [
    "a new app",
    (p) =>
      p.write(
        "stacks/ledger.ts",
        `import { platform } from "./platform.js";\nexport default platform.app("ledger", { team: "payments", image: "registry.example.com/ledger", release: { dev: "1.0.0" } });\n`,
      ),
  ],
  [
    "apps declared through a shared helper",
    (p) => {
      p.write(
        "stacks/shared/worker.ts",
        `import { platform } from "../platform.js";\nexport const worker = (name: string, release: string) =>\n  platform.app(name, { team: "payments", image: \`registry.example.com/\${name}\`, release: { dev: release } });\n`,
      );
      p.write(
        "stacks/workers.ts",
        `import { worker } from "./shared/worker.js";\nexport const a = worker("worker-a", "1.0.0");\nexport const b = worker("worker-b", "1.0.0");\n`,
      );
    },
  ],
  [
    "a release bump in a stack that uses the helper",
    (p) => bump(p, "stacks/workers.ts", 'worker("worker-b", "1.0.0")', 'worker("worker-b", "1.0.1")'),
  ],
  ["the helper itself", (p) => bump(p, "stacks/shared/worker.ts", 'team: "payments"', 'team: "payments", replicas: 2')],
  [
    "a removed stack that used the helper, and a bump elsewhere",
    (p) => {
      p.remove("stacks/workers.ts");
      bump(p, "stacks/price-sync.ts", "--interval=5m", "--interval=6m");
    },
  ],
];

describe("local caches", () => {
  let base: Project;
  beforeAll(() => {
    base = synthesizedExample({ caches: true });
  });

  it("re-render only the app instances whose inputs changed", async () => {
    const project = copyWithCaches(base);
    bump(project, "stacks/payments.ts", 'dev: "1.7.0"', 'dev: "1.7.1"');
    const result = await synth({ root: project.root });
    expect(result.rendered.map((r) => `${r.app}@${r.cluster}`)).toEqual(["payments@dev-1"]);
    expect(result.write!.written).toEqual(["apps/payments/dev-1/manifest.yaml"]);
    // Only the changed stack ran, and only it was type-checked.
    expect(result.reuse).toEqual({ load: "partly", typecheck: "some", instancesRendered: 1, threads: 1, partsByWorkers: 0 });
    const again = await synth({ root: project.root });
    expect(again.rendered).toEqual([]);
    expect(again.write!.written).toEqual([]);
    expect(again.reuse).toEqual({ load: "all", typecheck: "none", instancesRendered: 0, threads: 1, partsByWorkers: 0 });
    // A change to the platform, which every stack imports, runs and checks them all.
    bump(project, "stacks/platform.ts", 'env: { LOG_LEVEL: "debug" }', 'env: { LOG_LEVEL: "trace" }');
    expect((await synth({ root: project.root })).reuse).toMatchObject({ load: "none", typecheck: "all" });
  });

  it("never change a result: after every kind of edit, with sound, deleted, garbage, truncated or tampered caches, the bytes are those of a run without caches", async () => {
    const cached = copyWithCaches(base);
    const uncached = copyWithCaches(base);
    const damages = ["none", "garbage", "truncated", "tampered", "deleted"] as const;
    for (const [index, [name, edit]] of EDITS.entries()) {
      const damage = damages[index % damages.length]!;
      edit(cached);
      edit(uncached);
      damageCaches(cached, damage);
      await synth({ root: cached.root });
      // The reference: its bytes are compared, so it skips the type-check, which the cached run keeps.
      await synth({ root: uncached.root, cache: false, skipTypecheck: true });
      expect(cached.tree(), `after ${name}, cache ${damage}`).toEqual(uncached.tree());
      expect((await synth({ root: cached.root, check: true })).drift, `after ${name}, cache ${damage}`).toEqual({
        stale: [],
        missing: [],
        extra: [],
      });
    }
  });

  it("find a file edited by hand in out/ although its size did not change", async () => {
    const project = copyWithCaches(base);
    await synth({ root: project.root }); // the stat cache now knows every file
    const file = "out/apps/payments/prod-us-1/manifest.yaml";
    const original = project.read(file);
    project.write(file, original.replace("replicas: 4", "replicas: 9"));
    expect(fs.statSync(path.join(project.root, file)).size).toBe(Buffer.byteLength(original));

    expect((await synth({ root: project.root, check: true })).drift!.stale).toEqual(["apps/payments/prod-us-1/manifest.yaml"]);
    expect((await synth({ root: project.root })).write!.written).toEqual(["apps/payments/prod-us-1/manifest.yaml"]);
    expect(project.read(file)).toBe(original);
  });

  it("never mix two checkouts that share one node_modules (a second git worktree, a monorepo)", async () => {
    // GIVEN two copies of the stacks, the second with the first's node_modules linked in
    const first = makeProject(exampleStacks());
    const second = makeProject();
    fs.rmSync(path.join(second.root, "node_modules"), { recursive: true, force: true });
    fs.symlinkSync(path.join(first.root, "node_modules"), path.join(second.root, "node_modules"), "dir");
    fs.cpSync(path.join(first.root, "stacks"), path.join(second.root, "stacks"), { recursive: true });
    second.write(
      "stacks/releases/prod/payments.ts",
      second.read("stacks/releases/prod/payments.ts").replace('prod: "1.6.3"', 'prod: "1.6.4"'),
    );
    // WHEN both synthesize, one after the other
    await synth({ root: first.root });
    await synth({ root: second.root });
    await synth({ root: first.root });
    // THEN each has its own output: the bytes a run without caches gives
    expect(first.read("out/apps/payments/prod-us-1/manifest.yaml")).toContain("payments/api:1.6.3");
    const fresh = makeProject(
      Object.fromEntries(Object.entries(second.tree("stacks")).map(([file, content]) => [`stacks/${file}`, content])),
    );
    await synth({ root: fresh.root, cache: false, skipTypecheck: true });
    expect(second.tree()).toEqual(fresh.tree());
    expect(second.read("out/apps/payments/prod-us-1/manifest.yaml")).toContain("payments/api:1.6.4");
  });

  it("are kept outside out/ and outside the committed tree", async () => {
    const project = copyWithCaches(base);
    await synth({ root: project.root });
    expect(fs.readdirSync(path.join(project.root, CACHE)).sort()).toEqual(expect.arrayContaining(["render.json"]));
    expect(Object.keys(project.tree()).filter((f) => f.includes("cache"))).toEqual([]);
  });
});

function damageCaches(project: Project, damage: "none" | "deleted" | "garbage" | "truncated" | "tampered"): void {
  const dir = path.join(project.root, CACHE);
  if (damage === "none" || !fs.existsSync(dir)) return;
  if (damage === "deleted") {
    fs.rmSync(dir, { recursive: true, force: true });
    return;
  }
  for (const name of fs.readdirSync(dir)) {
    const file = path.join(dir, name);
    if (!fs.statSync(file).isFile()) continue;
    const text = fs.readFileSync(file, "utf8");
    if (damage === "garbage") fs.writeFileSync(file, "\u0000not a cache\n{]");
    if (damage === "truncated") fs.writeFileSync(file, text.slice(0, Math.floor(text.length / 2)));
    // Valid JSON that lies: every recorded sha256 replaced by another one.
    if (damage === "tampered") fs.writeFileSync(file, text.replace(/[0-9a-f]{64}/g, "0".repeat(64)));
  }
}
