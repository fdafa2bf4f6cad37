/**
 * Stacks are code that synth runs, and their output is committed and checked
 * by `synth --check` elsewhere. A stack that reads the clock, random numbers,
 * the environment or files would give different output on another machine or
 * day; each is an error at the line that does it.
 */
import { describe, expect, it, vi } from "vitest";
import { synth } from "sluice";
import { spawnSync } from "node:child_process";
import { CLI, exampleStacks, makeProject } from "./helpers/project.js";
import { expectAt, lineOf, rejection, show } from "./helpers/stack-edit.js";

function projectWith(line: string, { stackEnv }: { stackEnv?: string[] } = {}) {
  const stacks = exampleStacks();
  if (stackEnv) {
    stacks["stacks/platform.ts"] = stacks["stacks/platform.ts"]!.replace(
      '  owners: ["@acme/platform"],\n',
      `  owners: ["@acme/platform"],\n  stackEnv: ${JSON.stringify(stackEnv)},\n`,
    );
  }
  const anchor = '  env: {\n    DB_HOST: "payments-db.payments.svc",';
  // Fails loudly if the example stack drifts, rather than testing nothing.
  expect(stacks["stacks/payments.ts"]!.split(anchor)).toHaveLength(2);
  stacks["stacks/payments.ts"] = stacks["stacks/payments.ts"]!.replace(
    anchor,
    `  env: {\n    ${line}\n    DB_HOST: "payments-db.payments.svc",`,
  );
  return makeProject(stacks);
}

describe("the stack sandbox", () => {
  it.each([
    ["Date.now()", "STARTED: String(Date.now()),", "load/clock"],
    ["new Date()", "STARTED: new Date().toISOString(),", "load/clock"],
    ["Math.random()", "SEED: String(Math.random()),", "load/random"],
    ["crypto.randomUUID()", "ID: globalThis.crypto.randomUUID(),", "load/random"],
    ["performance.now()", "T: String(performance.now()),", "load/clock"],
    ["process.env", 'HOME_DIR: process.env.HOME ?? "",', "load/env"],
  ])("%s in a stack is an error at its line, and nothing is written", async (_what, line, code) => {
    const p = projectWith(line);
    const diagnostics = await rejection(synth({ root: p.root, skipTypecheck: true }));
    const d = diagnostics.find((x) => x.code === code);
    expect(d, show(diagnostics)).toBeDefined();
    expectAt(d!, "stacks/payments.ts", lineOf(p.read("stacks/payments.ts"), line));
    expect(p.exists("out")).toBe(false);
    // The process's own clock and random numbers work again afterwards.
    expect(Date.now()).toBeGreaterThan(0);
    expect(Math.random()).toBeLessThan(1);
  });

  it("console.log in a stack is allowed: Node reads its colour settings for the terminal, not for the output", async () => {
    const stacks = exampleStacks();
    stacks["stacks/payments.ts"] = `console.log("loading payments");\nconsole.error("to stderr");\n${stacks["stacks/payments.ts"]}`;
    const p = makeProject(stacks);
    const run = spawnSync(process.execPath, [CLI, "synth", "--skip-typecheck"], {
      cwd: p.root,
      encoding: "utf8",
      env: { ...process.env, FORCE_COLOR: "1" },
    });
    expect(run.stderr + run.stdout).toContain("loading payments");
    expect(run.status, run.stderr).toBe(0);
  });

  it("catching the error does not help: the read is recorded", async () => {
    const p = projectWith('STARTED: (() => { try { return String(Date.now()); } catch { return "never mind"; } })(),');
    const diagnostics = await rejection(synth({ root: p.root, skipTypecheck: true }));
    expect(diagnostics.map((d) => d.code)).toContain("load/clock");
  });

  it("an environment variable the platform lists in stackEnv may be read", async () => {
    vi.stubEnv("SLUICE_TEST_REGION", "eu-west");
    const p = projectWith('REGION_FROM_ENV: process.env.SLUICE_TEST_REGION ?? "",', { stackEnv: ["SLUICE_TEST_REGION"] });
    await synth({ root: p.root, skipTypecheck: true }).finally(() => vi.unstubAllEnvs());
    expect(p.read("out/apps/payments/dev-1/manifest.yaml")).toContain("REGION_FROM_ENV: eu-west");
  });

  it.each(["node:fs", "fs", "child_process", "node:os"])("importing %s in a stack is an error at the import", async (module) => {
    const stacks = exampleStacks();
    stacks["stacks/payments.ts"] = `import * as io from "${module}";\nvoid io;\n${stacks["stacks/payments.ts"]}`;
    const p = makeProject(stacks);
    const diagnostics = await rejection(synth({ root: p.root, skipTypecheck: true }));
    const d = diagnostics.find((x) => x.code === "load/forbidden-import");
    expect(d, show(diagnostics)).toBeDefined();
    expectAt(d!, "stacks/payments.ts", 1);
  });
});
