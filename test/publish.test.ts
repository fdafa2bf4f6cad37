/**
 * `sluice publish` to a bare remote in a temp dir, as a team with a separate
 * env repo runs it from CI after a merge.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { simpleGit } from "simple-git";
import { describe, expect, it } from "vitest";
import { publish } from "sluice";
import { exampleStacks, makeProject, type Project } from "./helpers/project.js";
import { edit } from "./helpers/stack-edit.js";

const env = { GIT_AUTHOR_NAME: "CI", GIT_AUTHOR_EMAIL: "ci@example.com", GIT_COMMITTER_NAME: "CI", GIT_COMMITTER_EMAIL: "ci@example.com" };
Object.assign(process.env, env);

/** A bare env repository with one hand-written file on main. */
async function remote(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-env-"));
  const bare = path.join(dir, "env.git");
  await simpleGit().init(true, [bare, "--initial-branch=main"]);
  const seed = path.join(dir, "seed");
  await simpleGit().clone(bare, seed);
  fs.writeFileSync(path.join(seed, "RUNBOOK.md"), "# Written by people\n");
  await simpleGit(seed).add(".").commit("runbook").push("origin", "main");
  return bare;
}

/** The stacks, committed in a source repository of their own. */
async function stacks(): Promise<Project> {
  const p = makeProject(exampleStacks());
  p.write(".gitignore", "node_modules/\n");
  const git = simpleGit(p.root);
  await git.init(["--initial-branch=main"]);
  await git.add(".").commit("stacks: the example platform\n\nReviewed in PR 7.");
  return p;
}

async function filesAt(bare: string, branch = "main"): Promise<string[]> {
  return (await simpleGit(bare).raw(["ls-tree", "-r", "--name-only", branch])).trim().split("\n");
}

