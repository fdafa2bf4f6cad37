/**
 * `sluice release` and `sluice promote` against real git history, with
 * commit dates set, as a release manager uses them: one wave at a time, each
 * step one edited literal and the regenerated manifests of that wave.
 */
import fs from "node:fs";
import path from "node:path";
import { simpleGit } from "simple-git";
import { describe, expect, it } from "vitest";
import { gates, promote, release, rollback, status, synth, type Promotion, type Refusal } from "sluice";
import { findReleases, withRelease } from "../src/pipeline/load/release-source.js";
import { runCli } from "./helpers/cli.js";
import { makeProject, REPO, type Project } from "./helpers/project.js";
import { unfrozenExampleStacks } from "./helpers/unfrozen.js";
import { gitAt, midRolloutProjects, T0 } from "./helpers/mid-rollout.js";
import { edit, lineOf, rejection } from "./helpers/stack-edit.js";

const hours = (h: number) => new Date(T0.getTime() + h * 3_600_000);

/** GIVEN catalog-api 2.3.1 in dev and 2.3.0 everywhere else, committed at T0 (a copy, git history included). */
const catalogMidRollout = midRolloutProjects();

const promoted = (result: Promotion | Refusal): Promotion => {
  expect(result, JSON.stringify(result)).not.toHaveProperty("refused");
  return result as Promotion;
};
const refused = (result: Promotion | Refusal): Refusal => {
  expect(result, JSON.stringify(result)).toHaveProperty("refused");
  return result as Refusal;
};

