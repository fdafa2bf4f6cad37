/**
 * The stacks repository's code owners, where the forge reads them: which
 * owners a change needs is judged here by git's own pattern matching
 * (gitignore rules, which CODEOWNERS patterns follow), with the last
 * matching line winning as on GitHub and GitLab, not by sluice's code.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { simpleGit } from "simple-git";
import { describe, expect, it } from "vitest";
import { synth } from "sluice";
import { runCli } from "./helpers/cli.js";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { makeProject, type Project } from "./helpers/project.js";
import { unfrozenExampleStacks } from "./helpers/unfrozen.js";
import { edit, only, rejection } from "./helpers/stack-edit.js";

async function cli(p: Project, ...args: string[]) {
  const run = await runCli(args, { cwd: p.root, env: { NO_COLOR: "1" } });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The project as a git repository whose one commit, with out/ and CODEOWNERS, is three days old: every soak is met. */
async function repository(p: Project): Promise<void> {
  const date = new Date(Date.now() - 72 * 3_600_000).toISOString();
  const git = simpleGit(p.root).env({ ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date });
  await git.init(["--initial-branch=main"]);
  await git.addConfig("user.email", "ci@example.com").addConfig("user.name", "CI");
  p.write(".gitignore", "node_modules/\n");
  await synth({ root: p.root, skipTypecheck: true });
  await git.add(".").commit("the fleet");
}

/**
 * Who must approve a change to `files` (paths in the repository) under this
 * CODEOWNERS text: for each file, the owners on the last line whose pattern
 * git matches against it.
 */
function ownersOf(repo: string, codeowners: string, files: readonly string[]): Record<string, string> {
  const rules = codeowners
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const [pattern, ...owners] = line.split(/\s+/);
      return { pattern: pattern!, owners: owners.join(" ") };
    });
  const owners: Record<string, string> = {};
  const excludes = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "owners-")), "pattern");
  for (const rule of rules) {
    fs.writeFileSync(excludes, `${rule.pattern}\n`);
    const run = spawnSync("git", ["-c", `core.excludesFile=${excludes}`, "check-ignore", "--no-index", "--stdin"], {
      cwd: repo,
      input: files.join("\n"),
      encoding: "utf8",
    });
    for (const file of run.stdout.split("\n").filter(Boolean)) owners[file] = rule.owners;
  }
  return owners;
}

async function changedFiles(dir: string, ref: string): Promise<string[]> {
  return (await simpleGit(dir).raw(["show", "--name-only", "--format=", ref])).trim().split("\n");
}

