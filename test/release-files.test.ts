/**
 * A gated wave's releases live in release files, stacks/releases/<wave>/<app>.ts,
 * which CODEOWNERS gives to the wave's approvers: synth holds them there (a
 * release elsewhere is an error at its line), promote edits or creates them,
 * split-releases moves old inline ones there without changing what runs, and
 * the soak of a moved release still counts from when it reached the branch.
 */
import { simpleGit, type SimpleGit } from "simple-git";
import { describe, expect, it } from "vitest";
import { gates, promote, status, synth, type Promotion } from "sluice";
import { runCli } from "./helpers/cli.js";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { makeProject, type Project } from "./helpers/project.js";
import { unfrozenExampleStacks } from "./helpers/unfrozen.js";
import { releaseFileText, setReleases } from "./helpers/releases.js";
import { edit, expectAt, lineOf, only, rejection, withCode } from "./helpers/stack-edit.js";

const T0 = new Date("2026-11-02T09:00:00Z");
const hours = (h: number) => new Date(T0.getTime() + h * 3_600_000);

function at(p: Project, when: Date): SimpleGit {
  const date = when.toISOString();
  return simpleGit(p.root).env({ ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date });
}

async function committed(p: Project, when = T0): Promise<SimpleGit> {
  const git = at(p, when);
  await git.init(["--initial-branch=main"]);
  await git.addConfig("user.email", "ci@example.com").addConfig("user.name", "CI");
  await git.add(".").commit("the fleet");
  return git;
}

