/**
 * Bad input never reaches out/. Every case starts from a project whose out/
 * was synthesized from the example stacks, breaks one thing, and expects
 * synth to reject with a diagnostic that names the stack file and the line of
 * the text that is wrong, and to leave out/ byte for byte as it was.
 *
 * The CLI end to end is in bad-input-cli.test.ts.
 */
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { plan, synth, type Diagnostic, type SynthOptions } from "sluice";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { makeProject, type Project } from "./helpers/project.js";
import { renameInReleaseFiles } from "./helpers/releases.js";
import { edit, expectAt, lineOf, only, rejection, show, withCode } from "./helpers/stack-edit.js";

let base: Project;

beforeAll(() => {
  base = synthesizedExample();
});

interface Given {
  readonly p: Project;
  /** out/ as it was before the broken synth: files with content, and directories. */
  readonly before: OutSnapshot;
}

interface OutSnapshot {
  readonly files: Record<string, string>;
  readonly dirs: string[];
  /** The CODEOWNERS synth keeps at the project root, beside out/. */
  readonly codeowners: string;
}

function snapshot(p: Project): OutSnapshot {
  const out = path.join(p.root, "out");
  const dirs = fs
    .readdirSync(out, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => path.relative(out, path.join(entry.parentPath, entry.name)))
    .sort();
  return { files: p.tree(), dirs, codeowners: p.read("CODEOWNERS") };
}

/** GIVEN a project with the example stacks, synthesized once (a copy of the shared base). */
function synthesizedProject(): Given {
  const p = makeProject();
  for (const dir of ["stacks", "out", "CODEOWNERS"]) {
    fs.cpSync(path.join(base.root, dir), path.join(p.root, dir), { recursive: true });
  }
  const before = snapshot(p);
  expect(Object.keys(before.files).length).toBeGreaterThan(50);
  expect(before.files).toHaveProperty([".sluice/lock.json"]);
  return { p, before };
}

/** WHEN synth runs; THEN it rejects with a SluiceError and out/ is exactly as it was. */
async function synthFails({ p, before }: Given, options: Omit<SynthOptions, "root"> = {}): Promise<readonly Diagnostic[]> {
  const diagnostics = await rejection(synth({ root: p.root, ...options }));
  expect(snapshot(p), "out/ or CODEOWNERS was modified by a failed synth").toEqual(before);
  return diagnostics;
}

