import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { referenceMarkdown } from "../src/docs/reference.js";
import { REPO } from "./helpers/project.js";

describe("docs/reference.md", () => {
  it("is what the schemas and their descriptions generate (npm run docs), so it cannot drift", () => {
    const generated = referenceMarkdown();
    expect(generated, "docs/reference.md is stale: run `npm run docs` and commit it").toBe(
      fs.readFileSync(path.join(REPO, "docs/reference.md"), "utf8"),
    );
  });

  it("lists every field of every stack object, each with a description", () => {
    const generated = referenceMarkdown();
    for (const field of [
      "envRepo",
      "components",
      "releases",
      "policy",
      "podSecurity",
      "quota",
      "clusterResources",
      "waivers",
      "callers",
      "dependsOn",
      "secretFiles",
      "initialDelaySeconds",
    ]) {
      expect(generated).toContain(`| \`${field}\``);
    }
    expect(generated).not.toMatch(/\| {2}\|\n/);
  });
});
