/**
 * Soak measured from the time a release reached the branch, with real git
 * repositories: a commit dated hours ago inside a branch merged now has not
 * soaked; a date git itself disproves (in the future, or before the commit it
 * follows) is refused as forged; `status`, `gates` and `promote` agree.
 */
import { simpleGit, type SimpleGit } from "simple-git";
import { describe, expect, it } from "vitest";
import { gates, promote, status, type Promotion, type Refusal } from "sluice";
import { runCli } from "./helpers/cli.js";
import { makeProject, type Project } from "./helpers/project.js";
import { unfrozenExampleStacks } from "./helpers/unfrozen.js";
import { setReleases } from "./helpers/releases.js";
import { edit } from "./helpers/stack-edit.js";

const T0 = new Date("2026-11-02T09:00:00Z");
const hours = (h: number) => new Date(T0.getTime() + h * 3_600_000);
const FILE = "stacks/catalog-api.ts";
/** prod's gate names approvers: catalog-api's prod release has a file of its own. */
const PROD_FILE = "stacks/releases/prod/catalog-api.ts";

/** A git client whose commits carry the given time (author and committer), as anyone may set it. */
function at(p: Project, when: Date): SimpleGit {
  const date = when.toISOString();
  return simpleGit(p.root).env({ ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date });
}

/** GIVEN main at T0 with catalog-api 2.3.1 in dev (staging, 2.3.0, asks for a 2h soak). */
async function mainAt(when: Date): Promise<Project> {
  const p = makeProject(unfrozenExampleStacks());
  p.write(".gitignore", "node_modules/\nout/\n");
  setReleases(p, "catalog-api", { dev: "2.3.1", staging: "2.3.0", "prod-canary": "2.3.0", prod: "2.3.0" });
  const git = at(p, when);
  await git.init(["--initial-branch=main"]);
  await git.addConfig("user.email", "ci@example.com").addConfig("user.name", "CI");
  await git.add(".").commit("catalog-api 2.3.1 in dev");
  return p;
}

/** Commits catalog-api `version` into dev, dated `when`, on the branch checked out. */
async function releaseInDev(p: Project, version: string, when: Date): Promise<void> {
  edit(p, FILE, /dev: "[0-9.]+"/.exec(p.read(FILE))![0], `dev: "${version}"`);
  await at(p, when).add(".").commit(`release catalog-api ${version}`);
}

/** An unrelated commit on the branch checked out, dated `when`. */
async function otherChange(p: Project, when: Date): Promise<void> {
  p.write("notes.md", `a note of ${when.toISOString()}\n`);
  await at(p, when).add(".").commit("an unrelated change");
}

const head = async (p: Project) => (await simpleGit(p.root).revparse(["HEAD"])).trim();

/** What the three commands say about promoting catalog-api's dev release to staging at `now`. */
async function verdicts(p: Project, now: Date) {
  const app = (await status({ root: p.root, now })).apps.find((a) => a.app === "catalog-api")!;
  const text = p.read(FILE);
  edit(p, FILE, 'staging: "2.3.0"', `staging: ${/dev: ("[0-9.]+")/.exec(text)![1]}`);
  const gate = await gates({ root: p.root, base: "HEAD", now });
  p.write(FILE, text);
  const promotion = await promote({ root: p.root, app: "catalog-api", skipTypecheck: true, now });
  p.write(FILE, text); // a promotion that went through edited the stack: back to main's.
  return { status: app, gates: gate.findings, promote: promotion };
}

const refusal = (result: Promotion | Refusal): Refusal => {
  expect(result, JSON.stringify(result)).toHaveProperty("refused");
  return result as Refusal;
};

