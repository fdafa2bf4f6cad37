// The layer check (`npm run lint:deps`, run by .ci/run): the import rules of
// "Pipeline and layers" in DESIGN.md, for src/ and lib/. Patterns are paths
// from the repository root; folders are matched whole (src/pipeline/ and
// anything below it), so moving files inside a folder needs no change here.
//
// TypeScript 7 has no JavaScript API, so the sources are parsed with swc.
// swc does not tell `import type` from `import`: every rule below counts
// type imports too.

/** Files whose types refer to each other: a platform holds its rules and
 *  blueprints (model.ts → rule.ts, rendered.ts), and a rule or a blueprint
 *  reads apps and clusters (rule.ts, rendered.ts → model.ts, resolved.ts).
 *  The imports among them are `import type`, gone at run time, so a circle
 *  of these four alone is allowed; a circle through any other file is not. */
const MODEL_TYPES = "^src/model/(model|rule|resolved|rendered)[.]ts$";

/** What the model knows of the GitOps engines, without their renderers: each
 *  engine folder's declaration.ts (name, settings schema, namespace), the
 *  registry that lists them and the declaration's type. The model builds
 *  the platform schema's `engine` choices and settings keys and its types
 *  from them, so they sit below the model although they live in
 *  src/engines/: they import only zod and the model's leaves, and reach
 *  their renderer only by the dynamic import of `load`, which the engines'
 *  entry (src/engines/index.ts) awaits (dynamic imports are no edges here,
 *  see `exclude` below). */
const ENGINE_DECLARATIONS = "^src/engines/(registry|declaration|[^/]+/declaration)[.]ts$";

/** The layers above the model and k8s: the engines, the stages, the caches,
 *  the API and the CLI. */
const ABOVE_MODEL = "^src/(engines|pipeline|cache|cli|diff|promote|publish|init|ci|docs)/|^src/(synth|index|sdk|testing)[.]ts$";

/** What the SDK (src/sdk.ts and the DSL in src/dsl/) must not load: the
 *  engine, the stages, the API and the CLI, and esbuild, which loading
 *  stacks needs. */
const NOT_IN_SDK = "^src/(engines|pipeline|cache|cli|diff|promote|publish|init|ci|docs)/|^src/(synth|index|testing)[.]ts$|node_modules/esbuild/";

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "No import circles: a circle loads every file in it whenever one of them is loaded, and hides which layer depends on which.",
      severity: "error",
      from: { pathNot: MODEL_TYPES },
      to: { circular: true },
    },
    {
      name: "lib-builds-on-the-sdk",
      comment: "lib/ (the built-in blueprint, rules and secret providers) imports only the SDK and the layers below it, as a team's own blueprint would; never src/index.ts, whose API loads lib/.",
      severity: "error",
      from: { path: "^lib/" },
      to: { path: "^src/", pathNot: "^src/(sdk[.]ts|errors[.]ts)$|^src/(dsl|model|k8s)/" },
    },
    {
      name: "model-and-k8s-stay-below",
      comment: "The model and the Kubernetes layer import neither the engines, the stages, the caches, the API nor the CLI: loading a schema must not load a renderer.",
      severity: "error",
      from: { path: "^src/(model|k8s)/" },
      to: { path: ABOVE_MODEL, pathNot: ENGINE_DECLARATIONS },
    },
    {
      name: "engine-declarations-stay-below",
      comment: "An engine's declaration, its type and the registry load nothing above the model (no renderer, no stage): the model imports them.",
      severity: "error",
      from: { path: ENGINE_DECLARATIONS },
      to: { path: ABOVE_MODEL, pathNot: ENGINE_DECLARATIONS },
    },
    {
      name: "sdk-stays-light",
      comment: "The SDK (what `sluice/sdk` loads) reaches no engine renderer (only the declarations), stage, API, CLI or esbuild, directly or through other files.",
      severity: "error",
      from: { path: "^src/sdk[.]ts$|^src/dsl/" },
      to: { path: NOT_IN_SDK, pathNot: ENGINE_DECLARATIONS, reachable: true },
    },
    {
      name: "stages-through-their-entry",
      comment: "A stage folder (src/pipeline/load/, validate/, …) is entered through its index.ts only: another stage, the orchestrator and the API never reach into its files.",
      severity: "error",
      from: { path: "^src/pipeline/([^/]+)/" },
      to: { path: "^src/pipeline/[^/]+/", pathNot: ["^src/pipeline/$1/", "^src/pipeline/[^/]+/index[.]ts$"] },
    },
    {
      name: "stages-through-their-entry-from-outside",
      comment: "The same for everything outside src/pipeline/ (plan-files.ts, synth, promote, publish, policy, the CLI).",
      severity: "error",
      from: { pathNot: "^src/pipeline/[^/]+/" },
      to: { path: "^src/pipeline/[^/]+/", pathNot: "^src/pipeline/[^/]+/index[.]ts$" },
    },
    {
      name: "cli-is-the-top",
      comment: "Only the CLI imports the CLI: the API it calls knows nothing of flags, exit codes or output.",
      severity: "error",
      from: { pathNot: "^src/cli/" },
      to: { path: "^src/cli/" },
    },
  ],
  options: {
    parser: "swc",
    tsPreCompilationDeps: true,
    doNotFollow: { path: "node_modules" },
    // The rules are about what loading a module loads. A dynamic import loads on
    // demand — an engine's renderer behind its declaration's `load`, diff behind
    // synth, simple-git, tsx — so it is no edge here: the declarations' `load`
    // would otherwise put every renderer below the model and in the SDK.
    exclude: { path: "node_modules", dynamic: true },
  },
};
