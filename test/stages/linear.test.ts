/**
 * Work that grows with the input must grow linearly. These are not timed
 * tests with limits: each compares a run at 8n with a run at n, where a
 * linear algorithm takes about 8 times as long and a quadratic one about 64;
 * the bound (32, half of quadratic) leaves room for a machine busy with other
 * test processes and the garbage collector (24 was exceeded, at 24.5, on a
 * 2-core machine with a load of 10), and n is large enough that fixed costs
 * do not dominate.
 * Measured on the old code: resolve with 1,250 → 10,000 env vars went 0.24 s
 * → 21 s; reporting 250 → 2,000 broken apps in one file 1.7 s → 49.5 s.
 */
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { mergeLayers } from "../../src/pipeline/resolve/merge.js";
import { pinpointAll } from "../../src/locate/locate.js";
import type { Diagnostic } from "sluice";
import { makeProject } from "../helpers/project.js";

/** The fastest of five runs, in ms. */
function fastest(run: () => void): number {
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    run();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

function growth(sizes: [number, number], run: (n: number) => void): number {
  run(sizes[0]); // warm up
  return (
    fastest(() => run(sizes[1])) /
    Math.max(
      fastest(() => run(sizes[0])),
      0.5,
    )
  );
}

const origin = { file: "stacks/app.ts", line: 1, column: 1 };

describe("linear work", () => {
  it("merging settings with thousands of env vars over several layers", () => {
    const layers = (n: number) => {
      const env = (prefix: string) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}_${i}`, "v"]));
      return [
        { values: { env: env("A") }, origin },
        { values: { env: env("A"), replicas: 2 }, origin },
        { values: { env: { ...env("A"), ...env("B") } }, origin },
      ];
    };
    const ratio = growth([2_500, 20_000], (n) => void mergeLayers(layers(n)));
    expect(ratio).toBeLessThan(32);
  });

  it("pointing thousands of diagnostics in one stack file at their lines", () => {
    const project = makeProject();
    const write = (n: number) => {
      const apps = Array.from({ length: n }, (_, i) => `platform.app("app-${i}", {\n  team: "t",\n  release: { dev: "latest" },\n});`);
      const file = `stacks/many-${n}.ts`;
      project.write(file, `import { platform } from "./platform.js";\n${apps.join("\n")}\n`);
      return Array.from(
        { length: n },
        (_, i): Diagnostic => ({
          code: "validate/invalid",
          message: "moving tag",
          origin: { file, line: 2 + i * 4, column: 10, path: ["release", "dev"] },
        }),
      );
    };
    const diagnostics = new Map([1_000, 8_000].map((n) => [n, write(n)]));
    const ratio = growth([1_000, 8_000], (n) => {
      const pinned = pinpointAll(project.root, diagnostics.get(n)!);
      expect(pinned[n - 1]!.origin!.line).toBe(2 + (n - 1) * 4 + 2);
    });
    expect(ratio).toBeLessThan(32);
    expect(fs.existsSync(project.root)).toBe(true);
  });
});
