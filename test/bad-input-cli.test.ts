/**
 * The `sluice` command end to end, as a user or CI runs it: a separate node
 * process, exit codes, and where each diagnostic points.
 */
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { makeProject, type Project } from "./helpers/project.js";
import { renameInReleaseFiles } from "./helpers/releases.js";
import { edit, lineOf } from "./helpers/stack-edit.js";

async function sluice(root: string, ...args: string[]) {
  const result = await runCli([...args, "--root", root], { env: { NO_COLOR: "1", FORCE_COLOR: undefined } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, all: `${result.stdout}\n${result.stderr}` };
}

let base: Project;

beforeAll(() => {
  base = synthesizedExample();
});

/** GIVEN a project with the example stacks whose out/ was synthesized once. */
function synthesizedProject(): Project {
  const p = makeProject();
  for (const dir of ["stacks", "out", "CODEOWNERS"]) fs.cpSync(path.join(base.root, dir), path.join(p.root, dir), { recursive: true });
  return p;
}

describe("sluice synth on a bad stack", () => {
  it("exits 2 and prints stacks/<file>.ts:<line>: with the message, leaving out/ alone", async () => {
    const p = synthesizedProject();
    const before = p.tree();
    const text = edit(p, "stacks/payments.ts", "replicas: 4,", "replicas: -1,");

    const run = await sluice(p.root, "synth");

    expect(run.status, run.all).toBe(2);
    expect(run.stderr).toContain(`stacks/payments.ts:${lineOf(text, "replicas: -1")}:`);
    expect(run.stderr).toContain("must be 0 or more");
    expect(p.tree()).toEqual(before);
  });

  it("with --format json prints { ok: false, diagnostics } with file and line on stdout", async () => {
    const p = synthesizedProject();
    // GIVEN two mistakes in two stacks, both found by validation
    const payments = edit(p, "stacks/payments.ts", "replicas: 4,", "replicas: -1,");
    const search = edit(p, "stacks/search.ts", 'app("search"', 'app("Search"');
    renameInReleaseFiles(p, "search", "Search");

    const run = await sluice(p.root, "synth", "--format", "json");

    expect(run.status, run.all).toBe(2);
    const report = JSON.parse(run.stdout) as { ok: boolean; diagnostics: { code: string; file?: string; line?: number }[] };
    expect(report.ok).toBe(false);
    const places = report.diagnostics.map(({ code, file, line }) => ({ code, file, line }));
    expect(places).toEqual(
      expect.arrayContaining([
        { code: "validate/invalid", file: "stacks/payments.ts", line: lineOf(payments, "replicas: -1") },
        { code: "validate/app-name", file: "stacks/search.ts", line: lineOf(search, "platform.app(") },
      ]),
    );
    expect(places).toHaveLength(2);
  });
});

describe("sluice synth on a good project", () => {
  it("--check exits 1 listing the stale files after a release change; synth exits 0; --check then exits 0", async () => {
    const p = synthesizedProject();

    // WHEN a release changes: --check reports the stale files and writes nothing
    edit(p, "stacks/releases/prod/payments.ts", 'prod: "1.6.3"', 'prod: "1.6.4"');
    const before = p.tree();
    const stale = await sluice(p.root, "synth", "--check");
    expect(stale.status, stale.all).toBe(1);
    expect(stale.stdout).toMatch(/^stale\s+out\/apps\/payments\/prod-us-1\/manifest\.yaml$/m);
    expect(stale.stdout).not.toMatch(/out\/apps\/payments\/prod-eu-1\//);
    expect(p.tree()).toEqual(before);

    // WHEN synthesized again: out/ follows the stacks and --check is clean
    const resynth = await sluice(p.root, "synth");
    expect(resynth.status, resynth.all).toBe(0);
    expect(resynth.stdout).toMatch(/\b[1-9]\d* written\b/);
    expect(p.read("out/apps/payments/prod-us-1/manifest.yaml")).toContain("1.6.4");
    const clean = await sluice(p.root, "synth", "--check");
    expect(clean.status, clean.all).toBe(0);
    expect(clean.stdout).toMatch(/up to date/);
  });
});