describe("soak from merge time", () => {
  it("(a) a release committed on a branch hours ago and merged now (--no-ff) has soaked since the merge, not since its commit", async () => {
    const p = await mainAt(T0);
    const git = at(p, hours(1));
    await git.raw(["switch", "-c", "release/2.3.2"]);
    await releaseInDev(p, "2.3.2", hours(1));
    await git.raw(["switch", "main"]);
    await otherChange(p, hours(2));
    await at(p, hours(10)).raw(["merge", "--no-ff", "-m", "Merge release/2.3.2", "release/2.3.2"]);
    const merge = await head(p);

    const early = await verdicts(p, hours(10.5));
    expect(early.status.waves[0]).toEqual({ wave: "dev", release: "2.3.2", since: hours(10).toISOString() });
    expect(early.status.next).toEqual({
      state: "blocked",
      version: "2.3.2",
      to: "staging",
      reason: "soak: 1h30m left of 2h",
      readyAt: hours(12).toISOString(),
    });
    expect(early.gates.map((f) => f.message)).toEqual(["catalog-api 2.3.2 has run in dev for 30m; staging requires 2h"]);
    expect(refusal(early.promote).refused).toBe("catalog-api 2.3.2 has run in dev for 30m; staging requires 2h");

    // Two hours after the merge, all three agree it has soaked; the evidence is the merge commit.
    const later = await verdicts(p, hours(12));
    expect(later.status.next).toEqual({ state: "ready", version: "2.3.2", to: "staging" });
    expect(later.gates).toEqual([]);
    expect(later.promote).toMatchObject({
      to: "staging",
      gate: { soak: "2h", soakedMs: 2 * 3_600_000, since: hours(10).toISOString(), commit: merge },
    });
    expect((await simpleGit(p.root).raw(["log", "-1", "--format=%ct", merge])).trim()).toBe(String(hours(10).getTime() / 1000));
  });

  it("(b) a fast-forward of a commit dated before the commit it lands on is refused; one dated after it counts from its own date, since git records no time for a fast-forward", async () => {
    const p = await mainAt(T0);
    const git = at(p, hours(1));
    await git.raw(["switch", "-c", "release/2.3.2"]);
    await releaseInDev(p, "2.3.2", hours(1));
    await git.raw(["switch", "main"]);
    await otherChange(p, hours(5));
    // The branch is replayed onto main keeping its old date, then main is fast-forwarded to it.
    await at(p, hours(10)).raw(["rebase", "--committer-date-is-author-date", "main", "release/2.3.2"]);
    await at(p, hours(10)).raw(["switch", "main"]);
    await at(p, hours(10)).raw(["merge", "--ff-only", "release/2.3.2"]);
    const forged = (await head(p)).slice(0, 12);
    expect((await simpleGit(p.root).raw(["log", "-1", "--format=%P"])).trim()).not.toContain(" "); // no merge commit

    const result = await verdicts(p, hours(10.5));
    const problem = `commit ${forged} (which brought catalog-api 2.3.2 into dev on HEAD) is dated ${hours(1).toISOString()}, before the commit it follows (`;
    expect(result.status.waves[0]).toEqual({ wave: "dev", release: "2.3.2", forged: expect.stringContaining(problem) });
    expect(result.status.next).toMatchObject({ state: "blocked", reason: expect.stringContaining(`soak cannot be measured: ${problem}`) });
    expect(result.status.next.reason).toContain(`${hours(5).toISOString()}): its date is refused as forged`);
    expect(result.gates).toEqual([expect.objectContaining({ code: "gates/forged-date", message: expect.stringContaining(problem) })]);
    expect(refusal(result.promote).refused).toContain(`catalog-api 2.3.2's soak in dev cannot be measured: ${problem}`);

    // What git cannot prove: a branch commit made on main's newest commit and fast-forwarded later
    // carries only its own date, which is after its parent's. It counts from that date (see README).
    const q = await mainAt(T0);
    await at(q, hours(1)).raw(["switch", "-c", "release/2.3.2"]);
    await releaseInDev(q, "2.3.2", hours(1));
    await at(q, hours(10)).raw(["switch", "main"]);
    await at(q, hours(10)).raw(["merge", "--ff-only", "release/2.3.2"]);
    expect((await status({ root: q.root, now: hours(10) })).apps.find((a) => a.app === "catalog-api")!.waves[0]).toEqual({
      wave: "dev",
      release: "2.3.2",
      since: hours(1).toISOString(),
    });
  });

  it("(c) a commit dated in the future is refused as forged, by status, gates and promote (the CLI, on the real clock)", async () => {
    // Whole seconds: git keeps a commit's date to the second.
    const future = new Date(Math.floor(Date.now() / 1000) * 1000 + 26 * 3_600_000);
    const p = await mainAt(new Date(Date.now() - 48 * 3_600_000));
    await releaseInDev(p, "2.3.2", future);
    const commit = (await head(p)).slice(0, 12);
    const problem = `commit ${commit} (which brought catalog-api 2.3.2 into dev on HEAD) is dated ${future.toISOString()}, `;

    const shown = await runCli(["status", "--format", "json"], { cwd: p.root });
    expect(shown.status, shown.stderr).toBe(0);
    const catalog = (JSON.parse(shown.stdout) as Awaited<ReturnType<typeof status>>).apps.find((a) => a.app === "catalog-api")!;
    expect(catalog.waves[0]!.forged).toMatch(
      new RegExp(`^${escapeRegExp(problem)}2[56]h\\d*m? in the future: its date is refused as forged$`),
    );
    expect(catalog.next).toMatchObject({
      state: "blocked",
      to: "staging",
      reason: expect.stringContaining("its date is refused as forged"),
    });
    const text = await runCli(["status"], { cwd: p.root });
    expect(text.stdout).toMatch(/^catalog-api +2\.3\.2 \(forged date\) /m);

    const promoted = await runCli(["promote", "catalog-api", "--skip-typecheck"], { cwd: p.root, env: { NO_COLOR: "1" } });
    expect(promoted.status, promoted.stderr).toBe(1);
    expect(promoted.stdout).toContain(`refused: catalog-api 2.3.2's soak in dev cannot be measured: ${problem}`);

    edit(p, FILE, 'staging: "2.3.0"', 'staging: "2.3.2"');
    const gated = await runCli(["gates", "--base", "HEAD", "--format", "json"], { cwd: p.root });
    expect(gated.status, gated.stderr).toBe(1);
    expect(JSON.parse(gated.stdout)).toMatchObject({
      ok: false,
      findings: [expect.objectContaining({ code: "gates/forged-date", message: expect.stringContaining(problem) })],
    });
  });

  it("(d) a commit dated before the commit it follows on the branch is refused as forged; a few minutes of clock skew are not", async () => {
    const p = await mainAt(T0);
    await otherChange(p, hours(5));
    const parent = (await head(p)).slice(0, 12);
    await releaseInDev(p, "2.3.2", hours(1)); // pushed straight to main, dated four hours before main's newest commit
    const commit = (await head(p)).slice(0, 12);
    const result = await verdicts(p, hours(6));
    const problem = `commit ${commit} (which brought catalog-api 2.3.2 into dev on HEAD) is dated ${hours(1).toISOString()}, before the commit it follows (${parent}, ${hours(5).toISOString()}): its date is refused as forged`;
    expect(result.status.next).toMatchObject({ state: "blocked", reason: `soak cannot be measured: ${problem}` });
    expect(result.gates.map((f) => f.message)).toEqual([`catalog-api 2.3.2's soak in dev cannot be measured: ${problem}`]);
    expect(refusal(result.promote)).toMatchObject({
      refused: `catalog-api 2.3.2's soak in dev cannot be measured: ${problem}`,
      hint: expect.stringContaining("--force --reason"),
    });
    // A person may still force it, as any soak; the reason is recorded.
    const forced = await promote({
      root: p.root,
      app: "catalog-api",
      skipTypecheck: true,
      now: hours(6),
      force: { reason: "the release host's clock was wrong" },
    });
    expect(forced).toMatchObject({ to: "staging", forced: "the release host's clock was wrong", gate: { soak: "2h", soakedMs: 0 } });

    // A laptop a few minutes behind the commit before it is clock skew, not forgery.
    const q = await mainAt(T0);
    await otherChange(q, hours(5));
    const skewed = new Date(hours(5).getTime() - 4 * 60_000);
    await releaseInDev(q, "2.3.2", skewed);
    expect((await status({ root: q.root, now: hours(6) })).apps.find((a) => a.app === "catalog-api")!.waves[0]).toEqual({
      wave: "dev",
      release: "2.3.2",
      since: skewed.toISOString(),
    });
  });

  it("a release only a merged branch's inner commit ever set is not a rollback: gates read the base's first-parent history", async () => {
    const p = await mainAt(T0);
    const git = at(p, hours(1));
    await git.raw(["switch", "-c", "sneak"]);
    edit(p, PROD_FILE, 'prod: "2.3.0"', 'prod: "2.3.9"');
    await git.add(".").commit("prod 2.3.9 for a moment");
    edit(p, PROD_FILE, 'prod: "2.3.9"', 'prod: "2.3.0"');
    await git.add(".").commit("and back");
    await releaseInDev(p, "2.3.2", hours(1)); // what the pull request shows: a dev release
    await git.raw(["switch", "main"]);
    await at(p, hours(2)).raw(["merge", "--no-ff", "-m", "Merge sneak: catalog-api 2.3.2 in dev", "sneak"]);
    // Prod never ran 2.3.9 on main: taking it there is a promotion that skips waves, not a rollback.
    edit(p, PROD_FILE, 'prod: "2.3.0"', 'prod: "2.3.9"');
    const result = await gates({ root: p.root, base: "HEAD", now: hours(100) });
    expect(result.findings.map((f) => f.message)).toEqual(["catalog-api 2.3.9 enters prod, but prod-canary does not run it"]);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
