import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/**
 * Test files that replace modules with vi.mock: each runs with a module
 * registry of its own. The others share their worker's modules (isolate off),
 * which saves loading sluice, esbuild and the schemas once per file — a third
 * of the run — and is safe because no test leaves process-wide state changed:
 * the working directory and environment are put back (helpers/cli.ts), and
 * module caches are keyed by content or project path.
 */
const MOCKING = ["test/engine-conformance.test.ts"];

export default defineConfig({
  root: fileURLToPath(new URL("..", import.meta.url)),
  // Tests run sluice's TypeScript source; the package's own "sluice" export is
  // the compiled dist/, which the CLI end-to-end tests run through the bin.
  resolve: {
    alias: [
      { find: /^sluice$/, replacement: fileURLToPath(new URL("../src/index.ts", import.meta.url)) },
      { find: /^sluice\/testing$/, replacement: fileURLToPath(new URL("../src/testing.ts", import.meta.url)) },
    ],
  },
  test: {
    setupFiles: ["test/helpers/setup.ts"],
    // Synth spawns tsc and registers module loaders: separate processes keep
    // test files from sharing loader state.
    pool: "forks",
    // Two test files at a time: most of a test's time is spent waiting on git,
    // tsc and kubectl child processes, so two workers on two cores roughly
    // halve the run (the default is one worker, cores - 1).
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: "shared",
          include: ["test/**/*.test.ts"],
          exclude: MOCKING,
          isolate: false,
          // Synthesizes the example project once for the run (synthesizedExample()).
          globalSetup: ["test/helpers/example-setup.ts"],
        },
      },
      { extends: true, test: { name: "isolated", include: MOCKING, isolate: true } },
    ],
  },
});
