/**
 * Memory at scale, the rest of issue 18 item 27: stacks past a few megabytes
 * are bundled and imported in parts that share one instance of the platform,
 * and a cold synth keeps the rendered text on disk until the write, not in
 * memory. Peak memory itself is measured by `npm run bench` (a benchmark,
 * not a test); these pin the behaviour and that the output does not change.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { plan, PolicyViolation, synth } from "sluice";
import { bundleStacks, BUNDLE_BYTES, BUNDLE_STACKS } from "../src/pipeline/load/stack-bundles.js";
import { discoverStacks } from "../src/pipeline/load/discover.js";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { exampleStacks, makeProject, type Project } from "./helpers/project.js";
import { lineOf, withCode } from "./helpers/stack-edit.js";
import { isSluiceError } from "../src/errors.js";

const CACHE = "node_modules/.cache/sluice";

/** A comment as large as a bundle part: the stack is bundled in a part of its own. */
const padding = `\n// ${"x".repeat(BUNDLE_BYTES)}\n`;

/** The example stacks with two app stacks grown past a part's size, so that they are bundled in four parts. */
function paddedProject(extra: Record<string, string> = {}): Project {
  const files = exampleStacks();
  for (const file of ["stacks/catalog-api.ts", "stacks/price-sync.ts"]) files[file] = `${files[file]}${padding}`;
  return makeProject({ ...files, ...extra });
}

async function failure(run: () => Promise<unknown>) {
  try {
    await run();
  } catch (error) {
    if (isSluiceError(error)) return error;
    throw error;
  }
  throw new Error("expected a SluiceError");
}

describe("stacks bundled in parts", () => {
  it("a large project is bundled in parts that import one shared platform module", async () => {
    const p = paddedProject();
    const files = discoverStacks(p.root, "stacks");
    const dir = fs.mkdtempSync(path.join(p.root, "bundles-"));
    const bundled = await bundleStacks(p.root, files, dir);
    expect(bundled.bundles.map((b) => b.stacks.map((i) => files[i]))).toEqual([
      ["stacks/catalog-api.ts"],
      ["stacks/checkout-web.ts", "stacks/payments-migrate.ts", "stacks/payments.ts", "stacks/platform.ts", "stacks/price-report.ts"],
      ["stacks/price-sync.ts"],
      files.filter((file) => file.startsWith("stacks/releases/") || file === "stacks/search-index.ts" || file === "stacks/search.ts"),
    ]);
    // The platform is bundled once, apart, and every part imports that module.
    const shared = bundled.written.filter((w) => !bundled.bundles.some((b) => b.file === w.file));
    expect(shared.map((w) => path.relative(dir, w.file))).toEqual([path.join("shared", "stacks", "platform.mjs")]);
    for (const part of bundled.bundles) {
      const code = fs.readFileSync(part.file, "utf8");
      expect(code).not.toContain("definePlatform(");
      expect(code).toContain(JSON.stringify(`file://${shared[0]!.file}`).slice(0, -1));
    }
    expect(bundled.inputs).toEqual(files);
    expect(bundled.imported).toEqual(["stacks/platform.ts"]);
    fs.rmSync(dir, { recursive: true });
  });

  it("puts at most so many stacks in one part, however small: where each app is declared is found in time linear in the stacks", async () => {
    const p = makeProject(exampleStacks());
    const files = discoverStacks(p.root, "stacks");
    const dir = fs.mkdtempSync(path.join(p.root, "bundles-"));
    const bundled = await bundleStacks(p.root, files, dir, BUNDLE_BYTES, 4);
    expect(bundled.bundles.every((b) => b.stacks.length <= 4)).toBe(true);
    expect(bundled.bundles.flatMap((b) => b.stacks).sort((a, b) => a - b)).toEqual(files.map((_, i) => i));
    expect(BUNDLE_STACKS).toBeLessThanOrEqual(1_000);
    fs.rmSync(dir, { recursive: true });
  });

  it("gives out/ byte for byte what one bundle gives", async () => {
    const whole = makeProject(exampleStacks());
    const parts = paddedProject();
    await synth({ root: whole.root, skipTypecheck: true, cache: false });
    await synth({ root: parts.root, skipTypecheck: true, cache: false });
    expect(parts.tree()).toEqual(whole.tree());
    // Nothing of the bundles is left in the cache dir.
    expect(fs.readdirSync(path.join(parts.root, CACHE)).filter((name) => name.startsWith("stacks-"))).toEqual([]);
  });

  it("a module two later parts both import is evaluated once: the stacks are bundled whole instead", async () => {
    // A helper outside the stacks that declares an app when it is evaluated, imported by stacks in the second and last parts.
    const helper =
      'import { platform } from "../stacks/platform.js";\n\nplatform.app("audit-log", { team: "payments", image: "registry.example.com/payments/audit", release: { dev: "1.0.0" } });\n\nexport const auditPort = 8081;\n';
    const p = paddedProject({ "lib/audit.ts": helper });
    p.write("stacks/payments.ts", `import { auditPort } from "../lib/audit.js";\nvoid auditPort;\n${p.read("stacks/payments.ts")}`);
    p.write("stacks/search.ts", `import { auditPort } from "../lib/audit.js";\nvoid auditPort;\n${p.read("stacks/search.ts")}`);
    const result = await synth({ root: p.root, skipTypecheck: true, cache: false });
    expect(result.rendered.filter((instance) => instance.app === "audit-log")).toEqual([{ app: "audit-log", cluster: "dev-1" }]);
  });

  it("a problem in a stack of a later part is reported at its line", async () => {
    const p = paddedProject();
    const text = p.read("stacks/search.ts").replace('image: "', 'image: String(Date.now()) + "');
    p.write("stacks/search.ts", text);
    const clock = await failure(() => synth({ root: p.root, skipTypecheck: true, cache: false }));
    expect(withCode(clock.diagnostics, "load/clock")[0]?.origin).toMatchObject({
      file: "stacks/search.ts",
      line: lineOf(text, "Date.now()"),
    });

    const wrong = p.read("stacks/price-sync.ts").replace('team: "', 'team: "no-such-team-');
    p.write("stacks/search.ts", text.replace('String(Date.now()) + "', '"'));
    p.write("stacks/price-sync.ts", wrong);
    const invalid = await failure(() => synth({ root: p.root, skipTypecheck: true, cache: false }));
    expect(invalid.diagnostics.map((d) => d.origin?.file)).toContain("stacks/price-sync.ts");
    expect(invalid.diagnostics.find((d) => d.origin?.file === "stacks/price-sync.ts")?.origin?.line).toBe(lineOf(wrong, "no-such-team-"));
  });
});