describe("sluice publish", () => {
  it("commits only the files sluice owns, keeps a hand-written one, and names the source in trailers", async () => {
    const bare = await remote();
    const p = await stacks();
    const result = await publish({ root: p.root, envRepo: bare, push: true, skipTypecheck: true });
    expect(result).toMatchObject({ branch: "main", pushed: true, attempts: 1 });
    const files = await filesAt(bare);
    expect(files).toContain("RUNBOOK.md");
    expect(files).toContain("apps/payments/prod-us-1/manifest.yaml");
    expect(files).toContain(".sluice/lock.json");
    const sourceCommit = (await simpleGit(p.root).revparse(["HEAD"])).trim();
    const message = await simpleGit(bare).raw(["log", "-1", "--format=%B", "main"]);
    expect(message).toContain("sluice publish: stacks: the example platform");
    expect(message).toContain(`Source-Commit: ${sourceCommit}`);
    expect(message).toContain("Source-Author: CI <ci@example.com>");
    const trailers = await simpleGit(bare).raw(["log", "-1", "--format=%(trailers:key=Source-Commit,valueonly)", "main"]);
    expect(trailers.trim()).toBe(sourceCommit);
  });

  it("is a no-op when the env repo already holds the output, and deletes only what its lock owned", async () => {
    const bare = await remote();
    const p = await stacks();
    await publish({ root: p.root, envRepo: bare, push: true, skipTypecheck: true });
    const head = (await simpleGit(bare).revparse(["main"])).trim();
    const again = await publish({ root: p.root, envRepo: bare, push: true, skipTypecheck: true });
    expect(again).toMatchObject({ pushed: false, changed: [] });
    expect(again.commit).toBeUndefined();
    expect((await simpleGit(bare).revparse(["main"])).trim()).toBe(head);

    p.remove("stacks/price-sync.ts");
    await simpleGit(p.root).add(".").commit("retire price-sync");
    const removed = await publish({ root: p.root, envRepo: bare, push: true, skipTypecheck: true });
    expect(removed.changed).toContain("apps/price-sync/dev-1/manifest.yaml");
    const files = await filesAt(bare);
    expect(files.some((f) => f.startsWith("apps/price-sync/"))).toBe(false);
    expect(files).toContain("RUNBOOK.md");
  });

  it("survives a concurrent push to the same branch: both changes are there afterwards, nothing forced", async () => {
    const bare = await remote();
    const a = await stacks();
    await publish({ root: a.root, envRepo: bare, push: true, skipTypecheck: true });
    // Two merges in a row on the source's main: payments, then search on top of it. Their two
    // publish jobs run at once, from two checkouts of the one repository.
    const git = simpleGit(a.root);
    edit(a, "stacks/payments.ts", 'prod: "1.6.3"', 'prod: "1.6.4"');
    await git.add(".").commit("payments 1.6.4 to prod");
    const b = makeProject();
    fs.rmSync(b.root, { recursive: true, force: true });
    await git.raw(["worktree", "add", "--detach", b.root, "HEAD"]);
    fs.symlinkSync(path.join(a.root, "node_modules"), path.join(b.root, "node_modules"), "dir");
    edit(a, "stacks/search.ts", 'release: { dev: "0.9.2"', 'release: { dev: "0.9.3"');
    await git.add(".").commit("search 0.9.3 to dev");
    let raced = false;
    const newer = await publish({
      root: a.root,
      envRepo: bare,
      push: true,
      skipTypecheck: true,
      // Just before the newer source's push, the older one's publish lands.
      beforePush: async () => {
        if (raced) return;
        raced = true;
        expect(await publish({ root: b.root, envRepo: bare, push: true, skipTypecheck: true })).toMatchObject({ pushed: true, attempts: 1 });
      },
    });
    expect(newer).toMatchObject({ pushed: true, attempts: 2 });
    const log = (await simpleGit(bare).raw(["log", "--format=%s", "main"])).trim().split("\n");
    expect(log.slice(0, 2)).toEqual(["sluice publish: search 0.9.3 to dev", "sluice publish: payments 1.6.4 to prod"]);
    const show = (file: string) => simpleGit(bare).show([`main:${file}`]);
    expect(await show("apps/payments/prod-us-1/manifest.yaml")).toContain("payments/api:1.6.4");
    expect(await show("apps/search/dev-1/manifest.yaml")).toContain("search:0.9.3");
    // The older source, published again late, changes nothing: the branch already has it.
    expect(await publish({ root: b.root, envRepo: bare, push: true, skipTypecheck: true })).toMatchObject({ pushed: false, supersededBy: (await git.revparse(["HEAD"])).trim() });
  });

  it("writes a root hydrator.metadata on a -next branch, for GitOps Promoter", async () => {
    const bare = await remote();
    const p = await stacks();
    const result = await publish({ root: p.root, envRepo: bare, push: true, branch: "env/main-next", skipTypecheck: true });
    expect(result.branch).toBe("env/main-next");
    const metadata = JSON.parse(await simpleGit(bare).show(["env/main-next:hydrator.metadata"]));
    expect(metadata).toMatchObject({ drySha: (await simpleGit(p.root).revparse(["HEAD"])).trim(), author: "CI <ci@example.com>", subject: "stacks: the example platform" });
    expect(await filesAt(bare, "env/main-next")).toContain("clusters/prod-us-1/root.yaml");
  });

  it("refuses a planned path taken by a file sluice does not own", async () => {
    const bare = await remote();
    const seed = path.join(path.dirname(bare), "seed");
    fs.writeFileSync(path.join(seed, "CODEOWNERS"), "* @someone\n");
    await simpleGit(seed).add(".").commit("hand-written CODEOWNERS").push("origin", "main");
    const p = await stacks();
    await expect(publish({ root: p.root, envRepo: bare, push: true, skipTypecheck: true })).rejects.toThrow(/CODEOWNERS in the env repo is not sluice's/);
    expect(await filesAt(bare)).toEqual(["CODEOWNERS", "RUNBOOK.md"]);
  });
});
