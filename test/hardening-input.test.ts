/**
 * Hostile input that crashed, hung or slipped through (issue 18, items 10,
 * 11, 23, 24): each now ends in a clear refusal naming the file or the stack
 * line, or, for `sluice diff`, in a bounded result that says what it skipped.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { synth } from "sluice";
import { exampleStacks, makeProject, type Project } from "./helpers/project.js";
import { edit, expectAt, lineOf, only, rejection, show } from "./helpers/stack-edit.js";

let base: Project;

beforeAll(async () => {
  base = makeProject(exampleStacks());
  await synth({ root: base.root });
}, 120_000);

/** A copy of the synthesized example project, and its out/ as it was. */
function synthesized(): { p: Project; before: Record<string, string> } {
  const p = makeProject();
  for (const dir of ["stacks", "out", "CODEOWNERS"]) fs.cpSync(path.join(base.root, dir), path.join(p.root, dir), { recursive: true });
  return { p, before: p.tree() };
}

/** Lets raw objects of kind Odd (example.com/v1) through, as a platform declaring its CRD does. */
function declareOddKind(p: Project): void {
  edit(p, "stacks/platform.ts", '  engine: "argocd",', '  engine: "argocd",\n  customResources: { "example.com/v1": { Odd: { scope: "Namespaced", plural: "odds" } } },');
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
  for (const [name, escape] of [
    ["DEL", "\\u007f"],
    ["U+0080", "\\u0080"],
    ["U+009F", "\\u009f"],
    ["U+FFFE", "\\ufffe"],
    ["U+FFFF", "\\uffff"],
  ] as const) {
    it(`an env value holding ${name}`, async () => {
      const { p, before } = synthesized();
      const text = withEnv(p, `ODD_VALUE: "a${escape}b",`);
      const diagnostic = only(await rejection(synth({ root: p.root })));
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
    const diagnostics = await rejection(synth({ root: p.root }));
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
      const diagnostic = only(await rejection(synth({ root: p.root })));
      // A key Go YAML cannot read is refused first, as any key; one it can, for the API server's limit.
      expect(diagnostic.message).toMatch(length === 1100 ? /is a key of 1100 characters; kubectl and kustomize read keys of at most 1022/ : /longer than 253 characters/);
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
    edit(p, "stacks/payments.ts", "  probes: {", `  objects: [{ apiVersion: "example.com/v1", kind: "Odd", metadata: { name: "odd" }, spec: { "${key}": "y" } }],\n  probes: {`);
    await synth({ root: p.root });
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
    const diagnostic = only(await rejection(synth({ root: p.root })));
    expect(diagnostic.code).toBe("check/too-large");
    expect(diagnostic.message).toMatch(/ConfigMap payments .* holds more than the 1,048,576 bytes \(1 MiB\) of data the API server accepts in a ConfigMap; data\.HUGE alone is 100,000,000 bytes \(and the same in 4 more files\)/);
    expectAt(diagnostic, "stacks/payments.ts", lineOf(text, "HUGE"));
    expect(p.tree()).toEqual(before);
  }, 120_000);

  it("a raw ConfigMap at 1 MiB passes, one byte more is refused; any object over etcd's 1.5 MiB is refused", async () => {
    const raw = (data: string) =>
      `  objects: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "big" }, data: {\n    a: "x".repeat(${data}),\n  } }],\n  probes: {`;
    {
      const { p } = synthesized();
      edit(p, "stacks/payments.ts", "  probes: {", raw("1024 * 1024"));
      await synth({ root: p.root });
      expect(p.read("out/apps/payments/dev-1/manifest.yaml").length).toBeGreaterThan(1024 * 1024);
    }
    {
      const { p, before } = synthesized();
      const text = edit(p, "stacks/payments.ts", "  probes: {", raw("1024 * 1024 + 1"));
      const diagnostic = only(await rejection(synth({ root: p.root })));
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
      const diagnostic = only(await rejection(synth({ root: p.root })));
      expect(diagnostic.message).toMatch(/Odd big .* is larger as JSON than the 1,572,864 bytes \(1\.5 MiB\) etcd stores \(its default --max-request-bytes\), so the API server would refuse it; spec\.blob alone is 1,572,864 characters/);
      expectAt(diagnostic, "stacks/payments.ts", lineOf(text, "blob:"));
      expect(p.tree()).toEqual(before);
    }
  }, 120_000);
});