describe("a cold synth's rendered text", () => {
  it("waits for the write on disk: the result keeps no instance's bytes, out/ has them all, and the spill file is gone", async () => {
    const p = makeProject(exampleStacks());
    const planned = await plan({ root: p.root, skipTypecheck: true });
    const result = await synth({ root: p.root, skipTypecheck: true, cache: false });
    const instanceFiles = result.plan.files.filter((file) => file.path.startsWith("apps/"));
    expect(instanceFiles.length).toBeGreaterThan(10);
    expect(instanceFiles.filter((file) => file.content !== undefined)).toEqual([]);
    expect(p.tree()).toEqual(Object.fromEntries(planned.plan.files.map((file) => [file.path, file.content])));
    expect(fs.readdirSync(path.join(p.root, CACHE)).filter((name) => name.startsWith(".spill."))).toEqual([]);
  });

  it("leaves no spill file when a rule stops the run, and out/ as it was", async () => {
    const p = synthesizedExample({ caches: true });
    const before = p.tree();
    // A pod on the host network is an error under the built-in rules.
    const cronJob = `{ apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "reindex" }, spec: { schedule: "0 * * * *", jobTemplate: { spec: { template: { spec: {
      restartPolicy: "OnFailure", hostNetwork: true, securityContext: { runAsNonRoot: true },
      containers: [{ name: "reindex", image: "registry.example.com/storefront/reindex:1.0.0", resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "32Mi" } } }],
    } } } } } } as never`;
    expect(p.read("stacks/price-sync.ts")).toContain("  objects: [\n");
    p.write("stacks/price-sync.ts", p.read("stacks/price-sync.ts").replace("  objects: [\n", `  objects: [\n    ${cronJob},\n`));
    await expect(synth({ root: p.root, skipTypecheck: true })).rejects.toBeInstanceOf(PolicyViolation);
    expect(p.tree()).toEqual(before);
    expect(fs.readdirSync(path.join(p.root, CACHE)).filter((name) => name.startsWith(".spill."))).toEqual([]);
  });
});
