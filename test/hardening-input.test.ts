/**
 * Hostile input that crashed, hung or slipped through (issue 18, items 10,
 * 11, 23, 24): each now ends in a clear refusal naming the file or the stack
 * line, or, for `sluice diff`, in a bounded result that says what it skipped.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { simpleGit } from "simple-git";
import { synth } from "sluice";
import { runCli } from "./helpers/cli.js";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { CLI, makeProject, type Project } from "./helpers/project.js";
import { edit, expectAt, failsAt, lineOf, only, rejection, show } from "./helpers/stack-edit.js";

let base: Project;

beforeAll(() => {
  base = synthesizedExample();
});

/** A copy of the synthesized example project, and its out/ as it was. */
function synthesized(): { p: Project; before: Record<string, string> } {
  const p = makeProject();
  for (const dir of ["stacks", "out", "CODEOWNERS"]) fs.cpSync(path.join(base.root, dir), path.join(p.root, dir), { recursive: true });
  return { p, before: p.tree() };
}

/** Lets raw objects of kind Odd (example.com/v1) through, as a platform declaring its CRD does. */
function declareOddKind(p: Project): void {
  edit(
    p,
    "stacks/platform.ts",
    '  engine: "argocd",',
    '  engine: "argocd",\n  customResources: { "example.com/v1": { Odd: { scope: "Namespaced", plural: "odds" } } },',
  );
}

/** Adds env vars to payments (written as the TypeScript source text `entries`); returns the stack's text. */
function withEnv(p: Project, entries: string): string {
  return edit(p, "stacks/payments.ts", 'FEATURE_3DS: "true",', `FEATURE_3DS: "true",\n    ${entries}`);
}

/**
 * `kubectl kustomize` over one emitted app directory, as Argo CD and Flux
 * read it (through a kustomization listing its files); the error text or "".
 */
