/**
 * The load and type-check caches key the files outside the project and in
 * node_modules by content: a reinstall (npm ci on a CI runner: new inodes,
 * new mtimes, the same bytes) keeps them, and changed bytes do not.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { copyProject } from "./helpers/project.js";
import { edit } from "./helpers/stack-edit.js";

describe("caches of what the stacks read in node_modules", () => {
  it("a reinstall with the same bytes keeps the type-check; other bytes type-check again", async () => {
    const p = copyProject(synthesizedExample());
    // A package of the project's own (not a link into another checkout), whose types a stack reads.
    p.write("node_modules/replica-counts/package.json", JSON.stringify({ name: "replica-counts", version: "1.0.0", types: "index.d.ts" }));
    const types = "export type Replicas = 1 | 2 | 3;\n";
    p.write("node_modules/replica-counts/index.d.ts", types);
    edit(
      p,
      "stacks/catalog-api.ts",
      'import { platform } from "./platform.js";',
      'import { platform } from "./platform.js";\nimport type { Replicas } from "replica-counts";\nconst replicas: Replicas = 1;',
    );
    edit(p, "stacks/catalog-api.ts", "  preview: { replicas: 1 },", "  preview: { replicas },");
    const timings = async () => {
      const run = await runCli(["verify", "--format", "json"], { cwd: p.root, env: { NO_COLOR: "1" } });
      expect(run.status, run.stderr).toBe(0);
      return JSON.parse(run.stdout).timings as Record<string, number>;
    };
    expect((await timings()).typecheck).toBeGreaterThan(0);
    expect((await timings()).typecheck).toBeUndefined();
    // npm ci: the package removed and written again, the same bytes with a new inode and mtime.
    const file = path.join(p.root, "node_modules/replica-counts/index.d.ts");
    fs.rmSync(file);
    await new Promise((resolve) => setTimeout(resolve, 20));
    fs.writeFileSync(file, types);
    expect((await timings()).typecheck).toBeUndefined();
    // Other bytes: the type-check runs, and finds what no longer compiles.
    fs.writeFileSync(file, "export type Replicas = 2 | 3;\n");
    const run = await runCli(["verify", "--format", "json"], { cwd: p.root, env: { NO_COLOR: "1" } });
    expect(run.status).toBe(2);
    expect(run.stdout).toContain("stacks/catalog-api.ts");
  });
});
