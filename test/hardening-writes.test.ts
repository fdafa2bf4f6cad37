/**
 * Issue 18, items 1, 2, 22, 26 and `synth --out /` (25): neither synth nor
 * publish writes or deletes anything outside what sluice owns, whatever a
 * hostile lock, run lock or symlink in out/ or the env repo says. Each hostile
 * input aims at the project's sentinel, which setup.ts checks after every test.
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { simpleGit } from "simple-git";
import { beforeAll, describe, expect, it } from "vitest";
import { publish, synth } from "sluice";
import { runCli } from "./helpers/cli.js";
import { withGitIdentity } from "./helpers/git-identity.js";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { CLI, copyProject, exampleStacks, makeProject, type Project } from "./helpers/project.js";
import { edit, rejection } from "./helpers/stack-edit.js";

withGitIdentity();

const messages = async (run: Promise<unknown>): Promise<string> =>
  (await rejection(run)).map((d) => `${d.message}\n${d.hint ?? ""}`).join("\n");

/** A bare env repository, and a clone of it to commit hostile content through. */
async function envRepo(p: Project): Promise<{ bare: string; seed: string }> {
  const bare = path.join(p.root, "env.git");
  await simpleGit().init(true, [bare, "--initial-branch=main"]);
  const seed = path.join(p.root, "env-seed");
  await simpleGit().clone(bare, seed);
  return { bare, seed };
}

/** Commits and pushes whatever is in the seed clone. */
async function pushSeed(seed: string, branch = "main"): Promise<void> {
  await simpleGit(seed).add(".").commit("by hand");
  await simpleGit(seed).push("origin", `HEAD:refs/heads/${branch}`);
}

/** The example stacks committed in a repository of their own (the env repo lives in ignored directories inside it). */
async function stacksRepo(): Promise<Project> {
  const p = makeProject(exampleStacks());
  p.write(".gitignore", "node_modules\nenv.git\nenv-seed\nholder.json\n");
  await simpleGit(p.root).init(["--initial-branch=main"]);
  await simpleGit(p.root).add(".").commit("stacks");
  return p;
}

describe("publish never writes or deletes outside the env repo (item 1, 22)", () => {
  it("refuses a lock in the env repo that lists a path outside it, and deletes nothing", async () => {
    const p = await stacksRepo();
    const { bare, seed } = await envRepo(p);
    await publish({ root: p.root, envRepo: bare, push: true, skipTypecheck: true });
    await simpleGit(seed).pull("origin", "main");
    // GIVEN a lock that claims a file outside the clone publish makes in the system temp dir
    const victim = path.join(p.sentinel, "victim.txt");
    const outside = `${"../".repeat(8)}${path.relative("/", victim)}`;
    const lockFile = path.join(seed, ".sluice/lock.json");
    const lock = JSON.parse(fs.readFileSync(lockFile, "utf8")) as { files: Record<string, unknown> };
    lock.files[outside] = { sources: ["stacks/platform.ts"] };
    fs.writeFileSync(lockFile, JSON.stringify(lock, null, 2));
    await pushSeed(seed);
    const head = (await simpleGit(bare).revparse(["main"])).trim();

    const text = await messages(publish({ root: p.root, envRepo: bare, push: true, skipTypecheck: true }));
    expect(text).toContain(outside);
    expect(text).toMatch(/lock\.json/);
    expect(fs.existsSync(victim)).toBe(true);
    expect((await simpleGit(bare).revparse(["main"])).trim()).toBe(head);
  });

  it.each([
    ["a manifest", "apps/payments/dev-1/manifest.yaml", "main"],
    ["README.md", "README.md", "main"],
    ["hydrator.metadata", "hydrator.metadata", "main-next"],
  ])("refuses a dangling symlink at %s in the env repo, naming it, and writes nothing through it", async (_, file, branch) => {
    const p = await stacksRepo();
    const { bare, seed } = await envRepo(p);
    fs.mkdirSync(path.dirname(path.join(seed, file)), { recursive: true });
    fs.symlinkSync(path.join(p.sentinel, "planted"), path.join(seed, file));
    await pushSeed(seed, branch);

    const text = await messages(publish({ root: p.root, envRepo: bare, branch, push: true, skipTypecheck: true }));
    expect(text).toContain(`${file} in the env repo is a symlink`);
    expect(fs.existsSync(path.join(p.sentinel, "planted"))).toBe(false);
  });

  it.each([
    ["a dangling symlink", "deploy/prod", "deploy", (p: Project) => path.join(p.sentinel, "deploy")],
    ["a symlink to a directory outside", "deploy/prod", "deploy", (p: Project) => p.sentinel],
    ["a symlink at envRepo.path itself", "deploy", "deploy", (p: Project) => p.sentinel],
  ])(
    "refuses %s on the way to envRepo.path instead of writing through it and reporting nothing to publish",
    async (_, dir, link, target) => {
      const p = await stacksRepo();
      edit(p, "stacks/platform.ts", 'revision: "main" }', `revision: "main", path: "${dir}" }`);
      await simpleGit(p.root).add(".").commit(`publish into ${dir}/`);
      const { bare, seed } = await envRepo(p);
      fs.symlinkSync(target(p), path.join(seed, link));
      await pushSeed(seed);

      const run = await runCli(["publish", "--skip-typecheck", "--env-repo", bare], { cwd: p.root });
      expect(run.status, run.stdout + run.stderr).toBe(2);
      expect(run.stderr).toContain(`${link} in the env repo is a symlink`);
      expect(run.stdout).not.toMatch(/nothing to publish/);
      expect(run.stderr).not.toMatch(/internal error/i);
    },
  );
});

