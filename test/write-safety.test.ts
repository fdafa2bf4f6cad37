import { describe, expect, it } from "vitest";
import { synth } from "sluice";
import { exampleStacks, makeProject } from "./helpers/project.js";

describe("synth in a fresh project", () => {
  it("writes out/ from the stacks", async () => {
    const project = makeProject(exampleStacks());
    const result = await synth({ root: project.root });
    expect(result.write!.written.length).toBeGreaterThan(100);
    expect(project.exists("out/.sluice/lock.json")).toBe(true);
  });
});