describe("sluice promote", () => {
  it("is refused before the soak and allowed after it, measured from the commit that put the release in the previous wave", async () => {
    const p = await catalogMidRollout();
    const before = p.read("stacks/catalog-api.ts");
    const early = refused(await promote({ root: p.root, app: "catalog-api", skipTypecheck: true, now: hours(1) }));
    expect(early.refused).toBe("catalog-api 2.3.1 has run in dev for 1h; staging requires 2h");
    expect(early.hint).toContain(`ready at ${hours(2).toISOString()}`);
    expect(p.read("stacks/catalog-api.ts")).toBe(before);

    const result = promoted(await promote({ root: p.root, app: "catalog-api", skipTypecheck: true, now: hours(3) }));
    expect(result).toMatchObject({
      app: "catalog-api",
      version: "2.3.1",
      from: "dev",
      to: "staging",
      file: "stacks/catalog-api.ts",
      gate: { soak: "2h", soakedMs: 3 * 3_600_000, since: T0.toISOString() },
    });
  });

  it("changes the staging literal and the staging cluster's files only; production stays at 2.3.0", async () => {
    const p = await catalogMidRollout();
    const before = p.read("stacks/catalog-api.ts");
    const result = promoted(await promote({ root: p.root, app: "catalog-api", skipTypecheck: true, now: hours(3) }));
    // Exactly one literal changed, every other byte (comments, formatting) kept.
    expect(p.read("stacks/catalog-api.ts")).toBe(before.replace('staging: "2.3.0"', 'staging: "2.3.1"'));
    const golden = path.join(REPO, "test/golden/catalog-api.promoted.ts.txt");
    if (process.env.UPDATE_GOLDEN) fs.writeFileSync(golden, p.read("stacks/catalog-api.ts"));
    expect(p.read("stacks/catalog-api.ts")).toBe(fs.readFileSync(golden, "utf8"));
    expect(result.line).toBe(lineOf(before, "release:"));
    expect(result.write.written).toEqual(["apps/catalog-api/staging-1/manifest.yaml"]);
    const status = await simpleGit(p.root).status();
    expect(status.files.map((f) => f.path).sort()).toEqual(["out/apps/catalog-api/staging-1/manifest.yaml", "stacks/catalog-api.ts"]);
    expect(p.read("out/apps/catalog-api/prod-us-1/manifest.yaml")).toContain("catalog-api:2.3.0");
  });

  it("refuses to skip a wave, even when forced", async () => {
    const p = await catalogMidRollout();
    const skip = refused(
      await promote({
        root: p.root,
        app: "catalog-api",
        to: "prod",
        skipTypecheck: true,
        now: hours(100),
        force: { reason: "in a hurry" },
      }),
    );
    expect(skip.refused).toBe("promoting catalog-api 2.3.1 to prod would skip staging, prod-canary");
    expect(skip.hint).toContain("promote to staging first");
  });

  it("lets a person force the soak with a reason, which is reported", async () => {
    const p = await catalogMidRollout();
    const run = await runCli(
      ["promote", "catalog-api", "--skip-typecheck", "--force", "--reason", "fix for incident 42", "--format", "json"],
      { cwd: p.root },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, to: "staging", forced: "fix for incident 42" });
    const noReason = await runCli(["promote", "catalog-api", "--skip-typecheck", "--force"], { cwd: p.root });
    expect(noReason.status).toBe(2);
    expect(noReason.stderr).toContain("--force needs --reason");
  });

  it("exits 1 with the reason when a gate is closed", async () => {
    const p = await catalogMidRollout();
    const run = await runCli(["promote", "catalog-api", "--skip-typecheck"], { cwd: p.root, env: { NO_COLOR: "1" } });
    // Now is long after T0: staging is ready; prod-canary is not (24h after staging's commit, which is uncommitted).
    expect(run.status, run.stderr).toBe(0);
    const next = await runCli(["promote", "catalog-api", "--skip-typecheck"], { cwd: p.root, env: { NO_COLOR: "1" } });
    expect(next.status).toBe(1);
    expect(next.stdout).toMatch(/^refused: catalog-api 2\.3\.1 has run in staging for 0m \(not committed yet\); prod-canary requires 24h/);
  });

  it("a promotion commit undone with git revert leaves an env repo that passes synth --check", async () => {
    const p = await catalogMidRollout();
    promoted(await promote({ root: p.root, app: "catalog-api", skipTypecheck: true, now: hours(3) }));
    const git = gitAt(p, hours(3));
    await git.add(".").commit("promote catalog-api 2.3.1 to staging");
    await git.revert("HEAD", ["--no-edit"]);
    expect((await synth({ root: p.root, skipTypecheck: true, check: true })).drift).toEqual({ stale: [], missing: [], extra: [] });
    expect(p.read("stacks/catalog-api.ts")).toContain('staging: "2.3.0"');
  });

  it("refuses a release that is computed rather than written, pointing at it", async () => {
    const p = await catalogMidRollout();
    edit(p, "stacks/catalog-api.ts", 'staging: "2.3.0"', "staging: STAGING");
    edit(
      p,
      "stacks/catalog-api.ts",
      'import { platform } from "./platform.js";',
      'import { platform } from "./platform.js";\nconst STAGING = "2.3.0";',
    );
    const diagnostics = await rejection(promote({ root: p.root, app: "catalog-api", skipTypecheck: true, now: hours(3) }));
    expect(diagnostics[0]).toMatchObject({
      code: "promote/not-a-literal",
      origin: { file: "stacks/catalog-api.ts", line: lineOf(p.read("stacks/catalog-api.ts"), "staging: STAGING") },
    });
  });

  it("never promotes a moving tag", async () => {
    const p = await catalogMidRollout();
    expect(refused(await promote({ root: p.root, app: "catalog-api", version: "latest", skipTypecheck: true })).refused).toBe(
      '"latest" is not an immutable release',
    );
  });
});

