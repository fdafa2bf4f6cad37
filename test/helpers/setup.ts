import { afterAll, afterEach, expect } from "vitest";
import { removeProjects, writesOutsideProjects } from "./project.js";

// No test's command may write, delete or create anything beside its project.
afterEach(() => {
  expect(writesOutsideProjects(), "a command wrote outside its project").toEqual([]);
});

// Every test file leaves the system temp dir as it found it.
afterAll(removeProjects);
