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
import { runCli } from "./helpers/cli.js";
import { withGitIdentity } from "./helpers/git-identity.js";
import { copyProject, exampleStacks, makeProject, type Project } from "./helpers/project.js";
import { envRepoLocation } from "../src/publish/env-repo-location.js";
import { edit } from "./helpers/stack-edit.js";

withGitIdentity();

/** A bare env repository with one hand-written file on main: a copy of one the file builds once. */
async function remote(): Promise<string> {
  builtRemote ??= buildRemote();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-env-"));
  const bare = path.join(dir, "env.git");
  fs.cpSync(await builtRemote, bare, { recursive: true });
  return bare;
}
let builtRemote: Promise<string> | undefined;

async function buildRemote(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-env-"));
  const bare = path.join(dir, "env.git");
  await simpleGit().init(true, [bare, "--initial-branch=main"]);
  const seed = path.join(dir, "seed");
  await simpleGit().clone(bare, seed);
  fs.writeFileSync(path.join(seed, "RUNBOOK.md"), "# Written by people\n");
  await simpleGit(seed).add(".").commit("runbook").push("origin", "main");
  return bare;
}

/** The stacks, committed in a source repository of their own: a copy (git history included) of one the file builds once. */
async function stacks(): Promise<Project> {
  builtStacks ??= buildStacks();
  const p = copyProject(await builtStacks, [".git", ".gitignore", "stacks"]);
  // The copies' files have new inodes and times: refresh git's index so that it sees them as the committed ones.
  await simpleGit(p.root).raw(["update-index", "-q", "--refresh"]);
  return p;
}
let builtStacks: Promise<Project> | undefined;

async function buildStacks(): Promise<Project> {
  const p = makeProject(exampleStacks());
  // Without a trailing slash: a second checkout's node_modules is a symlink, which "node_modules/" does not match.
  p.write(".gitignore", "node_modules\n");
  const git = simpleGit(p.root);
  await git.init(["--initial-branch=main"]);
  await git.add(".").commit("stacks: the example platform\n\nReviewed in PR 7.");
  return p;
}

/** A second checkout of the stacks at `commit`, as another CI job has it. */
async function checkout(p: Project, commit: string): Promise<Project> {
  const other = makeProject();
  fs.rmSync(other.root, { recursive: true, force: true });
  await simpleGit(p.root).raw(["worktree", "add", "--detach", other.root, commit]);
  fs.symlinkSync(path.join(p.root, "node_modules"), path.join(other.root, "node_modules"), "dir");
  return other;
}

/** A commit made by hand on the env repo, beside sluice's. */
async function handCommit(bare: string, file: string, content: string): Promise<void> {
  const clone = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-hand-"));
  await simpleGit().clone(bare, clone);
  fs.writeFileSync(path.join(clone, file), content);
  await simpleGit(clone).add(".").commit(`by hand: ${file}`).push("origin", "main");
}

const head = async (dir: string, ref = "HEAD") => (await simpleGit(dir).revparse([ref])).trim();