describe("a stack that does not compile", () => {
  it("a syntax error is reported at its line, before anything runs", async () => {
    const given = synthesizedProject();
    // GIVEN a missing comma between two properties
    const text = edit(given.p, "stacks/payments.ts", "ports: { http: 8080, metrics: 9090 },", "ports: { http: 8080 metrics: 9090 },");
    const line = lineOf(text, "http: 8080 metrics");

    const diagnostics = await synthFails(given);

    // THEN the first error is the missing comma; any follow-on errors stay in the same file
    expect(
      diagnostics.map((d) => d.origin?.file),
      show(diagnostics),
    ).toEqual(diagnostics.map(() => "stacks/payments.ts"));
    const [first] = diagnostics;
    expect(first!.code).toMatch(/^typecheck\/TS1\d{3}$/);
    expect(first!.message).toMatch(/',' expected/);
    expectAt(first!, "stacks/payments.ts", line);
  });

  it("a syntax error is still pinned to its line when the type-check is skipped", async () => {
    const given = synthesizedProject();
    const text = edit(given.p, "stacks/payments.ts", "ports: { http: 8080, metrics: 9090 },", "ports: { http: 8080 metrics: 9090 },");

    const d = only(await synthFails(given, { skipTypecheck: true }));

    expect(d.code).toMatch(/^load\//);
    expect(d.message).toMatch(/metrics/);
    expectAt(d, "stacks/payments.ts", lineOf(text, "http: 8080 metrics"));
    expect(d.hint).toBeTruthy();
  });

  it('a type error (replicas: "three") is reported at its line', async () => {
    const given = synthesizedProject();
    const text = edit(given.p, "stacks/payments.ts", "replicas: 4,", 'replicas: "three",');

    const d = only(await synthFails(given));

    expect(d.code).toBe("typecheck/TS2322");
    expect(d.message).toMatch(/not assignable to type 'number'/);
    expectAt(d, "stacks/payments.ts", lineOf(text, '"three"'));
  });
});

describe("a stack that compiles but is invalid", () => {
  it("negative replicas in environments.prod is rejected at the line of `replicas: -1`", async () => {
    const given = synthesizedProject();
    const text = edit(given.p, "stacks/payments.ts", "replicas: 4,", "replicas: -1,");

    const d = only(await synthFails(given));

    expect(d.code).toBe("validate/invalid");
    expect(d.message).toMatch(/0 or more/);
    expect(d.origin?.path).toEqual(["environments", "prod", "replicas"]);
    expectAt(d, "stacks/payments.ts", lineOf(text, "replicas: -1"));
  });

  it("the same app name in two stack files names both files", async () => {
    const given = synthesizedProject();
    // GIVEN a second, valid stack that reuses the name "payments"
    const refunds = [
      "// Refunds: by mistake declared under the name payments.ts already uses.",
      'import { platform } from "./platform.js";',
      "",
      'export default platform.app("payments", {',
      '  team: "payments",',
      '  image: "registry.example.com/payments/refunds",',
      '  release: { dev: "0.1.0" },',
      "});",
      "",
    ].join("\n");
    given.p.write("stacks/refunds.ts", refunds);
    const paymentsLine = lineOf(given.p.read("stacks/payments.ts"), "platform.app(");

    const d = only(await synthFails(given));

    expect(d.code).toBe("validate/duplicate-app");
    expectAt(d, "stacks/refunds.ts", lineOf(refunds, "platform.app("));
    expect(d.message).toContain(`stacks/payments.ts:${paymentsLine}`);
    expect(d.hint).toMatch(/unique/);
  });

  it("a stack that throws at import time is reported at the line of the throw", async () => {
    const given = synthesizedProject();
    const text = edit(
      given.p,
      "stacks/search.ts",
      'import { platform } from "./platform.js";\n',
      'import { platform } from "./platform.js";\n\nthrow new Error("boom: the price feed is down");\n',
    );

    const d = only(await synthFails(given));

    expect(d.code).toMatch(/^load\//);
    expect(d.message).toContain("boom: the price feed is down");
    expectAt(d, "stacks/search.ts", lineOf(text, "throw new Error"));
    expect(d.hint).toBeTruthy();
  });
});

describe("names that cannot become directories and object names", () => {
  it("rejects app names ../etc, Payments and a 64-character name, each at its platform.app( line", async () => {
    const given = synthesizedProject();
    const long = "a".repeat(64);
    const cases = [
      { file: "stacks/search.ts", from: 'app("search"', name: "../etc", problem: /DNS-1123/ },
      { file: "stacks/payments.ts", from: 'app("payments"', name: "Payments", problem: /DNS-1123/ },
      { file: "stacks/catalog-api.ts", from: 'app("catalog-api"', name: long, problem: /64 characters.*63/ },
    ].map((c) => ({ ...c, line: lineOf(edit(given.p, c.file, c.from, `app(${JSON.stringify(c.name)}`), "platform.app(") }));
    // The apps' release files follow the rename, so that the names are the only mistakes.
    for (const c of cases) renameInReleaseFiles(given.p, c.file.slice("stacks/".length, -".ts".length), c.name);

    const diagnostics = await synthFails(given);

    expect(diagnostics, show(diagnostics)).toHaveLength(cases.length);
    const named = withCode(diagnostics, "validate/app-name");
    for (const { file, name, problem, line } of cases) {
      const d = named.find((x) => x.origin?.file === file);
      expect(d, `no validate/app-name diagnostic for ${file}:\n${show(diagnostics)}`).toBeDefined();
      expectAt(d!, file, line);
      expect(d!.message).toContain(JSON.stringify(name));
      expect(d!.message).toMatch(problem);
      expect(d!.hint).toBeTruthy();
    }
  });

  it("rejects a cluster named Prod_EU, pointing at its key in stacks/platform.ts", async () => {
    const given = synthesizedProject();
    // GIVEN the cluster renamed, and its wave following the rename so that it type-checks
    edit(given.p, "stacks/platform.ts", '"prod-eu-1": {', '"Prod_EU": {');
    const text = edit(given.p, "stacks/platform.ts", 'clusters: ["prod-eu-1"]', 'clusters: ["Prod_EU"]');

    const diagnostics = await synthFails(given);

    const line = lineOf(text, '"Prod_EU": {');
    const d = diagnostics.find((x) => x.origin?.file === "stacks/platform.ts" && x.origin.line === line);
    expect(d, `nothing reported at stacks/platform.ts:${line}:\n${show(diagnostics)}`).toBeDefined();
    // THEN the message says which name is wrong and why, not just that some key is
    expect(d!.message).toContain("Prod_EU");
    expect(d!.message).toMatch(/DNS-1123/);
    expect(d!.hint).toBeTruthy();
  });
});

describe("waves", () => {
  it("a wave naming an unknown cluster is a type error at that line, and a runtime error without the type-check", async () => {
    const given = synthesizedProject();
    const text = edit(
      given.p,
      "stacks/platform.ts",
      'clusters: ["prod-us-1", "prod-us-west-1", "prod-us-central-1", "prod-ap-1"]',
      'clusters: ["prod-us-1", "prod-us-west-1", "prod-us-central-1", "prod-ap-1", "prod-sa-1"]',
    );
    const line = lineOf(text, '"prod-sa-1"');

    // WHEN type-checked: the typed DSL only accepts declared cluster names
    const typed = only(await synthFails(given));
    expect(typed.code).toMatch(/^typecheck\/TS\d+$/);
    expect(typed.message).toContain('"prod-sa-1"');
    expectAt(typed, "stacks/platform.ts", line);

    // WHEN not type-checked: validation catches it at the same line
    const runtime = only(await synthFails(given, { skipTypecheck: true }));
    expect(runtime.code).toBe("validate/unknown-cluster");
    expect(runtime.message).toContain('"prod-sa-1"');
    expectAt(runtime, "stacks/platform.ts", line);
    expect(runtime.hint).toContain("prod-us-1");
  });

  it("a cluster in two waves is rejected at its second mention", async () => {
    const given = synthesizedProject();
    const text = edit(
      given.p,
      "stacks/platform.ts",
      'clusters: ["prod-us-1", "prod-us-west-1", "prod-us-central-1", "prod-ap-1"]',
      'clusters: ["prod-us-1", "prod-us-west-1", "prod-us-central-1", "prod-ap-1", "prod-eu-1"]',
    );

    const d = only(await synthFails(given));

    expect(d.code).toBe("validate/cluster-in-two-waves");
    expect(d.message).toMatch(/prod-eu-1.*prod-canary.*prod\b/);
    expectAt(d, "stacks/platform.ts", lineOf(text, '"prod-ap-1", "prod-eu-1"'));
    expect(d.hint).toBeTruthy();
  });

  it("a cluster in no wave is rejected at its declaration", async () => {
    const given = synthesizedProject();
    const text = edit(
      given.p,
      "stacks/platform.ts",
      '    "prod-us-1": {',
      '    "prod-sa-1": { environment: "prod", server: "https://prod-sa-1.k8s.example.com" },\n    "prod-us-1": {',
    );

    const d = only(await synthFails(given));

    expect(d.code).toBe("validate/cluster-in-no-wave");
    expect(d.message).toContain("prod-sa-1");
    expectAt(d, "stacks/platform.ts", lineOf(text, '"prod-sa-1": {'));
    expect(d.hint).toBeTruthy();
  });
});

describe("a hand-written file in out/", () => {
  const notes = "out/apps/notes.txt";

  it("makes synth fail, naming the file, with nothing written or deleted", async () => {
    const { p } = synthesizedProject();
    p.write(notes, "Ask #platform before changing payments.\n");
    const given = { p, before: snapshot(p) };

    const d = only(await synthFails(given));

    expect(d.code).toBe("write/foreign-file");
    expect(d.message).toContain(notes);
    expect(d.hint).toBeTruthy();
  });

  it("makes synth fail even when a stack changed in the same run", async () => {
    const { p } = synthesizedProject();
    p.write(notes, "Ask #platform before changing payments.\n");
    const given = { p, before: snapshot(p) };
    // GIVEN a release change, so that a successful synth would rewrite files
    edit(p, "stacks/releases/prod/payments.ts", 'prod: "1.6.3"', 'prod: "1.6.4"');
    const planned = await plan({ root: p.root, skipTypecheck: true });
    const deployment = planned.plan.files.find((f) => f.path === "apps/payments/prod-us-1/manifest.yaml");
    expect(deployment?.content).toContain("1.6.4");
    expect(given.before.files["apps/payments/prod-us-1/manifest.yaml"]).not.toContain("1.6.4");

    const d = only(await synthFails(given));

    expect(d.code).toBe("write/foreign-file");
    expect(d.message).toContain(notes);
  });
});
