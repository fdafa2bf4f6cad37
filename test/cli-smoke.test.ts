/**
 * Every command once through the real `sluice` bin, as a process: most tests
 * run the CLI in-process (test/helpers/cli.ts), so this file is what proves
 * that the bin, the compiled dist/ and each command's lazy import still work
 * together, and that each exits with the code its in-process run returns.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { simpleGit } from "simple-git";
import { beforeAll, describe, expect, it } from "vitest";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { CLI, makeProject, type Project } from "./helpers/project.js";

function sluice(cwd: string, ...args: string[]) {
  const run = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
    timeout: 60_000,
  });
  if (run.error) throw run.error;
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

let p: Project;
beforeAll(async () => {
  p = synthesizedExample();
  p.write(".gitignore", "node_modules/\n");
  const git = simpleGit(p.root);
  await git.init(["--initial-branch=main"]);
  await git.addConfig("user.email", "ci@example.com").addConfig("user.name", "CI");
  await git.add(".").commit("the example");
});

describe("the sluice bin runs each command", () => {
  it("synth --check", () => {
    const run = sluice(p.root, "synth", "--check", "--skip-typecheck");
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/up to date/);
  });

  it("check", () => {
    const run = sluice(p.root, "check", "--skip-typecheck", "--format", "json");
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true });
  });

  it("diff", () => {
    const run = sluice(p.root, "diff", "--skip-typecheck", "--exit-code");
    expect(run.status, run.stdout + run.stderr).toBe(0);
  });

  it("status", () => {
    const run = sluice(p.root, "status", "--format", "json");
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toHaveProperty("apps");
  });

  it("gates", () => {
    const run = sluice(p.root, "gates", "--base", "HEAD", "--format", "json");
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true });
  });

  it("ci", () => {
    const run = sluice(p.root, "ci", "github");
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("npx sluice verify --base");
  });

  it("publish, without --push", () => {
    const bare = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-smoke-env-"));
    try {
      expect(spawnSync("git", ["init", "--bare", "--initial-branch=main", bare]).status).toBe(0);
      const run = sluice(p.root, "publish", "--skip-typecheck", "--env-repo", bare, "--format", "json");
      expect(run.status, run.stderr).toBe(0);
    } finally {
      fs.rmSync(bare, { recursive: true, force: true });
    }
  });

  it("release, then promote refused by the soak, then rollback, on a copy", async () => {
    const q = synthesizedExample();
    q.write(".gitignore", "node_modules/\n");
    const git = simpleGit(q.root);
    await git.init(["--initial-branch=main"]);
    await git.addConfig("user.email", "ci@example.com").addConfig("user.name", "CI");
    await git.add(".").commit("the example");
    const released = sluice(q.root, "release", "catalog-api", "9.9.9", "--skip-typecheck", "--format", "json");
    expect(released.status, released.stderr).toBe(0);
    expect(JSON.parse(released.stdout)).toMatchObject({ ok: true, version: "9.9.9" });
    await git.add(".").commit("catalog-api 9.9.9");
    const promoted = sluice(q.root, "promote", "catalog-api", "--skip-typecheck");
    expect(promoted.status, promoted.stderr).toBe(1);
    expect(promoted.stdout).toMatch(/^refused: /);
    const rolledBack = sluice(q.root, "rollback", "catalog-api", "--wave", "dev", "--skip-typecheck", "--format", "json");
    expect(rolledBack.status, rolledBack.stderr).toBe(0);
    expect(JSON.parse(rolledBack.stdout)).toMatchObject({ ok: true });
  });

  it("split-releases", () => {
    const run = sluice(synthesizedExample().root, "split-releases", "--skip-typecheck", "--format", "json");
    expect(run.status, run.stderr).toBe(0);
  });

  it("init", () => {
    const fresh = makeProject();
    const run = sluice(fresh.root, "init", ".", "--yes", "--no-synth");
    expect(run.status, run.stderr).toBe(0);
    expect(fresh.exists("stacks")).toBe(true);
  });
});