describe("sluice promote --commit", () => {
  it("puts the stack edit and the regenerated files on a branch of their own, one commit, with the deployment record", async () => {
    const p = await catalogMidRollout();
    p.write("notes.txt", "a file the user is still editing\n");
    const run = await runCli(["promote", "catalog-api", "--skip-typecheck", "--commit", "--format", "json"], { cwd: p.root });
    expect(run.status, run.stderr).toBe(0);
    const { pullRequest } = JSON.parse(run.stdout) as { pullRequest: { branch: string; commit: string; title: string; body: string } };
    expect(pullRequest.branch).toBe("promote/catalog-api/staging/2.3.1");
    expect(pullRequest.title).toBe("promote catalog-api 2.3.1 to staging");
    expect(pullRequest.body).toContain("- Image: registry.example.com/storefront/catalog-api:2.3.1");
    expect(pullRequest.body).toContain("- Wave: dev → staging (clusters: staging-1)");
    expect(pullRequest.body).toMatch(/- Gate: ran \d+d(\d+h)? in dev \(since 2026-11-02T09:00:00\.000Z\); the gate asks for 2h/);
    const git = simpleGit(p.root);
    // The checkout is back on the branch it started from, as after --all-ready; the promotion is on its own branch.
    expect((await git.raw(["branch", "--show-current"])).trim()).toBe("main");
    expect((await git.raw(["show", "--name-only", "--format=", pullRequest.branch])).trim().split("\n").sort()).toEqual([
      "out/apps/catalog-api/staging-1/manifest.yaml",
      "stacks/catalog-api.ts",
    ]);
    expect((await git.raw(["log", "-1", "--format=%B", pullRequest.branch])).trim()).toContain("Sluice-Wave: staging");
    expect((await git.status()).not_added).toEqual(["notes.txt"]);
    expect((await git.status()).modified).toEqual([]);
    // Merged, one revert undoes it, and the env repo then matches the stacks again.
    await git.raw(["merge", "--ff-only", pullRequest.branch]);
    await git.revert("HEAD", ["--no-edit"]);
    expect((await synth({ root: p.root, skipTypecheck: true, check: true })).drift).toEqual({ stale: [], missing: [], extra: [] });
  });
});

describe("sluice promote --commit, refused", () => {
  const promoteCommit = (p: Project) =>
    runCli(["promote", "catalog-api", "--skip-typecheck", "--commit", "--format", "json"], { cwd: p.root });

  it("leaves the worktree and the branch as they were when the promotion's branch exists", async () => {
    const p = await catalogMidRollout();
    const git = simpleGit(p.root);
    await git.raw(["branch", "promote/catalog-api/staging/2.3.1"]);
    const before = p.read("stacks/catalog-api.ts");
    const run = await promoteCommit(p);
    expect(run.status, run.stdout).toBe(2);
    expect(`${run.stdout}${run.stderr}`).toContain("promote/catalog-api/staging/2.3.1 exists already");
    expect(p.read("stacks/catalog-api.ts")).toBe(before);
    expect((await git.status()).isClean()).toBe(true);
    expect((await git.raw(["branch", "--show-current"])).trim()).toBe("main");
  });

  it("refuses a worktree whose uncommitted stack edits the commit would carry, changing nothing", async () => {
    const p = await catalogMidRollout();
    edit(p, "stacks/platform.ts", '  owners: ["@acme/platform"],', '  owners: ["@acme/platform", "@acme/sre"],');
    const before = p.read("stacks/catalog-api.ts");
    const run = await promoteCommit(p);
    expect(run.status, run.stdout).toBe(2);
    expect(`${run.stdout}${run.stderr}`).toContain("stacks/platform.ts");
    expect(p.read("stacks/catalog-api.ts")).toBe(before);
    const git = simpleGit(p.root);
    expect((await git.status()).modified).toEqual(["stacks/platform.ts"]);
    expect((await git.raw(["branch", "--list", "promote/*"])).trim()).toBe("");
  });
});

