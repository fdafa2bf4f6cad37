/**
 * On a new checkout `synth --check` and `verify` read out/ ahead, on a
 * worker thread, while the stacks render. What was read ahead counts only
 * while each file's stat is what it was when it was read.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compare } from "../src/env-repo/compare.js";
import { Prefetch } from "../src/env-repo/prefetch.js";
import { StatCache } from "../src/env-repo/stat-cache.js";
import { blobId } from "../src/git/blob-id.js";
import { makeProject } from "./helpers/project.js";

describe("out/ read ahead", () => {
  it("gives each file's blob id, and a file changed after it was read is read again and found stale", async () => {
    const p = makeProject({});
    const files = { "apps/a/c1/manifest.yaml": "kind: A\n", "apps/b/c1/manifest.yaml": "kind: B\n", "clusters/c1/root.yaml": "kind: R\n" };
    for (const [file, text] of Object.entries(files)) p.write(`out/${file}`, text);
    const outDir = path.join(p.root, "out");
    const prefetched = new Prefetch(outDir);
    await prefetched.done;
    for (const [file, text] of Object.entries(files))
      expect(prefetched.blob(file, fs.lstatSync(path.join(outDir, file), { bigint: true }))).toBe(blobId(text));
    // Someone edits a file after it was read ahead: same size, a later mtime.
    await new Promise((resolve) => setTimeout(resolve, 20));
    p.write("out/apps/b/c1/manifest.yaml", "kind: X\n");
    expect(
      prefetched.blob("apps/b/c1/manifest.yaml", fs.lstatSync(path.join(outDir, "apps/b/c1/manifest.yaml"), { bigint: true })),
    ).toBeUndefined();
    const plan = {
      files: Object.entries(files).map(([file, text]) => ({ path: file, blob: blobId(text), sources: [], objects: [] })),
    };
    const drift = await compare(outDir, plan, { stats: StatCache.load(undefined, outDir), prefetched });
    expect(drift).toEqual({ stale: ["apps/b/c1/manifest.yaml"], missing: [], extra: [] });
  });
});
