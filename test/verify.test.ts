/**
 * `sluice verify`: what a pull request's pipeline runs — check, synth
 * --check, gates and diff — from one compile. Each part must say what its
 * own command says (their JSON compared, on a real git repository with a
 * change on a branch), and the exit status is the worst of them.
 */
import fs from "node:fs";
import path from "node:path";
import { simpleGit } from "simple-git";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { copyProject, type Project } from "./helpers/project.js";
import { edit } from "./helpers/stack-edit.js";

let main: Project;
beforeAll(async () => {
  main = synthesizedExample();
  main.write(".gitignore", "node_modules/\n");
  const git = simpleGit(main.root);
  await git.init(["--initial-branch=main"]);
  await git.addConfig("user.email", "ci@example.com").addConfig("user.name", "CI");
  await git.add(".").commit("the example");
});

const sluice = (p: Project, args: readonly string[], env: Record<string, string> = {}) =>
  runCli(args, { cwd: p.root, env: { NO_COLOR: "1", GITHUB_ACTIONS: "", ...env } });
const json = (text: string) => JSON.parse(text) as Record<string, any>;
/** Timings differ from run to run; everything else must not. */
const withoutTimings = ({ timings: _timings, ...rest }: Record<string, any>) => rest;

describe("sluice verify", () => {
  it("each part says what its own command says, from one compile; exit 1 when one finds something", async () => {
    const p = copyProject(main, ["stacks", "out", "CODEOWNERS", ".gitignore", ".git"]);
    // A pull request: catalog-api 2.4.2 in dev (allowed) and straight into staging (a skipped soak: closed), out/ not synthesised.
    edit(p, "stacks/catalog-api.ts", 'release: { dev: "2.4.1", staging: "2.4.1" }', 'release: { dev: "2.4.2", staging: "2.4.2" }');
    const run = await sluice(p, ["verify", "--base", "main", "--format", "json", "--diff-file", "review.md"]);
    expect(run.status, run.stderr).toBe(1);
    const verified = json(run.stdout);
    expect(verified.ok).toBe(false);

    const check = json((await sluice(p, ["check", "--format", "json"])).stdout);
    expect(verified.check).toEqual({ ok: check.ok, findings: check.findings, waived: check.waived });

    const synth = await sluice(p, ["synth", "--check", "--format", "json"]);
    expect(synth.status).toBe(1);
    const { findings: _findings, ...drift } = json(synth.stdout);
    expect(verified.synth).toEqual({ ...drift, problems: [] });
    expect(verified.synth.stale).toContain("apps/catalog-api/dev-1/manifest.yaml");

    const gates = await sluice(p, ["gates", "--base", "main", "--format", "json"]);
    expect(gates.status).toBe(1);
    expect(verified.gates).toEqual(json(gates.stdout));
    expect(verified.gates.changes.map((c: any) => `${c.wave} ${c.allowed}`)).toEqual(["dev true", "staging false"]);

    const diff = await sluice(p, ["diff", "--base", "main", "--format", "json"]);
    expect(verified.diff).toEqual(json(diff.stdout));
    expect(verified.diff.same).toBe(false);
    expect(p.read("review.md")).toBe((await sluice(p, ["diff", "--base", "main", "--format", "markdown"])).stdout);
  });

  it("exit 0 when every part is clean; without --base only check and synth --check run", async () => {
    const p = copyProject(main, ["stacks", "out", "CODEOWNERS", ".gitignore", ".git"]);
    const run = await sluice(p, ["verify", "--base", "main", "--format", "json"]);
    expect(run.status, run.stdout).toBe(0);
    const verified = withoutTimings(json(run.stdout));
    expect(verified.ok).toBe(true);
    expect(verified.diff.same).toBe(true);
    const alone = await sluice(p, ["verify"]);
    expect(alone.status).toBe(0);
    expect(alone.stdout).not.toContain("gates");
    expect(alone.stdout).toContain("out/ is up to date with the stacks.");
    expect(alone.stdout.trim().split("\n").at(-1)).toBe("verified");
  });

  it("in GitHub Actions, findings and closed gates are annotations, and so is a compile error (exit 2) at its stack line", async () => {
    const p = copyProject(main, ["stacks", "out", "CODEOWNERS", ".gitignore", ".git"]);
    edit(p, "stacks/catalog-api.ts", 'release: { dev: "2.4.1", staging: "2.4.1" }', 'release: { dev: "2.4.1", staging: "2.4.2" }');
    const closed = await sluice(p, ["verify", "--base", "main"], { GITHUB_ACTIONS: "true" });
    expect(closed.status).toBe(1);
    expect(closed.stdout).toMatch(/^::error file=stacks\/catalog-api\.ts,line=\d+,col=\d+,title=sluice gates\/closed::/m);

    edit(p, "stacks/catalog-api.ts", 'staging: "2.4.2" }', "staging: 242 }");
    const broken = await sluice(p, ["verify", "--base", "main", "--skip-typecheck"], { GITHUB_ACTIONS: "true" });
    expect(broken.status).toBe(2);
    expect(broken.stdout).toMatch(/^::error file=stacks\/catalog-api\.ts,line=\d+,col=\d+,title=sluice [a-z/-]+::/m);
    expect(broken.stderr).toContain("stacks/catalog-api.ts:");
  });

  it("caches restored from another runner's checkout speed it up but are never trusted: a changed out/ file is still found", async () => {
    const first = copyProject(main, ["stacks", "out", "CODEOWNERS", ".gitignore", ".git"]);
    const cold = await sluice(first, ["verify", "--base", "main", "--format", "json"]);
    expect(cold.status).toBe(0);
    expect(json(cold.stdout).timings.typecheck).toBeGreaterThan(0);
    // Another runner: a new checkout somewhere else, the cache directory restored into it (as actions/cache does)…
    const second = copyProject(main, ["stacks", "out", "CODEOWNERS", ".gitignore", ".git"]);
    fs.cpSync(path.join(first.root, "node_modules/.cache/sluice"), path.join(second.root, "node_modules/.cache/sluice"), {
      recursive: true,
    });
    // …whose out/ differs from what was committed.
    const file = "out/apps/catalog-api/dev-1/manifest.yaml";
    second.write(file, second.read(file).replace("replicas: ", "replicas: 1"));
    const run = await sluice(second, ["verify", "--base", "main", "--format", "json"]);
    expect(run.status).toBe(1);
    expect(json(run.stdout).synth.stale).toEqual(["apps/catalog-api/dev-1/manifest.yaml"]);
    // The stacks were not type-checked again: the restored cache knew them.
    expect(json(run.stdout).timings.typecheck).toBeUndefined();
    // Put back, the same restored cache gives the clean answer.
    second.write(file, first.read(file));
    expect((await sluice(second, ["verify", "--base", "main"])).status).toBe(0);
  });

  it("gates read only the history of the apps whose files changed, and every app's when a module the stacks import changed", async () => {
    const p = copyProject(main, ["stacks", "out", "CODEOWNERS", ".gitignore", ".git"]);
    // catalog-api's staging release comes from a module of its own, committed on main.
    p.write("stacks/versions.ts", 'export const CATALOG_STAGING = "2.4.1";\n');
    edit(p, "stacks/catalog-api.ts", 'staging: "2.4.1" }', "staging: CATALOG_STAGING }");
    p.write("stacks/catalog-api.ts", `import { CATALOG_STAGING } from "./versions.js";\n${p.read("stacks/catalog-api.ts")}`);
    expect((await sluice(p, ["synth", "--skip-typecheck"])).status).toBe(0);
    await simpleGit(p.root).add(".").commit("catalog-api's staging release from a module");
    // One app's stack changed: its change is held to the gates (a skipped wave), the others are not read.
    edit(p, "stacks/search.ts", /dev: "[^"]+"/.exec(p.read("stacks/search.ts"))![0], 'dev: "9.9.9"');
    const one = json((await sluice(p, ["gates", "--base", "main", "--format", "json"])).stdout);
    expect(one.changes.map((c: any) => `${c.app} ${c.wave} ${c.allowed}`)).toEqual(["search dev true"]);
    // Only the module changed: catalog-api's staging takes 2.4.2, which dev does not run — found, though no app's file changed.
    await simpleGit(p.root).checkout(["--", "stacks/search.ts"]);
    p.write("stacks/versions.ts", 'export const CATALOG_STAGING = "2.4.2";\n');
    const run = await sluice(p, ["gates", "--base", "main", "--format", "json"]);
    expect(run.status).toBe(1);
    expect(json(run.stdout).changes).toContainEqual(
      expect.objectContaining({ app: "catalog-api", wave: "staging", to: "2.4.2", allowed: false }),
    );
  });
});