describe("sluice promote --commit while another synth runs", () => {
  it("commits the out/ files even when a watching synth wrote them first", async () => {
    const p = await catalogMidRollout();
    const { commitGuard, commitPromotion } = await import("../src/promote/commit.js");
    const done = promoted(
      await promote({
        root: p.root,
        app: "catalog-api",
        skipTypecheck: true,
        beforeEdit: commitGuard(p.root, { stacks: "stacks", out: "out" }, false),
      }),
    );
    // As if `synth --watch` had seen the stack edit and written the files before promote's own synth.
    const raced = { ...done, write: { ...done.write, written: [], deleted: [] } };
    const { branch } = await commitPromotion(p.root, path.join(p.root, "out"), raced);
    const files = (await simpleGit(p.root).raw(["show", "--name-only", "--format=", branch])).trim().split("\n").sort();
    expect(files).toEqual(["out/apps/catalog-api/staging-1/manifest.yaml", "stacks/catalog-api.ts"]);
    expect((await simpleGit(p.root).status()).isClean()).toBe(true);
  });
});

describe("sluice promote --all-ready, with a promotion open already", () => {
  it("skips the app whose branch exists, says so, and promotes the rest", async () => {
    const p = await catalogMidRollout();
    const git = simpleGit(p.root);
    await git.raw(["branch", "promote/catalog-api/staging/2.3.1"]);
    const run = await runCli(["promote", "--all-ready", "--skip-typecheck", "--format", "json"], { cwd: p.root });
    expect(run.status, run.stderr).toBe(0);
    const { promoted, failed, skipped } = JSON.parse(run.stdout) as {
      promoted: { branch: string }[];
      failed: unknown[];
      skipped: { app: string; branch: string }[];
    };
    expect(skipped).toEqual([{ app: "catalog-api", branch: "promote/catalog-api/staging/2.3.1" }]);
    expect(failed).toEqual([]);
    expect(promoted.map((c) => c.branch).sort()).toEqual([
      "promote/checkout-web/prod/3.2.0",
      "promote/payments-migrate/staging/1.7.0",
      "promote/payments/staging/1.7.0",
      "promote/price-report/staging/2.4.0",
      "promote/search-index/prod-canary/7.2.4",
    ]);
    expect((await git.status()).isClean()).toBe(true);
    expect((await git.raw(["branch", "--show-current"])).trim()).toBe("main");
  });
});

describe("sluice promote --all-ready", () => {
  it("promotes every app whose gate is open, each on a branch and commit of its own, and returns to the branch it started on", async () => {
    const p = await catalogMidRollout();
    const run = await runCli(["promote", "--all-ready", "--skip-typecheck", "--format", "json"], { cwd: p.root });
    // price-sync's gate is open too, but its sealed secret has no ciphertext for prod-eu-1 yet: not ready, not tried.
    expect(run.status, run.stderr).toBe(0);
    const { promoted, failed } = JSON.parse(run.stdout) as { promoted: { branch: string }[]; failed: { app: string; refused: string }[] };
    // Every kind moves the same way: the job, the cron job and the stateful service too.
    expect(promoted.map((c) => c.branch).sort()).toEqual([
      "promote/catalog-api/staging/2.3.1",
      "promote/checkout-web/prod/3.2.0",
      "promote/payments-migrate/staging/1.7.0",
      "promote/payments/staging/1.7.0",
      "promote/price-report/staging/2.4.0",
      "promote/search-index/prod-canary/7.2.4",
    ]);
    expect(failed).toEqual([]);
    const git = simpleGit(p.root);
    expect((await git.raw(["branch", "--show-current"])).trim()).toBe("main");
    expect((await git.status()).isClean()).toBe(true);
    const files = (branch: string) => git.raw(["show", "--name-only", "--format=", branch]).then((out) => out.trim().split("\n").sort());
    // prod's gate names approvers: the promotion edits checkout-web's prod release file, not its stack.
    expect(await files("promote/checkout-web/prod/3.2.0")).toEqual([
      "out/apps/checkout-web/prod-ap-1/manifest.yaml",
      "out/apps/checkout-web/prod-us-1/manifest.yaml",
      "out/apps/checkout-web/prod-us-central-1/manifest.yaml",
      "out/apps/checkout-web/prod-us-west-1/manifest.yaml",
      "stacks/releases/prod/checkout-web.ts",
    ]);
    expect(await git.raw(["show", "promote/checkout-web/prod/3.2.0:stacks/releases/prod/checkout-web.ts"])).toContain(
      'platform.release("checkout-web", { prod: "3.2.0" })',
    );
  });
});

