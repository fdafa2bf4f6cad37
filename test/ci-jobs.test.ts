/**
 * The jobs `sluice ci github` generates for after the merge, run as GitHub
 * runs them: their shell, with bash, in a real clone whose origin is a real
 * bare repository, with the real sluice and jq, and a stand-in `gh` that
 * records the pull requests it is asked to open.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { simpleGit } from "simple-git";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ciTemplate } from "../src/ci/templates.js";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { withGitIdentity } from "./helpers/git-identity.js";
import type { Project } from "./helpers/project.js";

withGitIdentity();

const hasJq = spawnSync("jq", ["--version"], { encoding: "utf8" }).status === 0;
const jobs = (parse(ciTemplate("github")) as { jobs: Record<string, { steps: { run?: string; env?: Record<string, string> }[] }> }).jobs;
const script = (job: string) => jobs[job]!.steps.at(-1)!.run!;

let p: Project;
let origin: string;
let temp: string;
beforeAll(async () => {
  p = synthesizedExample();
  p.write(".gitignore", "node_modules/\n");
  // Beside the project, outside its container (which must hold the project alone).
  origin = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-origin-"));
  await simpleGit(origin).init(true, ["--initial-branch=main"]);
  const git = simpleGit(p.root);
  await git.init(["--initial-branch=main"]);
  await git.add(".").commit("the example");
  await git.addRemote("origin", origin);
  await git.push("origin", "main");
  temp = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-runner-temp-"));
  // A gh that records what it was asked, and the body file's text.
  const bin = path.join(temp, "bin");
  fs.mkdirSync(bin);
  fs.writeFileSync(
    path.join(bin, "gh"),
    `#!/usr/bin/env bash\necho "gh $*" >> "${temp}/gh.log"\nwhile [ $# -gt 0 ]; do if [ "$1" = "--body-file" ]; then cat "$2" >> "${temp}/gh.log"; fi; shift; done\n`,
    { mode: 0o755 },
  );
});

afterAll(() => {
  for (const dir of [origin, temp]) fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs a job's shell as GitHub does (bash -e), with its environment. */
function runJob(job: string, env: Record<string, string>) {
  return spawnSync("bash", ["-e", "-c", script(job)], {
    cwd: p.root,
    encoding: "utf8",
    env: { ...process.env, RUNNER_TEMP: temp, GH_TOKEN: "t0ken", BASE: "main", PATH: `${temp}/bin:${process.env.PATH}`, ...env },
  });
}

describe.skipIf(!hasJq)("the jobs after the merge, run", () => {
  it("release: the branch pushed to origin, and its pull request opened into main with the deployment record", async () => {
    const run = runJob("release", { APP: "catalog-api", VERSION: "2.4.2" });
    expect(run.status, run.stderr).toBe(0);
    const branches = await simpleGit(origin).branch();
    expect(branches.all).toContain("promote/catalog-api/dev/2.4.2");
    const log = fs.readFileSync(path.join(temp, "gh.log"), "utf8");
    expect(log).toMatch(/^gh pr create --base main --head promote\/catalog-api\/dev\/2\.4\.2 --title \S.* --body-file /m);
    expect(log).toContain("catalog-api");
    // The worktree is as the job found it: the record and the JSON stayed outside it.
    expect((await simpleGit(p.root).status()).files).toEqual([]);
  });

  it("promote: with the release branch open on origin and nothing ready, no pull request, exit 0", async () => {
    fs.rmSync(path.join(temp, "gh.log"), { force: true });
    const run = runJob("promote", {});
    expect(run.status, run.stderr).toBe(0);
    expect(fs.existsSync(path.join(temp, "gh.log"))).toBe(false);
    // The open promotions' branches were fetched, so sluice could see them.
    expect((await simpleGit(p.root).branchLocal()).all).toContain("promote/catalog-api/dev/2.4.2");
  });
});
