/** The second CEL implementation compiles each distinct admission form once, and remembers only what compiled. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { builtInRules } from "../lib/rules/index.js";
import { AdmissionCompileCache } from "../src/policy/admission-compile-cache.js";
import { admissionCompileProblem } from "../src/policy/agreement.js";
import type { CelRule } from "../src/model/rule.js";
import { policyContext } from "../src/testing.js";

describe("the admission compile cache", () => {
  it("keeps the forms that compiled, not those that failed, across runs", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-compile-cache-"));
    const context = policyContext({ registries: ["registry.example.com/"] });
    const good = builtInRules.find((rule) => rule.id === "approved-registries") as CelRule;
    const bad: CelRule = {
      id: "bad",
      description: "d",
      severity: "error",
      on: "container",
      check: "container.image.matches('(?<=x)y')",
      message: "m",
    };
    const first = AdmissionCompileCache.load(root);
    expect(admissionCompileProblem(good, context, { cache: first })).toBeUndefined();
    expect(admissionCompileProblem(bad, context, { cache: first })).toMatch(/for RE2/);
    first.save();
    const second = AdmissionCompileCache.load(root);
    expect(admissionCompileProblem(good, context, { cache: second })).toBeUndefined();
    // Still reported: a failure is compiled (and reported) again on every run.
    expect(admissionCompileProblem(bad, context, { cache: second })).toMatch(/for RE2/);
    const file = fs
      .readdirSync(root, { recursive: true })
      .map(String)
      .find((f) => f.endsWith("admission-compiled.json"))!;
    expect(fs.readFileSync(path.join(root, file), "utf8").split("\n")[1]!).toMatch(/^\["[0-9a-f]{32}"\]$/);
  });
});
