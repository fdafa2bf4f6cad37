import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import type { PartInstance, PartResult } from "../src/pipeline/render-part.js";
import { renderInThreads } from "../src/render-threads.js";
import { checkPolicy, synth } from "../src/synth.js";
import { isSluiceError } from "../src/errors.js";
import { spawnSync } from "node:child_process";
import { CLI, copyProject, makeProject, type Project } from "./helpers/project.js";
import { fleetStacks } from "./bench/fleet.js";

/**
 * Rendering on several threads (render-threads.ts): worker threads rebuild the
 * model from the loaded stacks and render parts of the pending instances
 * beside the main thread. Whatever the number of threads, the env repo, the
 * findings and the errors are the same, byte for byte and in order.
 */

/**
 * 150 apps on 4 clusters: 600 instances in ten parts, with secrets, overrides and a quarter
 * mid-rollout. The main thread waits for the first worker, so the workers always take part.
 */
const fleet = () => makeProject(fleetStacks(150, 4));

async function synthWith(p: Project, workers: number) {
  const result = await synth({ root: p.root, skipTypecheck: true, cache: false, workers });
  return { tree: p.tree(), reuse: result.reuse, findings: result.findings };
}

describe("rendering on several threads", () => {
  it("writes the same env repo with 1, 2 and 4 threads, the workers rendering parts of it", async () => {
    const base = fleet();
    const one = await synthWith(copyProject(base, ["stacks"]), 1);
    expect(one.reuse).toMatchObject({ threads: 1, partsByWorkers: 0 });
    expect(Object.keys(one.tree).length).toBeGreaterThan(1_200);
    for (const workers of [2, 4]) {
      const many = await synthWith(copyProject(base, ["stacks"]), workers);
      expect(many.reuse.threads).toBe(workers);
      // Not a test of one thread: workers rendered some of the parts.
      expect(many.reuse.partsByWorkers).toBeGreaterThan(0);
      expect(Object.keys(many.tree)).toEqual(Object.keys(one.tree));
      for (const [file, content] of Object.entries(one.tree)) expect(many.tree[file], file).toBe(content);
      expect(many.findings).toEqual(one.findings);
    }
  });

  it("gathers the same ApplicationSets per team from the Applications the workers rendered", async () => {
    const base = fleet();
    base.write(
      "stacks/platform.ts",
      base.read("stacks/platform.ts").replace('engine: "argocd",', 'engine: "argocd",\n  argocd: { applications: "per-team" },'),
    );
    const one = await synthWith(copyProject(base, ["stacks"]), 1);
    const sets = Object.keys(one.tree).filter(
      (file) => /^clusters\/[^/]+\/appsets\/[^/]+\.yaml$/.test(file) && !file.endsWith("kustomization.yaml"),
    );
    expect(sets.length).toBeGreaterThan(0);
    expect(sets.every((file) => one.tree[file]!.includes("elements:\n"))).toBe(true);
    const two = await synthWith(copyProject(base, ["stacks"]), 2);
    expect(two.reuse.partsByWorkers).toBeGreaterThan(0);
    expect(Object.keys(two.tree)).toEqual(Object.keys(one.tree));
    for (const [file, content] of Object.entries(one.tree)) expect(two.tree[file], file).toBe(content);
  });

  it("keeps only digests for a comparison, and finds the same stale file, on any number of threads", async () => {
    const p = fleet();
    await synth({ root: p.root, skipTypecheck: true, cache: false });
    const manifest = "apps/app-0007/staging-1/manifest.yaml";
    p.write(`out/${manifest}`, `${p.read(`out/${manifest}`)}# edited\n`);
    for (const workers of [1, 2]) {
      const result = await synth({ root: p.root, skipTypecheck: true, cache: false, check: true, workers });
      expect(result.drift).toEqual({ stale: [manifest], missing: [], extra: [] });
    }
  });

  it("reports the same findings and the same errors, in the same order, on any number of threads", async () => {
    const p = fleet();
    // A probe-less app in a late part: findings on every cluster.
    p.write("stacks/app-0140.ts", p.read("stacks/app-0140.ts").replace(/ {2}probes: \{[^\n]*\n/, ""));
    const findings = async (workers: number) => (await checkPolicy({ root: p.root, skipTypecheck: true, cache: false, workers })).findings;
    const expectedFindings = await findings(1);
    expect(expectedFindings.some((finding) => finding.app === "app-0140")).toBe(true);
    expect(await findings(2)).toEqual(expectedFindings);

    // An object no API server accepts, in an early part and a late one: the same errors, in order.
    for (const app of ["app-0003", "app-0121"])
      p.write(
        `stacks/${app}.ts`,
        p
          .read(`stacks/${app}.ts`)
          .replace(
            "autoscaling: { min: 2, max: 8 },",
            'autoscaling: { min: 2, max: 8 },\n  objects: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "extra" }, datta: {} }],',
          ),
      );
    const errors = async (workers: number) => {
      try {
        await synth({ root: p.root, skipTypecheck: true, cache: false, workers });
      } catch (error) {
        if (isSluiceError(error)) return error.diagnostics.map((d) => `${d.origin?.file}:${d.origin?.line} ${d.code} ${d.message}`);
        throw error;
      }
      throw new Error("expected the synth to fail");
    };
    const expected = await errors(1);
    expect(expected.some((line) => line.includes("app-0121") && line.includes("datta"))).toBe(true);
    expect(await errors(2)).toEqual(expected);
  });

  it("renders on the workers from the sluice command as npm installs it (the bundle), the same bytes as one thread", async () => {
    const base = fleet();
    const one = await synthWith(copyProject(base, ["stacks"]), 1);
    const p = copyProject(base, ["stacks"]);
    const run = spawnSync(process.execPath, [CLI, "synth", "--format", "json"], {
      cwd: p.root,
      encoding: "utf8",
      env: { ...process.env, SLUICE_WORKERS: "2" },
    });
    expect(run.status, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as { reuse: { threads: number; partsByWorkers: number } }).reuse).toMatchObject({ threads: 2 });
    expect((JSON.parse(run.stdout) as { reuse: { partsByWorkers: number } }).reuse.partsByWorkers).toBeGreaterThan(0);
    const tree = p.tree();
    expect(Object.keys(tree)).toEqual(Object.keys(one.tree));
    for (const [file, content] of Object.entries(one.tree)) expect(tree[file], file).toBe(content);
  });

  it("renders on the main thread alone when the platform holds code a thread cannot be given", async () => {
    const p = fleet();
    p.write(
      "stacks/platform.ts",
      p
        .read("stacks/platform.ts")
        .replace(
          '  owners: ["@acme/platform"],',
          '  owners: ["@acme/platform"],\n  policy: { rules: [{ id: "short-names", description: "App names are short.", severity: "warn", on: "instance", message: "shorten the name", check(input) { return input.app.name.length > 60 ? [{ message: "too long" }] : []; } }] },',
        ),
    );
    const result = await synth({ root: p.root, skipTypecheck: true, cache: false, workers: 2 });
    expect(result.reuse.partsByWorkers).toBe(0);
    expect(p.exists("out/apps/app-0149/prod-us-1/manifest.yaml")).toBe(true);
  });

  describe("a stuck worker", () => {
    /** A worker module: stuck in its start, or stuck in its first part after answering none. */
    const WORKERS = {
      start: "setInterval(() => {}, 1 << 30);\n",
      part: 'import { parentPort } from "node:worker_threads";\nparentPort.postMessage({ ready: true });\nparentPort.on("message", () => {});\n',
    };
    const parts = Array.from({ length: 5 }, (_, index) => [
      { app: { name: `app-${index}` }, cluster: { name: "dev-1" }, key: undefined } as unknown as PartInstance,
    ]);
    const renderHere = (part: readonly PartInstance[]) => ({ here: part[0]!.app.name }) as unknown as PartResult;

    for (const [stuck, module] of Object.entries(WORKERS)) {
      it(`in its ${stuck} does not hang the run: the main thread renders every part, in order`, async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-stuck-"));
        const entry = path.join(dir, "worker.mjs");
        fs.writeFileSync(entry, module);
        const started = performance.now();
        const results: PartResult[] = [];
        for await (const result of renderInThreads(parts, renderHere, {
          root: dir,
          loaded: {} as never,
          releases: {} as never,
          keepContent: false,
          threads: 2,
          addTimings: () => {},
          testing: { entry: pathToFileURL(entry).href, waits: { start: 300, part: 300 } },
        }))
          results.push(result);
        expect(results).toEqual(parts.map((part) => ({ here: part[0]!.app.name })));
        // Waited for the worker no longer than its time allows (and the worker was stopped: the test ends).
        expect(performance.now() - started).toBeLessThan(5_000);
        fs.rmSync(dir, { recursive: true, force: true });
      });
    }
  });
});
