/**
 * Issue 18, items 3, 12 and part of 25: every argument a user gives that
 * reaches git is a ref or a branch name, never an option, and is checked
 * before anything is edited. Real git repositories, the real CLI.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { simpleGit } from "simple-git";
import { afterAll, describe, expect, it } from "vitest";
import { synth } from "sluice";
import { checkBranchName } from "../src/git/branch-name.js";
import { runCli } from "./helpers/cli.js";
import { GIT_IDENTITY } from "./helpers/git-identity.js";
import { exampleStacks, makeProject, type Project } from "./helpers/project.js";
import { midRolloutProjects, T0 } from "./helpers/mid-rollout.js";
import { setReleases } from "./helpers/releases.js";

/** The environment without any git identity: no user.name anywhere (HOME is an empty directory). */
function noIdentity(): Record<string, string | undefined> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-home-"));
  temporary.push(home);
  const unset = Object.fromEntries(Object.keys(GIT_IDENTITY).map((key) => [key, undefined]));
  return { ...unset, HOME: home, XDG_CONFIG_HOME: home, GIT_CONFIG_NOSYSTEM: "1" };
}
const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** GIVEN catalog-api 2.3.1 in dev and 2.3.0 everywhere else, committed at T0 on main, out/ committed (a copy, git history included). */
const catalogMidRollout = midRolloutProjects();