describe("sluice promote --all-ready, when one promotion cannot be made", () => {
  it("reports it and promotes the rest", async () => {
    const p = await catalogMidRollout();
    // payments' staging release is computed, so promote cannot edit it.
    edit(p, "stacks/payments.ts", 'staging: "1.6.3"', "staging: STAGING");
    edit(
      p,
      "stacks/payments.ts",
      'import { platform } from "./platform.js";',
      'import { platform } from "./platform.js";\nconst STAGING = "1.6.3";',
    );
    await gitAt(p, T0).add(".").commit("payments' staging release from a constant");
    const run = await runCli(["promote", "--all-ready", "--skip-typecheck", "--format", "json"], { cwd: p.root });
    expect(run.status, run.stderr).toBe(1);
    const { promoted, failed } = JSON.parse(run.stdout) as { promoted: { branch: string }[]; failed: { app: string; refused: string }[] };
    expect(failed).toEqual([
      { app: "payments", refused: expect.stringMatching(/the staging release of payments is computed, not a string literal/) },
    ]);
    expect(promoted.map((c) => c.branch)).toContain("promote/catalog-api/staging/2.3.1");
    expect((await simpleGit(p.root).status()).isClean()).toBe(true);
  });
});

describe("sluice release", () => {
  it("sets the first wave's release and synthesizes that wave only", async () => {
    const p = await catalogMidRollout();
    const result = promoted(await release({ root: p.root, app: "catalog-api", version: "2.3.2", skipTypecheck: true }));
    expect(result).toMatchObject({ to: "dev", version: "2.3.2" });
    expect(result.write.written).toEqual(["apps/catalog-api/dev-1/manifest.yaml"]);
  });
});

describe("per-environment env repo revision", () => {
  it("lets production follow a tag while the other environments follow the branch", async () => {
    const p = makeProject(unfrozenExampleStacks());
    edit(
      p,
      "stacks/platform.ts",
      '      secretStore: "vault-prod",',
      '      secretStore: "vault-prod",\n      revision: "refs/tags/prod-2026-11-20",',
    );
    await synth({ root: p.root, skipTypecheck: true });
    const revision = (file: string) => /targetRevision: (\S+)/.exec(p.read(`out/${file}`))![1];
    expect(revision("clusters/prod-us-1/root.yaml")).toBe("refs/tags/prod-2026-11-20");
    expect(revision("clusters/prod-us-1/apps/payments.yaml")).toBe("refs/tags/prod-2026-11-20");
    expect(revision("clusters/staging-1/root.yaml")).toBe("main");
    expect(revision("clusters/dev-1/apps/payments.yaml")).toBe("main");
    expect(p.read("out/README.md")).toContain(
      "| `prod-us-1` | prod | prod | https://prod-us-1.k8s.example.com | its own Argo CD | `refs/tags/prod-2026-11-20` |",
    );
    // On the Flux cluster, the GitRepository follows the same tag (a plain name is refused there: see engine-fixes.test.ts).
    expect(p.read("out/clusters/prod-ap-1/root.yaml")).toContain("ref:\n    name: refs/tags/prod-2026-11-20");
  });
});