function cli(cwd: string, ...args: string[]) {
  return runCli(["publish", "--skip-typecheck", ...args], { cwd });
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
    edit(a, "stacks/releases/prod/payments.ts", 'prod: "1.6.3"', 'prod: "1.6.4"');
    await git.add(".").commit("payments 1.6.4 to prod");
    const b = await checkout(a, "HEAD");
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
        expect(await publish({ root: b.root, envRepo: bare, push: true, skipTypecheck: true })).toMatchObject({
          pushed: true,
          attempts: 1,
        });
      },
    });
    expect(newer).toMatchObject({ pushed: true, attempts: 2 });
    const log = (await simpleGit(bare).raw(["log", "--format=%s", "main"])).trim().split("\n");
    expect(log.slice(0, 2)).toEqual(["sluice publish: search 0.9.3 to dev", "sluice publish: payments 1.6.4 to prod"]);
    const show = (file: string) => simpleGit(bare).show([`main:${file}`]);
    expect(await show("apps/payments/prod-us-1/manifest.yaml")).toContain("payments/api:1.6.4");
    expect(await show("apps/search/dev-1/manifest.yaml")).toContain("search:0.9.3");
    // The older source, published again late, changes nothing: the branch already has it.
    expect(await publish({ root: b.root, envRepo: bare, push: true, skipTypecheck: true })).toMatchObject({
      pushed: false,
      supersededBy: (await git.revparse(["HEAD"])).trim(),
    });
  });

  it("writes a root hydrator.metadata on a -next branch, for GitOps Promoter", async () => {
    const bare = await remote();
    const p = await stacks();
    const result = await publish({ root: p.root, envRepo: bare, push: true, branch: "env/main-next", skipTypecheck: true });
    expect(result.branch).toBe("env/main-next");
    const metadata = JSON.parse(await simpleGit(bare).show(["env/main-next:hydrator.metadata"]));
    expect(metadata).toMatchObject({
      drySha: (await simpleGit(p.root).revparse(["HEAD"])).trim(),
      author: "CI <ci@example.com>",
      subject: "stacks: the example platform",
    });
    expect(await filesAt(bare, "env/main-next")).toContain("clusters/prod-us-1/root.yaml");
  });

  it("refuses a planned path taken by a file sluice does not own", async () => {
    const bare = await remote();
    await handCommit(bare, "CODEOWNERS", "* @someone\n");
    const p = await stacks();
    await expect(publish({ root: p.root, envRepo: bare, push: true, skipTypecheck: true })).rejects.toThrow(
      /CODEOWNERS in the env repo is not sluice's/,
    );
    expect(await filesAt(bare)).toEqual(["CODEOWNERS", "RUNBOOK.md"]);
  });

  it("never undoes a newer publish, whatever was committed by hand on top of it", async () => {
    const bare = await remote();
    const p = await stacks();
    const git = simpleGit(p.root);
    const first = await head(p.root);
    await publish({ root: p.root, envRepo: bare, push: true, skipTypecheck: true });
    edit(p, "stacks/releases/prod/payments.ts", 'prod: "1.6.3"', 'prod: "1.6.4"');
    await git.add(".").commit("payments 1.6.4 to prod");
    const second = await head(p.root);
    await publish({ root: p.root, envRepo: bare, push: true, skipTypecheck: true });
    // A person commits on the env repo: the tip no longer carries a Source-Commit trailer.
    await handCommit(bare, "RUNBOOK.md", "# Written by people, edited\n");
    const tip = await head(bare, "main");

    // A late job publishes the older source: its change is in already, nothing is written.
    const old = await checkout(p, first);
    const late = await publish({ root: old.root, envRepo: bare, push: true, skipTypecheck: true });
    expect(late).toMatchObject({ pushed: false, changed: [], supersededBy: second });
    expect(late.commit).toBeUndefined();
    expect(await head(bare, "main")).toBe(tip);
    expect(await simpleGit(bare).show(["main:apps/payments/prod-us-1/manifest.yaml"])).toContain("payments/api:1.6.4");
    const said = await cli(old.root, "--env-repo", bare, "--push");
    expect(said.stdout).toContain(`Not published: superseded by ${second}.`);
    expect(said.stdout).not.toContain("already holds");
    expect(said.status).toBe(0);

    // A source beside the published one (not containing it) is refused: it would undo it.
    const side = await checkout(p, first);
    edit(side, "stacks/search.ts", 'release: { dev: "0.9.2"', 'release: { dev: "0.9.3"');
    await simpleGit(side.root).add(".").commit("search 0.9.3 to dev, from an old branch");
    await expect(publish({ root: side.root, envRepo: bare, push: true, skipTypecheck: true })).rejects.toThrow(
      `main was published from ${second}, which is not in the history of`,
    );
    const refused = await cli(side.root, "--env-repo", bare, "--push");
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain("publishing would undo it");
    expect(await head(bare, "main")).toBe(tip);
  });

  it("refuses uncommitted changes, naming them: the output would go out under HEAD's name", async () => {
    const bare = await remote();
    const p = await stacks();
    edit(p, "stacks/releases/prod/payments.ts", 'prod: "1.6.3"', 'prod: "9.9.9"');
    p.write("stacks/notes.md", "draft\n");
    await expect(publish({ root: p.root, envRepo: bare, push: true, skipTypecheck: true })).rejects.toThrow(
      /not committed \(stacks\/notes\.md, stacks\/releases\/prod\/payments\.ts\)/,
    );
    const run = await cli(p.root, "--env-repo", bare, "--push");
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("stacks/releases/prod/payments.ts");
    expect(run.stderr).toContain("sluice publishes only what a commit holds");
    // Staged is not committed either.
    p.remove("stacks/notes.md");
    await simpleGit(p.root).add(".");
    await expect(publish({ root: p.root, envRepo: bare, push: true, skipTypecheck: true })).rejects.toThrow(
      /not committed \(stacks\/releases\/prod\/payments\.ts\)/,
    );
    expect(await filesAt(bare)).toEqual(["RUNBOOK.md"]);
  });

  it("publishes a revert as the env repo tree it had before, byte for byte", async () => {
    const bare = await remote();
    const p = await stacks();
    const git = simpleGit(p.root);
    await publish({ root: p.root, envRepo: bare, push: true, skipTypecheck: true });
    const before = await head(bare, "main^{tree}");
    edit(p, "stacks/releases/prod/payments.ts", 'prod: "1.6.3"', 'prod: "1.6.4"');
    p.remove("stacks/price-sync.ts");
    await git.add(".").commit("payments 1.6.4 to prod, price-sync retired");
    const changed = await head(p.root);
    await publish({ root: p.root, envRepo: bare, push: true, skipTypecheck: true });
    expect(await head(bare, "main^{tree}")).not.toBe(before);
    await git.raw(["revert", "--no-edit", "HEAD"]);
    const reverted = await publish({ root: p.root, envRepo: bare, push: true, skipTypecheck: true });
    expect(reverted.pushed).toBe(true);
    expect(await head(bare, "main^{tree}")).toBe(before);
    // Someone adds a file by hand; then the reverted commit's job runs late: superseded by the revert, nothing changes.
    const listing = async () =>
      (await simpleGit(bare).raw(["ls-tree", "-r", "main"])).split("\n").filter((line) => line && !line.endsWith("\tNOTES.md"));
    const restored = await listing();
    await handCommit(bare, "NOTES.md", "by hand\n");
    expect(await publish({ root: (await checkout(p, changed)).root, envRepo: bare, push: true, skipTypecheck: true })).toMatchObject({
      pushed: false,
      supersededBy: await head(p.root),
    });
    expect(await listing()).toEqual(restored);
  });

  it("resolves a relative --env-repo against the project root, as diff does", async () => {
    const bare = await remote();
    const p = await stacks();
    const relative = path.relative(p.root, bare);
    expect(relative.startsWith("..")).toBe(true);
    // The clone happens in a temporary directory elsewhere (CI runners have their own TMPDIR), where the relative path names nothing.
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-tmp-"));
    fs.mkdirSync(path.join(tmp, "runner", "temp"), { recursive: true });
    const run = await runCli(["publish", "--skip-typecheck", "--env-repo", relative, "--push"], {
      cwd: p.root,
      env: { TMPDIR: path.join(tmp, "runner", "temp") },
    });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Pushed [0-9a-f]{7} to main: \d+ files\.$/m);
    expect(await filesAt(bare)).toContain("apps/payments/prod-us-1/manifest.yaml");
  });

  it("counts only the sources published into its own directory: two stacks repositories share one env repo", async () => {
    const bare = await remote();
    const [a, b] = [await stacks(), await stacks()];
    for (const [p, dir] of [
      [a, "team-a"],
      [b, "team-b"],
    ] as const) {
      edit(p, "stacks/platform.ts", 'revision: "main" }', `revision: "main", path: "${dir}" }`);
      await simpleGit(p.root).add(".").commit(`publish into ${dir}/`);
    }
    expect(await publish({ root: a.root, envRepo: bare, push: true, skipTypecheck: true })).toMatchObject({ pushed: true });
    // b's history does not have a's commits: they were published into another directory.
    expect(await publish({ root: b.root, envRepo: bare, push: true, skipTypecheck: true })).toMatchObject({ pushed: true });
    const files = await filesAt(bare);
    expect(files).toContain("team-a/apps/payments/prod-us-1/manifest.yaml");
    expect(files).toContain("team-b/apps/payments/prod-us-1/manifest.yaml");
  });

  it("leaves URLs and scp-like addresses as they are", () => {
    for (const url of [
      "https://git.example.com/platform/env.git",
      "ssh://git@host:22/env.git",
      "file:///srv/env.git",
      "git@git.example.com:platform/env.git",
      "host:env.git",
    ]) {
      expect(envRepoLocation(url, "/work/stacks")).toBe(url);
    }
    expect(envRepoLocation("../env.git", "/work/stacks")).toBe(path.resolve("/work/env.git"));
    expect(envRepoLocation("./a:b/env.git", "/work/stacks")).toBe(path.resolve("/work/stacks/a:b/env.git"));
    expect(envRepoLocation("/srv/env.git", "/work/stacks")).toBe("/srv/env.git");
  });

  it("pushes to a branch of its own for a pull request into the protected branch, which it leaves alone", async () => {
    const bare = await remote();
    const p = await stacks();
    const main = await head(bare, "main");
    const source = await head(p.root);
    const branch = `sluice/publish-${source.slice(0, 12)}`;
    const run = await cli(p.root, "--env-repo", bare, "--pull-request", "--push");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`to ${branch}:`);
    expect(run.stdout).toContain(`Open a pull request from ${branch} into main`);
    expect(await head(bare, "main")).toBe(main);
    expect(await head(bare, `${branch}~1`)).toBe(main);
    expect(await filesAt(bare, branch)).toContain("apps/payments/prod-us-1/manifest.yaml");
    // The job run again finds its branch as it left it; a branch with other content is never overwritten.
    const again = await publish({ root: p.root, envRepo: bare, push: true, skipTypecheck: true, pullRequestBranch: branch });
    expect(again).toMatchObject({ branch, into: "main", pushed: false, commit: await head(bare, branch) });
    edit(p, "stacks/releases/prod/payments.ts", 'prod: "1.6.3"', 'prod: "1.6.4"');
    await simpleGit(p.root).add(".").commit("payments 1.6.4 to prod");
    await expect(publish({ root: p.root, envRepo: bare, push: true, skipTypecheck: true, pullRequestBranch: branch })).rejects.toThrow(
      `branch ${branch} exists in the env repo with other content`,
    );
    // Merged, its trailers count: a later publish from an older source is superseded.
    await simpleGit(bare).raw(["update-ref", "refs/heads/main", branch]);
    const newer = await publish({
      root: p.root,
      envRepo: bare,
      push: true,
      skipTypecheck: true,
      pullRequestBranch: `sluice/publish-${(await head(p.root)).slice(0, 12)}`,
    });
    expect(newer).toMatchObject({ pushed: true, into: "main" });
  });
});