async function cli(p: Project, ...args: string[]) {
  const run = await runCli(args, { cwd: p.root, env: { NO_COLOR: "1" } });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The example project, synthesized once, so that tests can check nothing of out/ changes. */
function synthesized(): Project {
  return synthesizedExample({ caches: true });
}

describe("synth holds a gated wave's releases to its release files", () => {
  it("refuses a gated wave's release written in the app's stack, at its line, and writes nothing", async () => {
    const p = synthesized();
    const before = p.tree();
    const text = edit(
      p,
      "stacks/payments.ts",
      'release: { dev: "1.7.0", staging: "1.6.3" }',
      'release: { dev: "1.7.0", staging: "1.6.3", prod: "9.9.9" }',
    );
    p.remove("stacks/releases/prod/payments.ts");
    const problem = only(await rejection(synth({ root: p.root, skipTypecheck: true })));
    expect(problem.code).toBe("validate/gated-release-outside");
    expectAt(problem, "stacks/payments.ts", lineOf(text, 'prod: "9.9.9"'));
    expect(problem.message).toContain(
      "prod's gate names approvers (@acme/release), and only stacks/releases/prod/ is theirs in CODEOWNERS",
    );
    expect(problem.hint).toContain(
      'keep it in stacks/releases/prod/payments.ts: export default platform.release("payments", { prod: "9.9.9" })',
    );
    expect(p.tree()).toEqual(before);
  });

  it("refuses platform.release() of a gated wave outside the wave's directory, and a file of one wave's directory setting another", async () => {
    const p = makeProject(unfrozenExampleStacks());
    p.write("stacks/sneaky.ts", releaseFileText("payments", "prod", "9.9.9", "./platform.js"));
    p.remove("stacks/releases/prod/payments.ts");
    const outside = only(await rejection(synth({ root: p.root, skipTypecheck: true })));
    expect(outside.code).toBe("validate/gated-release-outside");
    expectAt(outside, "stacks/sneaky.ts", 3);

    const q = makeProject(unfrozenExampleStacks());
    q.write("stacks/releases/prod-canary/payments.ts", releaseFileText("payments", "prod", "1.6.3"));
    q.remove("stacks/releases/prod/payments.ts");
    const diagnostics = await rejection(synth({ root: q.root, skipTypecheck: true }));
    const wrong = only(withCode(diagnostics, "validate/release-in-wrong-file"));
    expectAt(wrong, "stacks/releases/prod-canary/payments.ts", 3);
    expect(wrong.hint).toBe("move prod's release to stacks/releases/prod/payments.ts");
  });

  it("refuses a gated release that is not a literal in its file: a value imported from the team's stack could change without the approvers", async () => {
    const p = makeProject(unfrozenExampleStacks());
    p.write("stacks/payments-version.ts", 'export const next = "1.7.0";\n');
    p.write(
      "stacks/releases/prod/payments.ts",
      'import { platform } from "../../platform.js";\nimport { next } from "../../payments-version.js";\n\nexport default platform.release("payments", { prod: next });\n',
    );
    const problem = only(await rejection(synth({ root: p.root, skipTypecheck: true })));
    expect(problem.code).toBe("validate/release-not-literal");
    expectAt(problem, "stacks/releases/prod/payments.ts", 4);
  });

  it("reads a release file written by hand, over several lines with comments, and is not fooled by a literal in a comment", async () => {
    const p = makeProject(unfrozenExampleStacks());
    p.write(
      "stacks/releases/prod/payments.ts",
      'import { platform } from "../../platform.js";\n\nexport default platform.release("payments", {\n  // approved in CHG-1234\n  prod: "1.6.3",\n});\n',
    );
    await synth({ root: p.root, skipTypecheck: true });
    p.write("stacks/payments-version.ts", 'export const next = "1.7.0";\n');
    p.write(
      "stacks/releases/prod/payments.ts",
      'import { platform } from "../../platform.js";\nimport { next } from "../../payments-version.js";\n\nexport default /* platform.release("payments", { prod: "1.7.0" }) */ platform.release("payments", { prod: next });\n',
    );
    expect(only(await rejection(synth({ root: p.root, skipTypecheck: true }))).code).toBe("validate/release-not-literal");
  });

  it("names the app a release file misspells, and a wave set twice, at their lines", async () => {
    const p = makeProject(unfrozenExampleStacks());
    p.write("stacks/releases/prod/payments.ts", releaseFileText("paymnets", "prod", "1.6.3"));
    const unknown = only(await rejection(synth({ root: p.root, skipTypecheck: true })));
    expect(unknown.code).toBe("validate/release-unknown-app");
    expect(unknown.hint).toBe('did you mean "payments"?');
    expectAt(unknown, "stacks/releases/prod/payments.ts", 3);

    const q = makeProject(unfrozenExampleStacks());
    q.write("stacks/releases/prod/payments-again.ts", releaseFileText("payments", "prod", "1.6.4"));
    const twice = only(await rejection(synth({ root: q.root, skipTypecheck: true })));
    expect(twice.code).toBe("validate/release-twice");
    expect(twice.message).toMatch(/first at stacks\/releases\/prod\/payments(-again)?\.ts:3/);
  });

  it("points a bad release in a release file at that file, not at the app", async () => {
    const p = makeProject(unfrozenExampleStacks());
    p.write("stacks/releases/prod/payments.ts", releaseFileText("payments", "prod", "latest"));
    const diagnostics = await rejection(synth({ root: p.root, skipTypecheck: true }));
    for (const diagnostic of diagnostics) expect(diagnostic.origin?.file).toBe("stacks/releases/prod/payments.ts");
  });

  it("type-checks a release file against the platform's waves", async () => {
    const p = makeProject(unfrozenExampleStacks());
    p.write(
      "stacks/releases/prod/payments.ts",
      'import { platform } from "../../platform.js";\n\nexport default platform.release("payments", { prdo: "1.6.3" });\n',
    );
    const problem = (await rejection(synth({ root: p.root })))[0]!;
    expectAt(problem, "stacks/releases/prod/payments.ts", 3);
  });
});

describe("promote and release files", () => {
  it("creates the release file when a gated wave gets its first release of an app, importing the platform as the app's stack does", async () => {
    const p = makeProject(unfrozenExampleStacks());
    setReleases(p, "search", { dev: "0.9.3", staging: "0.9.3" });
    await committed(p, T0);
    const result = (await promote({ root: p.root, app: "search", now: hours(48), skipTypecheck: true })) as Promotion;
    expect(result.to).toBe("prod-canary");
    expect(result.file).toBe("stacks/releases/prod-canary/search.ts");
    const text = p.read(result.file);
    expect(text).toContain('import { platform } from "../../platform.js";');
    expect(text).toContain('export default platform.release("search", { "prod-canary": "0.9.3" });');
    expect(result.line).toBe(lineOf(text, "platform.release("));
    expect(p.read("stacks/search.ts")).toContain('release: { dev: "0.9.3", staging: "0.9.3" }');
    // The new file type-checks and the env repo agrees with it.
    expect((await cli(p, "synth", "--check")).code).toBe(0);
  });

  it("--commit puts the new release file in the promotion's commit", async () => {
    const p = makeProject(unfrozenExampleStacks());
    setReleases(p, "search", { dev: "0.9.3", staging: "0.9.3" });
    p.write(".gitignore", "node_modules/\n");
    await synth({ root: p.root, skipTypecheck: true });
    await committed(p, new Date(Date.now() - 72 * 3_600_000));
    const run = await cli(p, "promote", "search", "--commit", "--skip-typecheck", "--format", "json");
    expect(run.code, run.stderr).toBe(0);
    const { branch } = (JSON.parse(run.stdout) as { pullRequest: { branch: string } }).pullRequest;
    const files = (await simpleGit(p.root).raw(["show", "--name-only", "--format=", branch])).trim().split("\n");
    expect(files.filter((file) => file.startsWith("stacks/"))).toEqual(["stacks/releases/prod-canary/search.ts"]);
    expect(files.some((file) => file.startsWith("out/apps/search/prod-eu-1/"))).toBe(true);
    expect((await simpleGit(p.root).status()).files).toEqual([]);
  });

  it("edits only the release file's literal when the gated wave runs the app already", async () => {
    const p = makeProject(unfrozenExampleStacks());
    setReleases(p, "payments", { dev: "1.7.0", staging: "1.7.0", "prod-canary": "1.7.0", prod: "1.6.3" });
    await committed(p, T0);
    const before = p.read("stacks/payments.ts");
    const result = (await promote({ root: p.root, app: "payments", now: hours(48), skipTypecheck: true })) as Promotion;
    expect(result).toMatchObject({ to: "prod", from: "prod-canary", version: "1.7.0", file: "stacks/releases/prod/payments.ts" });
    expect(p.read("stacks/releases/prod/payments.ts")).toBe(releaseFileText("payments", "prod", "1.7.0"));
    expect(p.read("stacks/payments.ts")).toBe(before);
  });

  it("removes a release file it created, and the directories it made, when the synth after it fails", async () => {
    const p = makeProject(unfrozenExampleStacks());
    p.remove("stacks/releases");
    for (const app of ["catalog-api", "checkout-web", "payments", "search"]) setReleases(p, app, { dev: "1.0.0", staging: "1.0.0" });
    await committed(p, T0);
    // price-sync's sealed secret is sealed for dev-1 and staging-1 only: on prod-eu-1 the synth after the edit fails.
    await expect(promote({ root: p.root, app: "price-sync", now: hours(48), skipTypecheck: true })).rejects.toThrow();
    expect(p.exists("stacks/releases")).toBe(false);
    expect((await simpleGit(p.root).status()).files.filter((f) => f.path.startsWith("stacks/"))).toEqual([]);
  });
});

describe("split-releases", () => {
  /** The example as it was before release files: every wave's release inline. */
  function inlineProject(): Project {
    const p = makeProject(unfrozenExampleStacks());
    for (const [app, releases] of Object.entries({
      "catalog-api": { dev: "2.4.1", staging: "2.4.1", "prod-canary": "2.4.1", prod: "2.4.1" },
      "checkout-web": { dev: "3.2.0", staging: "3.2.0", "prod-canary": "3.2.0", prod: "3.1.4" },
      payments: { dev: "1.7.0", staging: "1.6.3", "prod-canary": "1.6.3", prod: "1.6.3" },
      search: { dev: "0.9.2", staging: "0.9.2", "prod-canary": "0.9.2", prod: "0.9.2" },
    })) {
      setReleases(p, app, releases, { gated: [] });
      p.remove(`stacks/releases/prod/${app}.ts`);
      p.remove(`stacks/releases/prod-canary/${app}.ts`);
    }
    return p;
  }

  it("moves every gated release into its file, leaving the env repo byte for byte as it was", async () => {
    const p = inlineProject();
    await synth({ root: p.root, skipTypecheck: true, inlineGatedReleases: "allow" });
    const out = p.tree();
    const run = await cli(p, "split-releases", "--format", "json");
    expect(run.code, run.stderr).toBe(0);
    const moved = (JSON.parse(run.stdout) as { moved: { app: string; wave: string; file: string }[] }).moved;
    expect(moved.map((m) => `${m.app} ${m.wave} ${m.file}`)).toContain("checkout-web prod stacks/releases/prod/checkout-web.ts");
    expect(moved).toHaveLength(8);
    expect(p.read("stacks/checkout-web.ts")).toContain('release: { dev: "3.2.0", staging: "3.2.0" },');
    expect(p.read("stacks/releases/prod/checkout-web.ts")).toContain('platform.release("checkout-web", { prod: "3.1.4" })');
    expect(p.tree()).toEqual(out);
    expect((await cli(p, "synth", "--check")).code).toBe(0);
    expect((await cli(p, "split-releases")).stdout).toContain("nothing to move");
  });

  it("keeps a moved release's soak: it counts from the merge that brought it, not from the move", async () => {
    const p = inlineProject();
    setReleases(p, "payments", { dev: "1.7.0", staging: "1.7.0", "prod-canary": "1.7.0", prod: "1.6.3" }, { gated: [] });
    await committed(p, T0);
    expect((await cli(p, "split-releases", "--skip-typecheck")).code).toBe(0);
    await at(p, hours(23)).add(".").commit("gated releases into release files");
    // prod-canary has run 1.7.0 since T0, not since the move an hour ago: prod's 24h soak is met at T0 + 24h.
    const now = hours(24.5);
    const app = (await status({ root: p.root, now })).apps.find((a) => a.app === "payments")!;
    expect(app.next).toMatchObject({ to: "prod", state: "ready" });
    expect(app.waves.find((w) => w.wave === "prod-canary")?.since).toBe(T0.toISOString());
    const result = (await promote({ root: p.root, app: "payments", now, skipTypecheck: true })) as Promotion;
    expect(result.gate?.since).toBe(T0.toISOString());
  });

  it("is no promotion to the gates: moving releases changes no wave's release", async () => {
    const p = inlineProject();
    await committed(p, T0);
    expect((await cli(p, "split-releases", "--skip-typecheck")).code).toBe(0);
    const result = await gates({ root: p.root, base: "HEAD", now: hours(1) });
    expect(result.changes).toEqual([]);
    expect(result.findings).toEqual([]);
  });

  it("holds a change to a release file to the gate, at the release file's line", async () => {
    const p = makeProject(unfrozenExampleStacks());
    await committed(p, T0);
    p.write("stacks/releases/prod/payments.ts", releaseFileText("payments", "prod", "1.7.0"));
    const result = await gates({ root: p.root, base: "HEAD", now: hours(1) });
    expect(result.changes).toEqual([{ app: "payments", wave: "prod", from: "1.6.3", to: "1.7.0", allowed: false }]);
    expectAt(result.findings[0]!, "stacks/releases/prod/payments.ts", 3);
  });
});
