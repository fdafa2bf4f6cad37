import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { simpleGit } from "simple-git";
import { beforeAll, describe, expect, it } from "vitest";
import { synth } from "sluice";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { makeProject, readTree, type Project } from "./helpers/project.js";
import { removeApp } from "./helpers/releases.js";

/** mtime of every file below out/, to prove which files a synth touched. */
function mtimes(project: Project): Record<string, number> {
  const out = path.join(project.root, "out");
  return Object.fromEntries(Object.keys(readTree(out)).map((f) => [f, fs.statSync(path.join(out, f)).mtimeMs]));
}

/** A copy of a synthesized project: its stacks, out/ and the CODEOWNERS synth keeps at its root. */
function copyProject(from: Project): Project {
  const to = makeProject();
  for (const dir of ["stacks", "out", "CODEOWNERS"]) fs.cpSync(path.join(from.root, dir), path.join(to.root, dir), { recursive: true });
  return to;
}

const bump = (project: Project, file: string, from: string, to: string) => project.write(file, project.read(file).replace(from, to));

describe("writing out/", () => {
  let base: Project;
  beforeAll(() => {
    base = synthesizedExample();
  });

  it("rewrites nothing when the stacks have not changed", async () => {
    const project = copyProject(base);
    const before = mtimes(project);
    await new Promise((r) => setTimeout(r, 20));
    const result = await synth({ root: project.root, skipTypecheck: true });
    expect(result.write!.written).toEqual([]);
    expect(result.write!.deleted).toEqual([]);
    expect(mtimes(project)).toEqual(before);
  });

  it("rewrites exactly the files whose bytes change", async () => {
    // GIVEN a synthesized project WHEN payments' dev release moves
    const project = copyProject(base);
    const before = project.tree();
    const stamps = mtimes(project);
    project.write("stacks/payments.ts", project.read("stacks/payments.ts").replace('dev: "1.7.0"', 'dev: "1.7.1"'));
    await new Promise((r) => setTimeout(r, 20));
    const result = await synth({ root: project.root, skipTypecheck: true });
    const after = project.tree();

    // THEN the written files are exactly those whose content differs…
    const differing = Object.keys(after)
      .filter((f) => after[f] !== before[f])
      .sort();
    expect(result.write!.written).toEqual(differing);
    // …which is payments' manifest on dev-1 and nothing else: not its Application,
    // not the README, not the lock, so bumps of two apps never conflict.
    expect(differing).toEqual(["apps/payments/dev-1/manifest.yaml"]);
    // AND no other file was touched on disk.
    const touched = Object.keys(after)
      .filter((f) => mtimes(project)[f] !== stamps[f])
      .sort();
    expect(touched).toEqual(differing);
  });

  it("deletes the files of a removed app, and its empty directories, and nothing else", async () => {
    const project = copyProject(base);
    const before = project.tree();
    removeApp(project, "search");
    const result = await synth({ root: project.root, skipTypecheck: true });
    const gone = Object.keys(before).filter((f) => !(f in project.tree()));
    expect(result.write!.deleted.length).toBeGreaterThan(0);
    expect([...result.write!.deleted].sort()).toEqual(gone.sort());
    expect(gone.every((f) => f.startsWith("apps/search/") || /^clusters\/[^/]+\/apps\/search\.yaml$/.test(f))).toBe(true);
    expect(project.exists("out/apps/search")).toBe(false);
    expect(project.exists("out/apps/payments/dev-1/manifest.yaml")).toBe(true);
  });

  it("leaves out/ exactly as it was when writing fails part-way", async () => {
    // GIVEN a new app, and an empty directory where one of its files must go,
    // so writing fails after other new files were already written.
    const project = copyProject(base);
    project.write(
      "stacks/ledger.ts",
      `import { platform } from "./platform.js";\nexport default platform.app("ledger", { team: "payments", image: "registry.example.com/ledger", release: { dev: "1.0.0" } });\n`,
    );
    fs.mkdirSync(path.join(project.root, "out/clusters/dev-1/apps/ledger.yaml"), { recursive: true });
    const before = project.tree();
    const lockBefore = project.read("out/.sluice/lock.json");

    await expect(synth({ root: project.root, skipTypecheck: true })).rejects.toThrow(
      /Writing out\/ failed; it was left as it was[\s\S]*EEXIST/,
    );

    expect(project.tree()).toEqual(before);
    expect(project.read("out/.sluice/lock.json")).toBe(lockBefore);
    expect(project.exists("out/apps/ledger/dev-1/manifest.yaml")).toBe(false);
  });

  it("takes over the run lock of a killed synth and removes what it had staged", async () => {
    // GIVEN the lock and staging area of a synth killed part-way (its pid is gone)
    const project = copyProject(base);
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    const holder = {
      pid: Number(dead.stdout),
      hostname: os.hostname(),
      since: "2026-01-01T00:00:00.000Z",
      runId: "4242-dead",
      command: "sluice synth",
    };
    project.write("out/.sluice/synth.lock", JSON.stringify(holder));
    project.write("out/.sluice/staging/4242-dead/0", "half a manifest");
    // WHEN synth runs THEN it goes ahead, and leaves no lock and no staging area behind
    bump(project, "stacks/payments.ts", 'dev: "1.7.0"', 'dev: "1.7.1"');
    expect((await synth({ root: project.root, skipTypecheck: true })).write!.written).toEqual(["apps/payments/dev-1/manifest.yaml"]);
    expect(project.exists("out/.sluice/synth.lock")).toBe(false);
    expect(project.exists("out/.sluice/staging")).toBe(false);
  });

  it("keeps a committed env repo clean in git after a re-synth", async () => {
    const project = copyProject(base);
    const git = simpleGit(project.root);
    await git.init();
    await git.addConfig("user.email", "ci@example.com").addConfig("user.name", "CI");
    project.write(".gitignore", "node_modules/\n");
    await git.add(".");
    await git.commit("synth");
    await synth({ root: project.root, skipTypecheck: true });
    expect((await git.status()).isClean()).toBe(true);

    project.write(
      "stacks/releases/prod/catalog-api.ts",
      project.read("stacks/releases/prod/catalog-api.ts").replace('prod: "2.4.1"', 'prod: "2.4.2"'),
    );
    await synth({ root: project.root, skipTypecheck: true });
    const status = await git.status();
    expect(status.modified.sort()).toEqual([
      "out/apps/catalog-api/prod-ap-1/manifest.yaml",
      "out/apps/catalog-api/prod-us-1/manifest.yaml",
      "out/apps/catalog-api/prod-us-central-1/manifest.yaml",
      "out/apps/catalog-api/prod-us-west-1/manifest.yaml",
      "stacks/releases/prod/catalog-api.ts",
    ]);
    expect(status.not_added).toEqual([]);
    expect(status.deleted).toEqual([]);
  });
});

describe("synth --check", () => {
  it("reports stale, missing and extra files and writes nothing", async () => {
    const project = synthesizedExample({ caches: true });
    expect((await synth({ root: project.root, check: true, skipTypecheck: true })).drift).toEqual({ stale: [], missing: [], extra: [] });

    project.write("out/apps/payments/dev-1/manifest.yaml", "edited by hand\n");
    project.remove("out/clusters/dev-1/apps/payments.yaml");
    project.write("out/apps/payments/notes.md", "mine\n");
    const before = project.tree();
    const { drift } = await synth({ root: project.root, check: true, skipTypecheck: true });
    expect(drift).toEqual({
      stale: ["apps/payments/dev-1/manifest.yaml"],
      missing: ["clusters/dev-1/apps/payments.yaml"],
      extra: ["apps/payments/notes.md"],
    });
    expect(project.tree()).toEqual(before);
  });
});
