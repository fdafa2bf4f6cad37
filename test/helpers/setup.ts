import { afterAll } from "vitest";
import { removeProjects } from "./project.js";

// Every test file leaves the system temp dir as it found it.
afterAll(removeProjects);
