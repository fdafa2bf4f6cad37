/**
 * How the `sluice` command speaks: colour only when asked or on a terminal,
 * NO_COLOR winning; JSON for machines; the version; an internal error that
 * says it is a bug.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { CLI, exampleStacks, makeProject, REPO } from "./helpers/project.js";

const ANSI = /\x1b\[/;

function run(args: string[], env: Record<string, string | undefined>) {
  const merged: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete merged[key];
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", env: merged, timeout: 60_000 });
  if (result.error) throw result.error;
  return result;
}

describe("the sluice command", () => {
  const project = makeProject({
    ...exampleStacks(),
    "stacks/broken.ts": `import { platform } from "./platform.js";\nexport default platform.app("broken", { team: "payments", image: "registry.example.com/b", release: { dev: "latest" } });\n`,
  });

  it("colours errors only when colour is wanted, and NO_COLOR wins over FORCE_COLOR", () => {
    const args = ["synth", "--root", project.root];
    const forced = run(args, { FORCE_COLOR: "1", NO_COLOR: undefined });
    expect(forced.status).toBe(2);
    expect(forced.stderr).toMatch(ANSI);
    // Not a terminal, and CI set (which some colour libraries take as a yes).
    const piped = run(args, { FORCE_COLOR: undefined, NO_COLOR: undefined, CI: "true" });
    expect(piped.stderr).toContain("stacks/broken.ts:2:");
    expect(piped.stderr).not.toMatch(ANSI);
    const noColor = run(args, { FORCE_COLOR: "1", NO_COLOR: "1" });
    expect(noColor.stderr).not.toMatch(ANSI);
  });

  it("prints a JSON summary with --format json and nothing else on stdout", () => {
    const good = makeProject(exampleStacks());
    const result = run(["synth", "--root", good.root, "--format", "json"], { NO_COLOR: "1" });
    expect(result.status).toBe(0);
    const summary = JSON.parse(result.stdout) as { ok: boolean; written: string[]; deleted: string[]; unchanged: number };
    expect(summary.ok).toBe(true);
    expect(summary.written).toContain("apps/payments/dev-1/manifest.yaml");
    expect([...summary.written].sort()).toEqual(Object.keys(good.tree()).sort());
    expect(summary.deleted).toEqual([]);
  });

  it("prints its version", async () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as { version: string };
    let out = "";
    const io = { stdout: (t: string) => (out += t), stderr: () => {}, color: false, progress: false };
    expect(await main(["--version"], io)).toBe(0);
    expect(out.trim()).toBe(version);
  });

  it("exits 2 on an unknown command or flag, with usage help", async () => {
    let err = "";
    const io = { stdout: () => {}, stderr: (t: string) => (err += t), color: false, progress: false };
    expect(await main(["synth", "--chek"], io)).toBe(2);
    expect(err).toMatch(/unknown option '--chek'/);
    expect(await main(["synht"], io)).toBe(2);
  });

  it("shows a progress line only on a terminal, and clears it", async () => {
    let err = "";
    const io = { stdout: () => {}, stderr: (t: string) => (err += t), color: false, progress: true };
    expect(await main(["synth", "--root", makeProject(exampleStacks()).root, "--skip-typecheck"], io)).toBe(0);
    expect(err).toContain("sluice synth: load…");
    expect(err.endsWith("\r\x1b[2K")).toBe(true);
  });
});