describe("the stacks repository's CODEOWNERS", () => {
  it("makes a production release need the wave's approvers alone, and a dev release the team", async () => {
    const p = makeProject(unfrozenExampleStacks());
    await repository(p);
    const codeowners = p.read("CODEOWNERS");

    const prod = await cli(p, "promote", "checkout-web", "--commit", "--skip-typecheck", "--format", "json");
    expect(prod.code, prod.stderr).toBe(0);
    const prodBranch = (JSON.parse(prod.stdout) as { pullRequest: { branch: string } }).pullRequest.branch;
    const prodFiles = await changedFiles(p.root, prodBranch);
    expect(prodFiles).toContain("stacks/releases/prod/checkout-web.ts");
    const prodOwners = ownersOf(p.root, codeowners, prodFiles);
    for (const file of prodFiles) {
      if (file === "out/.sluice/lock.json") continue; // unchanged here; the platform's when an app enters a cluster
      expect(prodOwners[file], file).toBe("@acme/release");
    }

    const dev = await cli(p, "release", "payments", "1.8.0", "--commit", "--skip-typecheck", "--format", "json");
    expect(dev.code, dev.stderr).toBe(0);
    const devBranch = (JSON.parse(dev.stdout) as { pullRequest: { branch: string } }).pullRequest.branch;
    const devFiles = await changedFiles(p.root, devBranch);
    expect(devFiles).toContain("stacks/payments.ts");
    for (const [file, owners] of Object.entries(ownersOf(p.root, codeowners, devFiles))) expect(owners, file).toBe("@acme/payments");

    // The platform, the file itself, a new stack file and out/'s GitOps objects stay the platform's.
    const platformFiles = [
      "stacks/platform.ts",
      "CODEOWNERS",
      "stacks/new-helper.ts",
      "out/clusters/prod-eu-1/kustomization.yaml",
      "out/README.md",
    ];
    for (const [file, owners] of Object.entries(ownersOf(p.root, codeowners, platformFiles))) expect(owners, file).toBe("@acme/platform");
    expect(Object.keys(ownersOf(p.root, codeowners, platformFiles)).sort()).toEqual([...platformFiles].sort());
    // A promotion changes neither CODEOWNERS file.
    expect(prodFiles).not.toContain("CODEOWNERS");
    expect(prodFiles).not.toContain("out/CODEOWNERS");
  });

  it("keeps the hand-written rules around its section, and replaces only the section when the stacks change", async () => {
    const p = makeProject(unfrozenExampleStacks());
    p.write("CODEOWNERS", "# Ours\n* @acme/admins\n/docs/ @acme/writers\n");
    await synth({ root: p.root, skipTypecheck: true });
    const first = p.read("CODEOWNERS");
    expect(first.startsWith("# Ours\n* @acme/admins\n/docs/ @acme/writers\n\n# BEGIN sluice")).toBe(true);
    expect(first.endsWith("# END sluice\n")).toBe(true);
    p.write("CODEOWNERS", `${first}/legal/ @acme/legal\n`);

    edit(p, "stacks/platform.ts", 'payments: { owners: ["@acme/payments"]', 'payments: { owners: ["@acme/payments-core"]');
    await synth({ root: p.root, skipTypecheck: true });
    const second = p.read("CODEOWNERS");
    expect(second.startsWith("# Ours\n* @acme/admins\n/docs/ @acme/writers\n\n# BEGIN sluice")).toBe(true);
    expect(second.endsWith("# END sluice\n/legal/ @acme/legal\n")).toBe(true);
    expect(second).toContain("/stacks/payments.ts @acme/payments-core\n");
    expect(second).not.toContain("@acme/payments\n");
  });

  it("uses the file the forge reads that exists, and a project below the repository's root gets rooted paths", async () => {
    const p = makeProject();
    for (const [file, content] of Object.entries(unfrozenExampleStacks())) p.write(`deploy/${file}`, content);
    fs.symlinkSync(path.join(p.root, "node_modules"), path.join(p.root, "deploy", "node_modules"));
    p.write(".github/CODEOWNERS", "* @acme/admins\n");
    await simpleGit(p.root).init();
    await synth({ root: path.join(p.root, "deploy"), skipTypecheck: true });
    expect(p.exists("CODEOWNERS")).toBe(false);
    expect(p.exists("deploy/CODEOWNERS")).toBe(false);
    const text = p.read(".github/CODEOWNERS");
    expect(text).toContain("/deploy/stacks/ @acme/platform\n");
    expect(text).toContain("/deploy/stacks/releases/prod/ @acme/release\n");
    expect(text).toContain("/deploy/out/apps/*/prod-us-1/ @acme/release\n");
    expect(text).toContain("/.github/CODEOWNERS @acme/platform\n");
  });

  it("synth --check names a stale section and exits 1; synth writes it and --check passes", async () => {
    const p = synthesizedExample({ caches: true });
    edit(
      p,
      "stacks/platform.ts",
      'gate: { soak: "24h", approvers: ["@acme/release"] } },\n    {\n      name: "prod"',
      'gate: { soak: "24h", approvers: ["@acme/canary"] } },\n    {\n      name: "prod"',
    );
    const stale = await cli(p, "synth", "--check", "--skip-typecheck", "--format", "json");
    expect(stale.code).toBe(1);
    expect(JSON.parse(stale.stdout)).toMatchObject({ ok: false, outside: ["CODEOWNERS"] });
    expect((await cli(p, "synth", "--check", "--skip-typecheck")).stdout).toContain("stale    CODEOWNERS (the section between");
    expect((await cli(p, "synth", "--skip-typecheck")).code).toBe(0);
    expect(p.read("CODEOWNERS")).toContain("/stacks/releases/prod-canary/ @acme/canary\n");
    expect((await cli(p, "synth", "--check", "--skip-typecheck")).code).toBe(0);
  });

  it("refuses a file whose markers it cannot trust, writing nothing at all", async () => {
    const p = makeProject(unfrozenExampleStacks());
    p.write("CODEOWNERS", "* @acme/admins\n# BEGIN sluice\n/stacks/ @acme/someone\n");
    const problem = only(await rejection(synth({ root: p.root, skipTypecheck: true })));
    expect(problem.code).toBe("codeowners/broken");
    expect(problem.hint).toContain("stacksCodeowners: false");
    expect(p.exists("out")).toBe(false);
    expect(p.read("CODEOWNERS")).toBe("* @acme/admins\n# BEGIN sluice\n/stacks/ @acme/someone\n");
  });

  it("leaves the stacks repository's code owners alone with stacksCodeowners: false", async () => {
    const p = makeProject(unfrozenExampleStacks());
    edit(p, "stacks/platform.ts", 'owners: ["@acme/platform"],', 'owners: ["@acme/platform"],\n  stacksCodeowners: false,');
    await synth({ root: p.root, skipTypecheck: true });
    expect(p.exists("CODEOWNERS")).toBe(false);
    expect(p.exists("out/CODEOWNERS")).toBe(true);
  });

  it("gives a stack file that declares apps of two teams to the platform, so neither team approves the other's", async () => {
    const p = makeProject(unfrozenExampleStacks());
    p.write(
      "stacks/shared.ts",
      [
        'import { platform } from "./platform.js";',
        'platform.app("ledger", { team: "payments", image: "registry.example.com/payments/ledger", release: { dev: "1.0.0" }, ports: { http: 8080 }, probes: { readiness: { http: "/r" }, liveness: { http: "/l" } } });',
        'export default platform.app("banner", { team: "storefront", image: "registry.example.com/storefront/banner", release: { dev: "1.0.0" }, ports: { http: 8080 }, probes: { readiness: { http: "/r" }, liveness: { http: "/l" } } });',
        "",
      ].join("\n"),
    );
    await synth({ root: p.root, skipTypecheck: true });
    const text = p.read("CODEOWNERS");
    expect(text).toContain("/stacks/shared.ts @acme/platform\n");
    expect(text).toContain("/out/apps/ledger/ @acme/payments\n");
    expect(text).toContain("/out/apps/banner/ @acme/storefront\n");
  });
});