describe("synth's run lock and staging area (items 2, 22)", () => {
  let base: Project;
  beforeAll(() => {
    base = synthesizedExample();
  });

  const change = (p: Project) => edit(p, "stacks/payments.ts", 'dev: "1.7.0"', 'dev: "1.7.1"');

  it("refuses a run lock whose runId leads out of the staging area, and deletes nothing", async () => {
    const p = copyProject(base);
    // A pid that is gone: the lock looks like a killed run's, whose staging area synth removes.
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    const runId = `../../../../${path.basename(p.sentinel)}`;
    p.write(
      "out/.sluice/synth.lock",
      JSON.stringify({
        pid: Number(dead.stdout),
        hostname: os.hostname(),
        since: "2026-01-01T00:00:00.000Z",
        runId,
        command: "sluice synth",
      }),
    );
    expect(path.resolve(p.root, "out/.sluice/staging", runId)).toBe(p.sentinel);
    change(p);
    const before = p.tree();

    const text = await messages(synth({ root: p.root, skipTypecheck: true }));
    expect(text).toContain("out/.sluice/synth.lock");
    expect(text).toContain(runId);
    expect(fs.existsSync(path.join(p.sentinel, "victim.txt"))).toBe(true);
    expect(p.tree()).toEqual(before);
  });

  it.each([
    ["to a directory outside out/", (p: Project) => p.sentinel],
    ["that dangles", (p: Project) => path.join(p.sentinel, "staging")],
  ])("refuses a committed out/.sluice/staging symlink %s, naming it, before staging anything", async (_, target) => {
    const p = copyProject(base);
    fs.symlinkSync(target(p), path.join(p.root, "out/.sluice/staging"));
    change(p);
    const before = p.tree();

    const text = await messages(synth({ root: p.root, skipTypecheck: true }));
    expect(text).toMatch(/out\/\.sluice\/staging is a symlink/);
    expect(p.tree()).toEqual(before);
    // --check reports it too, rather than calling out/ clean
    p.write("stacks/payments.ts", base.read("stacks/payments.ts"));
    expect((await synth({ root: p.root, check: true, skipTypecheck: true })).drift!.extra).toEqual([".sluice/staging"]);
  });

  it("calls a symlinked synth.lock a symlink, not another synth at work", async () => {
    const p = copyProject(base);
    const holder = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
    try {
      p.write(
        "holder.json",
        JSON.stringify({
          pid: holder.pid,
          hostname: os.hostname(),
          since: "2026-01-01T00:00:00.000Z",
          runId: `${holder.pid}-live`,
          command: "sluice synth",
        }),
      );
      fs.symlinkSync(path.join(p.root, "holder.json"), path.join(p.root, "out/.sluice/synth.lock"));
      change(p);
      const run = spawnSync(process.execPath, [CLI, "synth"], { cwd: p.root, encoding: "utf8" });
      expect(run.status, run.stderr).toBe(2);
      expect(run.stderr).toMatch(/out\/\.sluice\/synth\.lock is a symlink/);
      expect(run.stderr).not.toMatch(/Another synth is writing/);
    } finally {
      holder.kill();
    }
  });
});