/** `env`: the variables set (or unset) for this run. */
async function sluice(cwd: string, args: readonly string[], env: Record<string, string | undefined> = {}) {
  const run = await runCli(args, { cwd, env });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** Everything a refusal must leave as it was: the status, HEAD, the branch, the branches, and every file's bytes (outside .git and node_modules). */
async function snapshot(p: Project) {
  const git = simpleGit(p.root);
  const files: Record<string, string> = {};
  for (const entry of fs.readdirSync(p.root, { recursive: true, withFileTypes: true })) {
    const full = path.join(entry.parentPath, entry.name);
    const relative = path.relative(p.root, full);
    if (relative.startsWith(".git") || relative.startsWith("node_modules") || !entry.isFile()) continue;
    files[relative] = fs.readFileSync(full, "base64");
  }
  return {
    status: await git.raw(["status", "--porcelain", "--untracked-files=all"]),
    head: (await git.revparse(["HEAD"])).trim(),
    branch: (await git.raw(["branch", "--show-current"])).trim(),
    branches: (await git.raw(["branch", "--list", "--format=%(refname)"])).trim(),
    index: (await git.raw(["ls-files", "--stage"])).trim(),
    files,
  };
}

const HOSTILE_REFS = ["--output=pwned.txt", "--output=../sentinel/pwned.txt", "--output=pwned.txt HEAD", "-p", "--all"];
const MISSING_REFS = ["nonexistent-branch", "origin/mian", "HEAD~999"];

describe("gates --base: a ref, never an option", () => {
  it.each(HOSTILE_REFS)("refuses --base %s with exit 2, creating no file", async (base) => {
    const p = await catalogMidRollout();
    const before = await snapshot(p);
    const run = await sluice(p.root, ["gates", "--base", base]);
    expect(run.status, run.output).toBe(2);
    expect(run.output).toContain(`${JSON.stringify(base)} is not a git ref: it starts with "-", which git would read as an option`);
    expect(run.output).not.toContain("internal error");
    expect(p.exists("pwned.txt")).toBe(false);
    expect(await snapshot(p)).toEqual(before);
  });

  it.each(MISSING_REFS)("refuses a base that does not exist (%s): unknown ref, exit 2, no gate table", async (base) => {
    const p = await catalogMidRollout();
    const run = await sluice(p.root, ["gates", "--base", base]);
    expect(run.status, run.output).toBe(2);
    expect(run.output).toContain(`unknown git ref "${base}"`);
    expect(run.output).not.toMatch(/^(ok|closed) /m);
  });

  it("still holds a change to the gates against a base that exists", async () => {
    const p = await catalogMidRollout();
    const run = await sluice(p.root, ["gates", "--base", "main"]);
    expect(run.status, run.output).toBe(0);
    expect(run.output).toContain("No release changes since main.");
  });
});

describe("diff --base: a ref, never an option", () => {
  it.each([...HOSTILE_REFS, ...MISSING_REFS])("refuses --base %s with exit 2, creating no file", async (base) => {
    const p = await catalogMidRollout();
    const run = await sluice(p.root, ["diff", "--skip-typecheck", "--base", base]);
    expect(run.status, run.output).toBe(2);
    expect(run.output).toMatch(/is not a git ref|unknown git ref/);
    expect(p.exists("pwned.txt")).toBe(false);
  });
});

describe("branch names", () => {
  it("agrees with git check-ref-format --branch", () => {
    const names = [
      "main",
      "release/1.8",
      "promote/a/b/1.8.0-rc.1",
      "1.8.0-rc..1",
      "x.lock",
      "a/x.lock/b",
      "1.8.0-rc.",
      "a/.b",
      "-p",
      "--all",
      "a b",
      "a~1",
      "a^",
      "a:b",
      "a?",
      "a*",
      "a[",
      "a\\b",
      "a//b",
      "/a",
      "a/",
      "a@{1}",
      "@",
      "HEAD",
      "a\u0001b",
      "a\u007fb",
      ".a",
      "a.",
      "é",
    ];
    for (const name of names) {
      const git = spawnSync("git", ["check-ref-format", "--branch", name], { encoding: "utf8" });
      // git accepts "HEAD" and "@" here (it resolves them to the branch checked out); as a branch to create they are refused, and so are they here.
      const valid = git.status === 0 && name !== "HEAD" && name !== "@" && !name.startsWith("-");
      expect(checkBranchName(name) === undefined, `${name}: ${checkBranchName(name)}`).toBe(valid);
    }
  });
});

describe("release and promote --commit with a version that cannot be a branch name", () => {
  it.each(["1.8.0-rc..1", "1.8.0-x.lock", "1.8.0-rc."])("refuses release %s --commit before anything is edited", async (version) => {
    const p = await catalogMidRollout();
    const before = await snapshot(p);
    const run = await sluice(p.root, ["release", "catalog-api", version, "--skip-typecheck", "--commit"]);
    expect(run.status, run.output).toBe(2);
    expect(run.output).not.toContain("internal error");
    expect(run.output).toContain(`promote/catalog-api/dev/${version}`);
    expect(run.output).toContain("not a valid git branch name");
    expect(await snapshot(p)).toEqual(before);
  });

  it("refuses promote --version 1.8.0-x.lock --commit before anything is edited", async () => {
    const p = await catalogMidRollout();
    // dev runs 1.8.0-x.lock, committed long ago: staging's gate is open.
    setReleases(p, "catalog-api", { dev: "1.8.0-x.lock", staging: "2.3.0", "prod-canary": "2.3.0", prod: "2.3.0" });
    await synth({ root: p.root, skipTypecheck: true });
    const date = T0.toISOString();
    await simpleGit(p.root)
      .env({ ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date })
      .add(".")
      .commit("dev on 1.8.0-x.lock");
    const before = await snapshot(p);
    const run = await sluice(p.root, ["promote", "catalog-api", "--skip-typecheck", "--commit"]);
    expect(run.status, run.output).toBe(2);
    expect(run.output).toContain("promote/catalog-api/staging/1.8.0-x.lock");
    expect(await snapshot(p)).toEqual(before);
  });

  it("a semver tag that is no branch name is still released without --commit", async () => {
    const p = await catalogMidRollout();
    const run = await sluice(p.root, ["release", "catalog-api", "1.8.0-x.lock", "--skip-typecheck"]);
    expect(run.status, run.output).toBe(0);
    expect(p.read("stacks/catalog-api.ts")).toContain('dev: "1.8.0-x.lock"');
  });

  it("is not a semver release when a pre-release identifier is empty (1.8.0-rc..1, 1.8.0-rc.): a plain tag, which can move", async () => {
    const p = await catalogMidRollout();
    setReleases(p, "catalog-api", { dev: "1.8.0-rc..1", staging: "2.3.0", "prod-canary": "2.3.0", prod: "2.3.0" });
    const run = await sluice(p.root, ["synth", "--skip-typecheck"]);
    expect(run.status, run.output).toBe(2);
    expect(run.output).toMatch(/stacks\/catalog-api\.ts:\d+/);
    expect(run.output).toContain("1.8.0-rc..1");
  });
});

describe("promote --commit refusals leave the checkout exactly as it was", () => {
  it("without a git identity: refused before the edit, with what to configure", async () => {
    const p = await catalogMidRollout();
    await simpleGit(p.root).raw(["config", "--unset", "user.name"]);
    await simpleGit(p.root).raw(["config", "--unset", "user.email"]);
    const before = await snapshot(p);
    const run = await sluice(p.root, ["release", "catalog-api", "2.3.2", "--skip-typecheck", "--commit"], noIdentity());
    expect(run.status, run.output).toBe(2);
    expect(run.output).not.toContain("internal error");
    expect(run.output).toContain("git does not know who commits");
    expect(run.output).toContain("nothing was changed");
    expect(run.output).toContain("user.email");
    expect(await snapshot(p)).toEqual(before);
  });

  it("when git refuses the commit (a pre-commit hook): exit 2, the edit and out/ put back, no branch", async () => {
    const p = await catalogMidRollout();
    p.write(".git/hooks/pre-commit", "#!/bin/sh\necho 'no commits on Fridays' >&2\nexit 1\n");
    fs.chmodSync(path.join(p.root, ".git/hooks/pre-commit"), 0o755);
    const before = await snapshot(p);
    const run = await sluice(p.root, ["release", "catalog-api", "2.3.2", "--skip-typecheck", "--commit"]);
    expect(run.status, run.output).toBe(2);
    expect(run.output).not.toContain("internal error");
    expect(run.output).toContain("no commits on Fridays");
    expect(run.output).toContain("nothing was changed");
    expect(await snapshot(p)).toEqual(before);
  });

  it("with the promotion's branch existing: nothing changes", async () => {
    const p = await catalogMidRollout();
    await simpleGit(p.root).raw(["branch", "release/catalog-api/dev/2.3.2"]);
    await simpleGit(p.root).raw(["branch", "promote/catalog-api/dev/2.3.2"]);
    const before = await snapshot(p);
    const run = await sluice(p.root, ["release", "catalog-api", "2.3.2", "--skip-typecheck", "--commit"]);
    expect(run.status, run.output).toBe(2);
    expect(run.output).toContain("exists already");
    expect(await snapshot(p)).toEqual(before);
  });
});

/** A bare env repository with one commit on main. */
async function remote(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-env-"));
  temporary.push(dir);
  const bare = path.join(dir, "env.git");
  await simpleGit().init(true, [bare, "--initial-branch=main"]);
  const seed = path.join(dir, "seed");
  await simpleGit().clone(bare, seed);
  fs.writeFileSync(path.join(seed, "RUNBOOK.md"), "# Written by people\n");
  await simpleGit(seed)
    .env({ ...process.env, ...GIT_IDENTITY })
    .add(".")
    .commit("runbook")
    .push("origin", "main");
  return bare;
}

async function committedStacks(): Promise<Project> {
  const p = makeProject(exampleStacks());
  p.write(".gitignore", "node_modules\n");
  const git = simpleGit(p.root).env({ ...process.env, ...GIT_IDENTITY });
  await git.init(["--initial-branch=main"]);
  await git.add(".").commit("stacks");
  return p;
}

const heads = async (bare: string) =>
  (await simpleGit(bare).raw(["for-each-ref", "--format=%(refname)", "refs/"])).trim().split("\n").sort();

describe("publish --branch and --pull-request: branch names, never options", () => {
  const env = GIT_IDENTITY;

  it("publishes --branch refs/heads/main to main", async () => {
    const bare = await remote();
    const p = await committedStacks();
    const run = await sluice(p.root, ["publish", "--skip-typecheck", "--env-repo", bare, "--branch", "refs/heads/main", "--push"], env);
    expect(run.status, run.output).toBe(0);
    expect(run.output).toContain("to main:");
    expect(await heads(bare)).toEqual(["refs/heads/main"]);
    expect(await simpleGit(bare).raw(["ls-tree", "-r", "--name-only", "main"])).toContain(".sluice/lock.json");
  });

  it.each([
    ["--branch", "refs/tags/v1"],
    ["--branch", "--upload-pack=touch ../sentinel/pwned.txt"],
    ["--branch", "-p"],
    ["--branch", "main..next"],
    ["--branch", "ma*"],
    ["--pull-request", "--output=pwned.txt"],
    ["--pull-request", "refs/heads/main"],
    ["--pull-request", "fix.lock"],
  ])("refuses %s %s with exit 2, leaving the env repo as it was", async (flag, name) => {
    const bare = await remote();
    const p = await committedStacks();
    const before = await heads(bare);
    const run = await sluice(p.root, ["publish", "--skip-typecheck", "--env-repo", bare, `${flag}=${name}`, "--push"], env);
    expect(run.status, run.output).toBe(2);
    expect(run.output).not.toContain("internal error");
    expect(run.output).toContain(name);
    expect(await heads(bare)).toEqual(before);
    expect(p.exists("pwned.txt")).toBe(false);
  });

  it("clones an --env-repo that looks like an option as a repository, never as an option", async () => {
    const p = await committedStacks();
    const hostile = "--upload-pack=cd $SENTINEL;touch pwned.txt;true:";
    const run = await sluice(p.root, ["publish", "--skip-typecheck", `--env-repo=${hostile}`, "--push"], { ...env, SENTINEL: p.sentinel });
    expect(run.status, run.output).toBe(2);
    expect(run.output).toContain(`cannot clone the env repo ${hostile}`);
    // git was asked to clone that address (an ssh host it blocks), not given an option and "." to clone.
    expect(run.output).not.toContain("repository '.' does not exist");
    expect(run.output).toContain("strange hostname '--upload-pack=");
  });

  it("refuses an envRepo.revision that is no branch name, naming the platform's setting", async () => {
    const bare = await remote();
    const p = await committedStacks();
    const platform = p.read("stacks/platform.ts");
    expect(platform).toContain('revision: "main" }');
    p.write("stacks/platform.ts", platform.replace('revision: "main" }', 'revision: "--all" }'));
    await simpleGit(p.root).env(env).add(".").commit("revision");
    const run = await sluice(p.root, ["publish", "--skip-typecheck", "--env-repo", bare, "--push"], env);
    expect(run.status, run.output).toBe(2);
    expect(run.output).toContain("envRepo.revision");
    expect(await heads(bare)).toEqual(["refs/heads/main"]);
  });
});
