import { exampleStacks } from "./project.js";

const EXAMPLE_FREEZE = /\n *\/\/ No release enters production over the weekend[^\n]*\n(?: *\/\/[^\n]*\n)* *freeze: \[\n[\s\S]*?\n {6}\],/;

/**
 * The example stacks without the example's freeze window (production takes
 * no release from Friday evening to Monday morning), for tests of promotion
 * that are not about freezes. Their soak is measured against commits git
 * makes at the real time, so they cannot move the clock out of the window:
 * run on a weekend, they would be refused for the freeze instead of testing
 * what they test. test/freeze-windows.test.ts tests the freeze, at times it
 * chooses.
 */
export function unfrozenExampleStacks(): Record<string, string> {
  const stacks = exampleStacks();
  const platform = stacks["stacks/platform.ts"]!;
  const thawed = platform.replace(EXAMPLE_FREEZE, "");
  if (thawed === platform)
    throw new Error("test/helpers/unfrozen.ts: the example platform's freeze window is not where this helper looks for it");
  return { ...stacks, "stacks/platform.ts": thawed };
}