describe("release literals in the source", () => {
  const stack = [
    "// Search: owned by storefront.",
    'export default platform.app("search", {',
    '  team: "storefront", // the owners',
    "  release: {",
    '    dev: "0.9.3", // newest',
    "    /* staging waits for QA */",
    "  },",
    "});",
    "",
  ].join("\n");

  it("inserts a wave that has no release yet after the one before it, in the object's own style", () => {
    const found = findReleases(stack, "search");
    if (!found || !("source" in found)) throw new Error("not found");
    const next = withRelease(stack, found.source, "staging", "0.9.3", ["dev", "staging", "prod"]);
    expect(next).toBe(stack.replace('    dev: "0.9.3", // newest\n', '    dev: "0.9.3", // newest\n    staging: "0.9.3",\n'));
    const inline = 'platform.app("x", { release: { dev: "1.0.0" } });\n';
    const one = findReleases(inline, "x");
    if (!one || !("source" in one)) throw new Error("not found");
    expect(withRelease(inline, one.source, "staging", "1.0.0", ["dev", "staging"])).toBe(
      'platform.app("x", { release: { dev: "1.0.0", staging: "1.0.0" } });\n',
    );
  });
});

describe("sluice gates (in CI)", () => {
  it("refuses a change that advances an app by two waves, naming the line", async () => {
    const p = await catalogMidRollout();
    edit(p, "stacks/catalog-api.ts", 'staging: "2.3.0"', 'staging: "2.3.1"');
    edit(p, "stacks/releases/prod-canary/catalog-api.ts", '"prod-canary": "2.3.0"', '"prod-canary": "2.3.1"');
    const result = await gates({ root: p.root, base: "HEAD", now: hours(100) });
    expect(result.changes.map((c) => `${c.wave} ${c.from} → ${c.to} ${c.allowed ? "ok" : "closed"}`)).toEqual([
      "staging 2.3.0 → 2.3.1 ok",
      "prod-canary 2.3.0 → 2.3.1 closed",
    ]);
    expect(result.findings).toEqual([
      // At the release that must wait: prod-canary's, in its release file.
      expect.objectContaining({
        code: "gates/closed",
        message: "catalog-api 2.3.1 enters staging and prod-canary in one change",
        origin: expect.objectContaining({
          file: "stacks/releases/prod-canary/catalog-api.ts",
          line: lineOf(p.read("stacks/releases/prod-canary/catalog-api.ts"), '"prod-canary": "2.3.1"'),
        }),
      }),
    ]);
    const run = await runCli(["gates", "--base", "HEAD"], { cwd: p.root });
    expect(run.status).toBe(1);
    const forced = await runCli(["gates", "--base", "HEAD", "--force", "--reason", "release train 12", "--format", "json"], {
      cwd: p.root,
    });
    // A force is recorded, never a green check: the gate stays closed (exit 1); merging past it is a person's call at the forge.
    expect(forced.status).toBe(1);
    expect(JSON.parse(forced.stdout)).toMatchObject({
      ok: false,
      forced: "release train 12",
      findings: [expect.objectContaining({ code: "gates/closed" })],
    });
    const forcedText = await runCli(["gates", "--base", "HEAD", "--force", "--reason", "release train 12"], { cwd: p.root });
    expect(forcedText.stdout).toMatch(/^closed {2}catalog-api prod-canary/m);
    expect(forcedText.status).toBe(1);
    // In CI, a person's override travels in the change itself, as a trailer.
    await gitAt(p, hours(100))
      .add(".")
      .commit("catalog-api to staging and prod-canary\n\nSluice-Forced: release train 12, approved by @acme/release");
    const fromTrailer = await gates({ root: p.root, base: "HEAD~1", now: hours(100) });
    expect(fromTrailer.forced).toBe("release train 12, approved by @acme/release");
    expect(fromTrailer.findings).toHaveLength(1);
  });

  it("holds a one-wave step to the soak, measured from the base's history", async () => {
    const p = await catalogMidRollout();
    edit(p, "stacks/catalog-api.ts", 'staging: "2.3.0"', 'staging: "2.3.1"');
    expect((await gates({ root: p.root, base: "HEAD", now: hours(1) })).findings.map((f) => f.message)).toEqual([
      "catalog-api 2.3.1 has run in dev for 1h; staging requires 2h",
    ]);
    expect((await gates({ root: p.root, base: "HEAD", now: hours(2) })).findings).toEqual([]);
  });

  it("refuses a skipped wave and allows going back to an earlier release", async () => {
    const p = await catalogMidRollout();
    edit(p, "stacks/releases/prod/catalog-api.ts", 'prod: "2.3.0"', 'prod: "2.3.1"');
    expect((await gates({ root: p.root, base: "HEAD", now: hours(100) })).findings.map((f) => f.message)).toEqual([
      "catalog-api 2.3.1 enters prod, but prod-canary does not run it",
    ]);
    edit(p, "stacks/releases/prod/catalog-api.ts", 'prod: "2.3.1"', 'prod: "2.3.0"');
    // dev goes back to a release it ran before: a rollback.
    edit(p, "stacks/catalog-api.ts", 'dev: "2.3.1"', 'dev: "2.3.0"');
    const git = gitAt(p, hours(1));
    await git.add(".").commit("dev was on 2.3.0 before");
    edit(p, "stacks/catalog-api.ts", 'dev: "2.3.0"', 'dev: "2.3.1"');
    await git.add(".").commit("dev 2.3.1 again");
    edit(p, "stacks/catalog-api.ts", 'dev: "2.3.1"', 'dev: "2.3.0"');
    expect((await gates({ root: p.root, base: "HEAD", now: hours(2) })).findings).toEqual([]);
  });
});

