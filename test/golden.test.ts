import { describe, expect, it } from "vitest";
import { plan } from "sluice";
import { REPO, readTree } from "./helpers/project.js";
import path from "node:path";

describe("golden: the example stacks", () => {
  it("compile to exactly the committed out/, byte for byte", async () => {
    const { plan: filePlan } = await plan({ root: REPO });
    const committed = readTree(path.join(REPO, "out"));
    const planned = Object.fromEntries(filePlan.files.map((f) => [f.path, f.content]));
    expect(Object.keys(planned)).toEqual(Object.keys(committed));
    for (const [file, content] of Object.entries(planned)) {
      expect(content, `out/${file} differs: run \`npm run synth\` and commit out/`).toBe(committed[file]);
    }
  });
});
