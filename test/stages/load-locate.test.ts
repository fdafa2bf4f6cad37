import { describe, expect, it } from "vitest";
import { pinpoint } from "sluice";
import { discoverStacks } from "../../src/pipeline/load/discover.js";
import { startLoad, type LoadOptions } from "../../src/pipeline/load/load.js";
import { makeProject } from "../helpers/project.js";

const PLATFORM = `import { definePlatform } from "sluice";

export const platform = definePlatform({
  envRepo: { url: "https://git.example.com/env.git" },
  engine: "argocd",
  owners: ["@acme/platform"],
  environments: { dev: {} },
  clusters: { "dev-1": { environment: "dev", server: "https://dev-1.example.com" } },
  waves: [{ name: "dev", clusters: ["dev-1"] }],
  teams: { shop: { owners: ["@acme/shop"], namespaces: ["shop"] } },
});
`;

/** Loads the stacks as synth does: the import and, unless skipped, the type-check it waits for. */
async function load(root: string, files: readonly string[], options: LoadOptions = {}) {
  const started = await startLoad(root, files, options);
  await started.typechecked;
  return started.loaded;
}

const WEB = `import type { ConfigMap } from "kubernetes-types/core/v1";
import { platform } from "./platform";

const extra = {
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "extra" },
} satisfies ConfigMap;

export default platform.app("web", {
  team: "shop",
  image: "registry.example.com/web",
  release: { dev: "1.0.0" },
  environments: {
    dev: {
      replicas: 2,
    },
  },
  objects: [extra],
});

// Declared but not exported: it still counts.
platform.app("worker", { team: "shop", image: "registry.example.com/worker", release: { dev: "1.0.0" } });
`;

describe("discover", () => {
  it("finds .ts stacks recursively, sorted, skipping declarations and tests", () => {
    const project = makeProject({
      "stacks/b.ts": "",
      "stacks/a/c.ts": "",
      "stacks/types.d.ts": "",
      "stacks/b.test.ts": "",
      "stacks/notes.md": "",
    });
    expect(discoverStacks(project.root, "stacks")).toEqual(["stacks/a/c.ts", "stacks/b.ts"]);
  });
});

describe("load", () => {
  it("imports the stacks and records where each app was declared, exported or not", async () => {
    const project = makeProject({ "stacks/platform.ts": PLATFORM, "stacks/web.ts": WEB });
    const loaded = await load(project.root, discoverStacks(project.root, "stacks"));
    expect(loaded.platform.origin).toMatchObject({ file: "stacks/platform.ts", line: 3 });
    expect(loaded.apps.map((a) => [a.name, a.origin.file, a.origin.line])).toEqual([
      ["web", "stacks/web.ts", 10],
      ["worker", "stacks/web.ts", 23],
    ]);
  });

  it("sees a stack's new content when loaded again in the same process", async () => {
    const project = makeProject({ "stacks/platform.ts": PLATFORM, "stacks/web.ts": WEB });
    const files = discoverStacks(project.root, "stacks");
    await load(project.root, files, { skipTypecheck: true });
    project.write("stacks/web.ts", WEB.replace('release: { dev: "1.0.0" },\n  environments', 'release: { dev: "2.0.0" },\n  environments'));
    const again = await load(project.root, files, { skipTypecheck: true });
    expect((again.apps[0]!.spec as { release: unknown }).release).toEqual({ dev: "2.0.0" });
  });
});

describe("pinpoint", () => {
  it("moves an origin from the app call to the line of the property its path names", () => {
    const project = makeProject({ "stacks/platform.ts": PLATFORM, "stacks/web.ts": WEB });
    const call = { file: "stacks/web.ts", line: 10, column: 25 };
    const at = (...path: (string | number)[]) => pinpoint(project.root, { ...call, path }).line;
    expect(at("environments", "dev", "replicas")).toBe(16);
    expect(at("release", "dev")).toBe(13);
    // Through a const declared in the same file, and through `satisfies`.
    expect(at("objects", 0, "metadata", "name")).toBe(7);
    // A path that goes deeper than the source stops at the deepest node found.
    expect(at("environments", "dev", "env", "X")).toBe(15);
    expect(pinpoint(project.root, call)).toEqual(call);
    // The platform call too.
    expect(pinpoint(project.root, { file: "stacks/platform.ts", line: 3, column: 25, path: ["waves", 0, "clusters", 0] }).line).toBe(9);
  });
});
