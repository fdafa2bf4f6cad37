/**
 * `sluice synth --watch` (issue 11): the real command, a real file edit, the
 * changed stack and files printed; a broken edit prints its error and the
 * watch goes on.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { exampleStacks, makeProject } from "./helpers/project.js";
import { waitFor, watching } from "./helpers/watch.js";

describe("sluice synth --watch", () => {
  it("synthesizes, then again on each stack change, printing the stack and the files it wrote", async () => {
    const p = makeProject(exampleStacks());
    const { child, output } = watching(p);
    try {
      await waitFor(output, /Watching stacks\/ for changes/);
      expect(output.text).toMatch(/^out\/: \d+ written, 0 deleted in \d+ ms/);

      p.write("stacks/catalog-api.ts", p.read("stacks/catalog-api.ts").replace('CACHE_TTL_SECONDS: "300"', 'CACHE_TTL_SECONDS: "600"'));
      const [changed] = await waitFor(output, /stacks\/catalog-api\.ts changed: out\/: \d+ written, 0 deleted in \d+ ms\n(  ~ .*\n)+/);
      expect(changed).toContain("  ~ out/apps/catalog-api/dev-1/manifest.yaml");
      expect(changed).not.toContain("payments");
      expect(p.read("out/apps/catalog-api/dev-1/manifest.yaml")).toContain('CACHE_TTL_SECONDS: "600"');

      // A broken stack: its error, and the watch goes on.
      const before = output.text.length;
      p.write("stacks/catalog-api.ts", p.read("stacks/catalog-api.ts").replace('team: "storefront"', 'team: "storefrnt"'));
      await waitFor(output, /stacks\/catalog-api\.ts:\d+:\d+: error: .*storefrnt/);
      p.write("stacks/catalog-api.ts", p.read("stacks/catalog-api.ts").replace('team: "storefrnt"', 'team: "storefront"'));
      await waitFor(
        {
          get text() {
            return output.text.slice(before);
          },
        },
        /stacks\/catalog-api\.ts changed: out\/: 0 written/,
      );
    } finally {
      child.kill("SIGINT");
    }
  }, 60_000);

  it("keeps seeing a stack saved by an atomic rename (sed -i, vim, JetBrains safe-write), save after save", async () => {
    const p = makeProject(exampleStacks());
    const { child, output } = watching(p);
    // What such editors do: write the new content beside the file, then rename it over the file.
    const saveByRename = (file: string, from: string, to: string) => {
      p.write(`${file}.tmp~`, p.read(file).replace(from, to));
      fs.renameSync(path.join(p.root, `${file}.tmp~`), path.join(p.root, file));
    };
    try {
      await waitFor(output, /Watching stacks\/ for changes/);
      for (const ttl of ["600", "900", "1200"]) {
        const before = output.text.length;
        const current = /CACHE_TTL_SECONDS: "(\d+)"/.exec(p.read("stacks/catalog-api.ts"))![1]!;
        saveByRename("stacks/catalog-api.ts", `CACHE_TTL_SECONDS: "${current}"`, `CACHE_TTL_SECONDS: "${ttl}"`);
        await waitFor(
          {
            get text() {
              return output.text.slice(before);
            },
          },
          /stacks\/catalog-api\.ts changed: out\/: \d+ written/,
        );
        expect(p.read("out/apps/catalog-api/dev-1/manifest.yaml")).toContain(`CACHE_TTL_SECONDS: "${ttl}"`);
      }
    } finally {
      child.kill("SIGINT");
    }
  }, 90_000);
});