function kustomize(p: Project, dir: string): string {
  const build = path.join(p.root, "kustomize-check");
  fs.rmSync(build, { recursive: true, force: true });
  fs.cpSync(path.join(p.root, dir), build, { recursive: true });
  const files = fs.readdirSync(build).filter((f) => f.endsWith(".yaml"));
  fs.writeFileSync(path.join(build, "kustomization.yaml"), `resources:\n${files.map((f) => `- ${f}`).join("\n")}\n`);
  const run = spawnSync("kubectl", ["kustomize", build], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  fs.rmSync(build, { recursive: true, force: true });
  return run.status === 0 ? "" : run.stderr || String(run.error);
}

const hasKubectl = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" }).status === 0;

describe("characters and keys Go YAML refuses are refused at the stack line (item 23)", () => {
  for (const [name, odd] of [
    ["DEL", "\\u007f"],
    ["U+0080", "\\u0080"],
    ["U+009F", "\\u009f"],
    ["U+FFFE", "\\ufffe"],
    ["U+FFFF", "\\uffff"],
  ] as const) {
    it(`an env value holding ${name}`, async () => {
      const { p, before } = synthesized();
      const text = withEnv(p, `ODD_VALUE: "a${odd}b",`);
      const diagnostic = only(await rejection(synth({ root: p.root, skipTypecheck: true })));
      expect(diagnostic.code).toBe("validate/not-data");
      expect(diagnostic.message).toMatch(/contains U\+(007F|0080|009F|FFFE|FFFF) at index 1/);
      expect(diagnostic.message).toMatch(/kustomize/);
      expectAt(diagnostic, "stacks/payments.ts", lineOf(text, "ODD_VALUE"));
      expect(p.tree()).toEqual(before);
    });
  }

  it("a key of a raw object holding U+0085's neighbour U+0086, and a key longer than Go YAML reads", async () => {
    const { p, before } = synthesized();
    const long = "k".repeat(1023);
    const text = edit(
      p,
      "stacks/payments.ts",
      "  probes: {",
      `  objects: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "odd" }, data: {\n    "bad\\u0086key": "x",\n    "${long}": "y",\n  } }],\n  probes: {`,
    );
    const diagnostics = await rejection(synth({ root: p.root, skipTypecheck: true }));
    expect(diagnostics, show(diagnostics)).toHaveLength(2);
    const [odd, longKey] = [diagnostics.find((d) => /U\+0086/.test(d.message)), diagnostics.find((d) => /1023 characters/.test(d.message))];
    expectAt(odd!, "stacks/payments.ts", lineOf(text, "bad\\u0086key"));
    expectAt(longKey!, "stacks/payments.ts", lineOf(text, long));
    expect(p.tree()).toEqual(before);
  });

  it("an env var name of 1,100 characters (and of 254) is refused: a plain env var is a ConfigMap key, at most 253", async () => {
    for (const length of [1100, 254]) {
      const { p, before } = synthesized();
      const name = `A${"B".repeat(length - 1)}`;
      const text = withEnv(p, `${name}: "x",`);
      const diagnostic = only(await rejection(synth({ root: p.root, skipTypecheck: true })));
      // A key Go YAML cannot read is refused first, as any key; one it can, for the API server's limit.
      expect(diagnostic.message).toMatch(
        length === 1100 ? /is a key of 1100 characters; kubectl and kustomize read keys of at most 1022/ : /longer than 253 characters/,
      );
      expectAt(diagnostic, "stacks/payments.ts", lineOf(text, name));
      expect(p.tree()).toEqual(before);
    }
  });

  it.skipIf(!hasKubectl)("the accepted boundary values synthesize and pass `kubectl kustomize`", async () => {
    const { p } = synthesized();
    // 253 characters of name; NEL, C0 controls, NBSP, BOM, U+FFFD and an astral non-character, which Go YAML reads.
    const name = `N${"X".repeat(252)}`;
    const key = "k".repeat(1022);
    withEnv(p, `${name}: "a\\u0085b\\u0001c\\u00a0d\\ufeffe\\ufffdf\\u{1fffe}g",`);
    declareOddKind(p);
    edit(
      p,
      "stacks/payments.ts",
      "  probes: {",
      `  objects: [{ apiVersion: "example.com/v1", kind: "Odd", metadata: { name: "odd" }, spec: { "${key}": "y" } }],\n  probes: {`,
    );
    await synth({ root: p.root, skipTypecheck: true });
    for (const cluster of fs.readdirSync(path.join(p.root, "out/apps/payments"))) {
      expect(kustomize(p, `out/apps/payments/${cluster}`), cluster).toBe("");
    }
    const manifest = p.read("out/apps/payments/dev-1/manifest.yaml");
    expect(manifest).toContain(name);
  });
});

describe("objects the API server would refuse for their size are refused at the stack line (item 24)", () => {
  it("a 100 MB env value: the generated ConfigMap is over 1 MiB of data", async () => {
    const { p, before } = synthesized();
    const text = withEnv(p, `HUGE: "x".repeat(100_000_000),`);
    const diagnostic = only(await rejection(synth({ root: p.root, skipTypecheck: true })));
    expect(diagnostic.code).toBe("check/too-large");
    expect(diagnostic.message).toMatch(
      /ConfigMap payments .* holds more than the 1,048,576 bytes \(1 MiB\) of data the API server accepts in a ConfigMap; data\.HUGE alone is 100,000,000 bytes \(and the same in 6 more files\)/,
    );
    expectAt(diagnostic, "stacks/payments.ts", lineOf(text, "HUGE"));
    expect(p.tree()).toEqual(before);
  }, 120_000);

  it("a raw ConfigMap at 1 MiB passes, one byte more is refused; any object over etcd's 1.5 MiB is refused", async () => {
    const raw = (data: string) =>
      `  objects: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "big" }, data: {\n    a: "x".repeat(${data}),\n  } }],\n  probes: {`;
    {
      const { p } = synthesized();
      edit(p, "stacks/payments.ts", "  probes: {", raw("1024 * 1024"));
      await synth({ root: p.root, skipTypecheck: true });
      expect(p.read("out/apps/payments/dev-1/manifest.yaml").length).toBeGreaterThan(1024 * 1024);
    }
    {
      const { p, before } = synthesized();
      const text = edit(p, "stacks/payments.ts", "  probes: {", raw("1024 * 1024 + 1"));
      const diagnostic = only(await rejection(synth({ root: p.root, skipTypecheck: true })));
      expect(diagnostic.message).toMatch(/data\.a alone is 1,048,577 bytes/);
      expectAt(diagnostic, "stacks/payments.ts", lineOf(text, '"x".repeat'));
      expect(p.tree()).toEqual(before);
    }
    {
      const { p, before } = synthesized();
      declareOddKind(p);
      const text = edit(
        p,
        "stacks/payments.ts",
        "  probes: {",
        `  objects: [{ apiVersion: "example.com/v1", kind: "Odd", metadata: { name: "big" }, spec: {\n    blob: "x".repeat(1.5 * 1024 * 1024),\n  } }],\n  probes: {`,
      );
      const diagnostic = only(await rejection(synth({ root: p.root, skipTypecheck: true })));
      expect(diagnostic.message).toMatch(
        /Odd big .* is larger as JSON than the 1,572,864 bytes \(1\.5 MiB\) etcd stores \(its default --max-request-bytes\), so the API server would refuse it; spec\.blob alone is 1,572,864 characters/,
      );
      expectAt(diagnostic, "stacks/payments.ts", lineOf(text, "blob:"));
      expect(p.tree()).toEqual(before);
    }
  }, 120_000);
});

/** GIVEN the synthesized example project committed on main, with `files` of out/ replaced in that commit (the base). */
async function committedWith(files: Record<string, string | Buffer>): Promise<Project> {
  const { p } = synthesized();
  p.write(".gitignore", "node_modules/\n");
  for (const [file, content] of Object.entries(files)) fs.writeFileSync(path.join(p.root, file), content);
  const git = simpleGit(p.root);
  await git.init(["--initial-branch=main"]);
  await git.addConfig("user.email", "ci@example.com").addConfig("user.name", "CI");
  await git.add(".").commit("env repo");
  return p;
}

/**
 * `sluice diff` as a process of its own with a 1 GiB heap, as a small CI
 * runner has: its exit status, output and how long it took. The heap limit is
 * the point for the hostile bases (a diff that read them whole would die).
 */
function diffProcess(p: Project, ...args: string[]) {
  const started = Date.now();
  const run = spawnSync(process.execPath, ["--max-old-space-size=1024", CLI, "diff", "--skip-typecheck", ...args], {
    cwd: p.root,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    timeout: 120_000,
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, seconds: (Date.now() - started) / 1000 };
}

/**
 * `sluice diff` in this process, through the CLI's `main`: for the other
 * output formats of a diff whose bounded read one process has already shown.
 */
async function diffInProcess(p: Project, ...args: string[]) {
  const started = Date.now();
  const run = await runCli(["diff", "--skip-typecheck", ...args], { cwd: p.root, env: { NO_COLOR: "1" } });
  return { ...run, seconds: (Date.now() - started) / 1000 };
}

const MANIFEST = "out/apps/payments/dev-1/manifest.yaml";
/** The same file as diff names it: relative to the env repo (out/). */
const IN_ENV_REPO = "apps/payments/dev-1/manifest.yaml";

/**
 * Every output format of one diff: each must end normally and name the file it
 * could not compare, and why. Text runs as a process with a 1 GiB heap; the
 * other formats render the same bounded comparison in this process.
 */
async function expectSkipped(p: Project, file: string, why: RegExp): Promise<void> {
  for (const format of ["text", "markdown", "json"]) {
    const run = format === "text" ? diffProcess(p) : await diffInProcess(p, "--format", format);
    expect(run.stderr, format).not.toMatch(/internal error/i);
    expect(run.status, `${format}: ${run.stderr}`).toBe(0);
    expect(run.seconds, format).toBeLessThan(60);
    if (format === "json") {
      const result = JSON.parse(run.stdout) as { files: { file: string; skipped?: string }[] };
      expect(result.files.find((f) => f.file === file)?.skipped, run.stdout.slice(0, 2000)).toMatch(why);
    } else {
      expect(run.stdout).toContain(file);
      expect(run.stdout).toMatch(why);
    }
    if (format === "markdown") expect(run.stdout.length).toBeLessThanOrEqual(65_536);
  }
}

describe("sluice diff over a hostile base stays bounded and says what it skipped (item 10)", () => {
  it("a binary blob committed where a manifest was", async () => {
    const bytes = Buffer.alloc(4096);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + 7) % 256;
    const p = await committedWith({ [MANIFEST]: bytes });
    await expectSkipped(p, IN_ENV_REPO, /binary/);
  }, 120_000);

  it("a YAML alias bomb committed as a manifest", async () => {
    const levels = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"];
    for (let i = 1; i < 12; i++)
      levels.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(", ")}]`,
      );
    const bomb = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: payments\n  namespace: payments\ndata:\n  ${levels.join("\n  ")}\n`;
    const p = await committedWith({ [MANIFEST]: bomb });
    await expectSkipped(p, IN_ENV_REPO, /YAML alias/);
  }, 120_000);

  it("a 60 MB manifest committed at the base", async () => {
    const lines = Array.from({ length: 300_000 }, (_, i) => `  k${String(i).padStart(8, "0")}: "${"y".repeat(190)}"\n`);
    const big = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: payments\n  namespace: payments\ndata:\n${lines.join("")}`;
    const p = await committedWith({ [MANIFEST]: big });
    await expectSkipped(p, IN_ENV_REPO, /at HEAD it is 6\d,\d{3},\d{3} bytes, more than the 16,777,216 sluice diff reads/);
  }, 180_000);

  it("2,500 changed env vars: a bounded result in seconds that counts the fields it does not list", async () => {
    const { p } = synthesized();
    const many = (value: string) => `...Object.fromEntries(Array.from({ length: 2_500 }, (_, i) => [\`VAR_\${i}\`, "${value}"])),`;
    withEnv(p, many("a"));
    await synth({ root: p.root, skipTypecheck: true });
    p.write(".gitignore", "node_modules/\n");
    const git = simpleGit(p.root);
    await git.init(["--initial-branch=main"]);
    await git.addConfig("user.email", "ci@example.com").addConfig("user.name", "CI");
    await git.add(".").commit("env repo");
    // Each listing would be past its bound: 2,500 fields (20 listed), 5,000 lines removed and added a cluster (2,000 at most).
    edit(p, "stacks/payments.ts", many("a"), many("b"));

    const text = diffProcess(p);
    expect(text.status, text.stderr).toBe(0);
    expect(text.seconds).toBeLessThan(60);
    expect(text.stdout).toMatch(
      /~ ConfigMap payments\/payments[^\n]*\n(.*\n){20}\s+… and 2,480 more fields\n\s+\(YAML diff left out: more than 2,000 lines removed and added/,
    );

    const markdown = await diffInProcess(p, "--format", "markdown");
    expect(markdown.status, markdown.stderr).toBe(0);
    expect(markdown.stdout.length).toBeLessThanOrEqual(65_536);
    expect(markdown.stdout).toContain("- … and 2,485 more fields");

    const json = await diffInProcess(p, "--format", "json");
    expect(json.status, json.stderr).toBe(0);
    const result = JSON.parse(json.stdout) as {
      clusters: { objects: { kind: string; fields: unknown[]; moreFields?: number; patchSkipped?: string }[] }[];
    };
    const configMaps = result.clusters.flatMap((c) => c.objects).filter((o) => o.kind === "ConfigMap");
    expect(configMaps.length).toBeGreaterThan(0);
    for (const object of configMaps) {
      expect(object.fields.length + object.moreFields!).toBe(2_500);
      expect(object.patchSkipped).toMatch(/more than 2,000 lines removed and added/);
    }
  }, 300_000);
});

/** A billion laughs in YAML: twelve levels of nine aliases each, a few hundred bytes that expand to 9^12 strings. */
function aliasBomb(under: string): string {
  const name = (i: number) => `l${i}`;
  const levels = [`${name(0)}: &${name(0)} [lol, lol, lol, lol, lol, lol, lol, lol, lol]`];
  for (let i = 1; i < 12; i++)
    levels.push(
      `${name(i)}: &${name(i)} [${Array(9)
        .fill(`*${name(i - 1)}`)
        .join(", ")}]`,
    );
  return `${under}:\n  ${levels.join("\n  ")}\n`;
}

describe("a SOPS file with an alias bomb is refused naming the file (item 11)", () => {
  it("synth exits with a diagnostic at the stack line that names the file, and writes nothing", async () => {
    const { p, before } = synthesized();
    edit(
      p,
      "stacks/price-sync.ts",
      'import { sealedSecret, secret } from "sluice";',
      'import { sealedSecret, secret, sopsSecret } from "sluice";',
    );
    edit(
      p,
      "stacks/price-sync.ts",
      '  secretFiles: { "/etc/price-sync/feed-client": secret("feed-client") },',
      '  secretFiles: { "/etc/price-sync/feed-client": secret("feed-client"), "/etc/price-sync/tls": secret("feed-tls") },\n  secrets: { "feed-tls": sopsSecret("secrets/feed-tls.enc.yaml") },',
    );
    p.write(
      "secrets/feed-tls.enc.yaml",
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: feed-tls\n${aliasBomb("data")}sops:\n  mac: x\n`,
    );
    const d = await failsAt(p, "validate/not-sops", "stacks/price-sync.ts", "sopsSecret(");
    expect(d.message).toMatch(
      /^secrets\/feed-tls\.enc\.yaml expands YAML aliases past the limit of 100 \(an alias bomb; sops writes no aliases\)$/,
    );
    expect(p.tree()).toEqual(before);

    // The CLI says the same, with exit 2 and no internal error.
    const run = await runCli(["synth", "--skip-typecheck"], { cwd: p.root });
    expect(run.stderr).not.toMatch(/internal error/i);
    expect(run.stderr).toContain("secrets/feed-tls.enc.yaml expands YAML aliases");
    expect(run.status).toBe(2);
  }, 120_000);
});
