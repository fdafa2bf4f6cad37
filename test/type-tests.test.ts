/**
 * Type-level tests (`expectTypeOf`, `@ts-expect-error`) do nothing at run
 * time: vitest passes them whatever the types say. This file runs the real
 * type-checker (the project's own `tsc`, as `npm run typecheck` does) over
 * every test file that holds type-level expectations, so that a broken one
 * fails `npm test` too, at its file and line.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "./helpers/project.js";

const TYPE_LEVEL = /expectTypeOf|assertType|@ts-expect-error/;

/** Every test file with a type-level expectation, relative to the repository. */
function typeTestFiles(): string[] {
  return fs
    .readdirSync(path.join(REPO, "test"), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.test(-d)?\.ts$/.test(entry.name) && !entry.parentPath.includes("node_modules"))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter((file) => file !== THIS_FILE && TYPE_LEVEL.test(fs.readFileSync(file, "utf8")))
    .map((file) => path.relative(REPO, file))
    .sort();
}
const THIS_FILE = path.join(REPO, "test/type-tests.test.ts");

describe("type-level tests", () => {
  it("are found: the DSL's type tests at least", () => {
    expect(typeTestFiles()).toContain("test/dsl-types.test.ts");
  });

  it("hold: tsc reports no error in any of them", () => {
    // The config sits inside the repository so that tsc finds @types/node
    // as `npm run typecheck` does; the cache dir is ignored by git.
    const cache = path.join(REPO, "node_modules/.cache");
    fs.mkdirSync(cache, { recursive: true });
    const dir = fs.mkdtempSync(path.join(cache, "type-tests-"));
    try {
      const config = path.join(dir, "tsconfig.json");
      fs.writeFileSync(
        config,
        JSON.stringify({
          extends: path.join(REPO, "tsconfig.json"),
          include: [],
          files: typeTestFiles().map((file) => path.join(REPO, file)),
        }),
      );
      const tsc = path.join(REPO, "node_modules/.bin/tsc");
      const run = spawnSync(tsc, ["--noEmit", "--pretty", "false", "-p", config], { cwd: REPO, encoding: "utf8", timeout: 120_000 });
      if (run.error) throw run.error;
      const errors = `${run.stdout}${run.stderr}`.split("\n").filter((line) => line.includes("error TS"));
      expect(errors).toEqual([]);
      expect(run.status).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