describe("empty directories left by a killed synth (item 26)", () => {
  it("--check reports them, and the next synth removes them", async () => {
    const p = synthesizedExample({ caches: true });
    // GIVEN the state a kill -9 leaves while the directories of a removed app are being removed
    p.remove("stacks/price-sync.ts");
    await synth({ root: p.root, skipTypecheck: true });
    fs.mkdirSync(path.join(p.root, "out/apps/price-sync/dev-1"), { recursive: true });

    const check = await runCli(["synth", "--check", "--skip-typecheck"], { cwd: p.root });
    expect(check.status, check.stdout).toBe(1);
    expect(check.stdout).toMatch(/extra\s+out\/apps\/price-sync\/$/m);

    const result = await synth({ root: p.root, skipTypecheck: true });
    expect(result.write!.deleted).toEqual(["apps/price-sync/"]);
    expect(p.exists("out/apps/price-sync")).toBe(false);
    expect((await synth({ root: p.root, check: true, skipTypecheck: true })).drift).toEqual({ stale: [], missing: [], extra: [] });
  });
});

describe("synth --out somewhere sluice cannot own (item 25)", () => {
  let p: Project;
  beforeAll(() => {
    p = makeProject(exampleStacks());
  });

  it.each([
    ["/", "/"],
    [".", "the project root"],
    ["..", "the project root"],
    ["../..", "the project root"],
  ])("--out %s is a clear exit 2 naming it, not an internal error", async (out, what) => {
    const run = await runCli(["synth", "--skip-typecheck", "--out", out], { cwd: p.root });
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).not.toMatch(/internal error/i);
    expect(run.stderr).toContain(`--out ${out}`);
    expect(run.stderr).toContain(what);
  });

  it("refuses an out/ that holds the stacks, and one reached through a symlink", async () => {
    const q = makeProject(Object.fromEntries(Object.entries(exampleStacks()).map(([file, text]) => [`deploy/${file}`, text])));
    const parent = await runCli(["synth", "--skip-typecheck", "--stacks", "deploy/stacks", "--out", "deploy"], { cwd: q.root });
    expect(parent.status, parent.stderr).toBe(2);
    expect(parent.stderr).toMatch(/holds the stacks/);

    fs.symlinkSync(q.sentinel, path.join(q.root, "linked"));
    const linked = await runCli(["synth", "--skip-typecheck", "--stacks", "deploy/stacks", "--out", "linked/out"], { cwd: q.root });
    expect(linked.status, linked.stderr).toBe(2);
    expect(linked.stderr).toMatch(/linked is a symlink/);
    expect(linked.stderr).not.toMatch(/internal error/i);
  });

  it("writes to a directory elsewhere on the machine, named by an absolute path (a clone of the env repo, say)", async () => {
    const clone = makeProject();
    const run = await runCli(["synth", "--skip-typecheck", "--out", path.join(clone.root, "env")], { cwd: p.root });
    expect(run.status, run.stderr).toBe(0);
    expect(clone.exists("env/apps/payments/dev-1/manifest.yaml")).toBe(true);
  });
});
