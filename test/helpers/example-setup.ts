import type { TestProject } from "vitest/node";
import { synth } from "../../src/index.js";
import { exampleStacks, makeProject, removeProjects } from "./project.js";

/**
 * Global setup: synthesizes the example project once per test run, for
 * synthesizedExample() (example-fixture.ts) to hand out copies of.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const example = makeProject(exampleStacks());
  await synth({ root: example.root });
  project.provide("exampleProject", example.root);
  return removeProjects;
}
