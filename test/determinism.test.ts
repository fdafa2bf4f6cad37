import { describe, expect, it } from "vitest";
import { plan, type FilePlan } from "sluice";
import { discoverStacks } from "../src/pipeline/load/discover.js";
import { exampleStacks, makeProject } from "./helpers/project.js";

const bytes = (filePlan: FilePlan) => Object.fromEntries(filePlan.files.map((f) => [f.path, f.content]));

describe("determinism", () => {
  it("gives identical bytes for two synths of the same stacks", async () => {
    const project = makeProject(exampleStacks());
    const first = await plan({ root: project.root });
    const second = await plan({ root: project.root, skipTypecheck: true });
    expect(bytes(second.plan)).toEqual(bytes(first.plan));
  });

  it("does not depend on the order stack files are found in", async () => {
    const project = makeProject(exampleStacks());
    const files = discoverStacks(project.root, "stacks");
    const reference = bytes((await plan({ root: project.root, skipTypecheck: true, stackFiles: files })).plan);
    // Reversed (release files before the apps they release), and odd positions before even ones.
    const shuffled = [...files.filter((_, i) => i % 2 === 1), ...files.filter((_, i) => i % 2 === 0)];
    for (const order of [[...files].reverse(), shuffled]) {
      expect(new Set(order)).toEqual(new Set(files));
      expect(bytes((await plan({ root: project.root, skipTypecheck: true, stackFiles: order })).plan)).toEqual(reference);
    }
  });

  it("does not depend on where the project lives (no absolute paths leak)", async () => {
    const a = makeProject(exampleStacks());
    const b = makeProject(exampleStacks());
    expect(a.root).not.toBe(b.root);
    const planA = bytes((await plan({ root: a.root, skipTypecheck: true })).plan);
    expect(bytes((await plan({ root: b.root, skipTypecheck: true })).plan)).toEqual(planA);
    for (const [file, content] of Object.entries(planA)) {
      expect(content.includes(a.root), file).toBe(false);
    }
  });

  it("does not depend on the order environments, clusters and teams are declared in", async () => {
    const stacks = exampleStacks();
    const project = makeProject(stacks);
    const reference = bytes((await plan({ root: project.root, skipTypecheck: true })).plan);

    // Swap two clusters and the two teams in the platform: only waves are ordered.
    const platform = stacks["stacks/platform.ts"]!;
    const swapped = platform
      .replace(/(    "dev-1": \{[^\n]*\n)(    "staging-1": \{[^\n]*\n)/, "$2$1")
      .replace(/(    payments: \{[^\n]*\n)(    storefront: \{[^\n]*\n)/, "$2$1");
    expect(swapped).not.toBe(platform);
    project.write("stacks/platform.ts", swapped);
    expect(bytes((await plan({ root: project.root, skipTypecheck: true })).plan)).toEqual(reference);
  });
});
