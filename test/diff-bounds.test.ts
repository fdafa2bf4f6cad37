import { describe, expect, it } from "vitest";
import { textPatch } from "../src/diff/changes.js";

/** A manifest of `count` lines, the first `changed` of them with another value. */
function manifest(count: number, changed: number, value: string): string {
  return Array.from({ length: count }, (_, i) => `  VAR_${i}: "${i < changed ? value : "same"}"\n`).join("");
}

describe("the YAML patch bound", () => {
  it("counts lines removed and added, and says so: 999 changed lines are 1,998 of them, 1,001 are 2,002", () => {
    const near = textPatch(manifest(1_200, 999, "a"), manifest(1_200, 999, "b"));
    expect(near.patchSkipped).toBeUndefined();
    expect(near.patch.split("\n").filter((line) => line.startsWith("+  VAR_"))).toHaveLength(999);

    const past = textPatch(manifest(1_200, 1_001, "a"), manifest(1_200, 1_001, "b"));
    expect(past.patch).toBe("");
    expect(past.patchSkipped).toBe("more than 2,000 lines removed and added");
  });
});
