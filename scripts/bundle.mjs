// Part of `npm run build`: bundles the compiled modules of dist/ into a few
// files under dist/bundle/, which the `sluice` command and the package's
// exports load. Node's ES module loader resolves, reads and links each module
// on its own: the 245 modules a synth loads took about 0.3 s of every run's
// start; the bundle, split where the code imports on demand (a command's
// modules, an engine's renderer), loads in a fraction of that.
//
// - Every entry and chunk is written to the one directory dist/bundle/, and
//   each module's `import.meta.url` is rewritten to its own compiled file's
//   URL (`new URL("../src/k8s/schemas.js", import.meta.url)`), so that the
//   data it finds beside itself (schemas, validators) is found as before.
// - Packages stay in node_modules (external), but for zod: a stack or a
//   platform's own blueprint shares them with sluice, as before.
// - SLUICE_BUNDLE is defined (src/bundled.ts): the entries stacks import are
//   the bundle's, so that stacks get the very module graph the command runs.
import path from "node:path";
import { fileURLToPath } from "node:url";
import fs from "node:fs";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dist = path.join(root, "dist");
const outdir = path.join(dist, "bundle");

/** Each compiled module's import.meta.url, as the URL of its own file, relative to the bundle's directory. */
const ownUrl = {
  name: "own-import-meta-url",
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, (args) => {
      const contents = fs.readFileSync(args.path, "utf8");
      if (!contents.includes("import.meta.url")) return { contents, loader: "js" };
      const relative = path.relative(outdir, args.path).split(path.sep).join("/");
      return {
        contents: contents.replaceAll("import.meta.url", `new URL(${JSON.stringify(relative)}, import.meta.url).href`),
        loader: "js",
      };
    });
  },
};

// Every dependency but zod, which only sluice's code uses (never a stack, never an object it is
// handed): its 94 modules are most of what would be left for Node to load one by one.
const { dependencies } = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
const EXTERNAL = Object.keys(dependencies)
  .filter((name) => name !== "zod")
  .flatMap((name) => [name, `${name}/*`]);

fs.rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: {
    cli: path.join(dist, "src/cli/main.js"),
    index: path.join(dist, "src/index.js"),
    sdk: path.join(dist, "src/sdk.js"),
    testing: path.join(dist, "src/testing.js"),
    "k8s-types": path.join(dist, "src/k8s/types.js"),
    blueprints: path.join(dist, "lib/blueprints/index.js"),
    "render-worker": path.join(dist, "src/render-worker.js"),
  },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: EXTERNAL,
  chunkNames: "chunk-[hash]",
  define: { SLUICE_BUNDLE: "true" },
  plugins: [ownUrl],
  logLevel: "warning",
  legalComments: "none",
});