describe("sluice rollback", () => {
  it("puts a wave back on the release it ran before, from git history", async () => {
    const p = await catalogMidRollout();
    promoted(await promote({ root: p.root, app: "catalog-api", skipTypecheck: true, now: hours(3) }));
    await gitAt(p, hours(3)).add(".").commit("catalog-api 2.3.1 to staging");
    const result = promoted(await rollback({ root: p.root, app: "catalog-api", wave: "staging", skipTypecheck: true }));
    expect(result).toMatchObject({ to: "staging", version: "2.3.0", rolledBackFrom: "2.3.1" });
    expect(result.write.written).toEqual(["apps/catalog-api/staging-1/manifest.yaml"]);
  });
});

describe("sluice status", () => {
  it("shows each wave's release, since when, and whether the next promotion is ready", async () => {
    const p = await catalogMidRollout();
    const early = await status({ root: p.root, now: hours(1) });
    const catalog = early.apps.find((a) => a.app === "catalog-api")!;
    expect(catalog.waves[0]).toEqual({ wave: "dev", release: "2.3.1", since: T0.toISOString() });
    expect(catalog.next).toEqual({
      state: "blocked",
      version: "2.3.1",
      to: "staging",
      reason: "soak: 1h left of 2h",
      readyAt: hours(2).toISOString(),
    });
    const later = await status({ root: p.root, now: hours(3) });
    expect(later.apps.find((a) => a.app === "catalog-api")!.next).toEqual({ state: "ready", version: "2.3.1", to: "staging" });
    expect(later.apps.find((a) => a.app === "search")!.next).toEqual({ state: "done", version: "0.9.2" });
    // A day later price-sync's gate is open, but prod-eu-1 has no ciphertext for its sealed secret yet.
    const dayLater = await status({ root: p.root, now: hours(30) });
    expect(dayLater.apps.find((a) => a.app === "price-sync")!.next).toMatchObject({
      state: "blocked",
      to: "prod-canary",
      reason: 'secret "feed-client" is used but not declared on cluster prod-eu-1',
    });
    const run = await runCli(["status", "--format", "markdown"], { cwd: p.root });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^\| app \| dev \| staging \| prod-canary \| prod \| next \|$/m);
    expect(run.stdout).toMatch(/^\| checkout-web \| 3\.2\.0 \(\d+d(\d+h)?\) .* \| 3\.2\.0 → prod: ready \(approval: @acme\/release\) \|$/m);
  });
});
