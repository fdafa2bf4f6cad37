// `npm run build`: compiles src/ and lib/ into dist/ with TypeScript's native
// compiler (type-checking them on the way), keeping the folder structure, so
// that the `sluice` command runs plain JavaScript, then bundles that into
// dist/bundle/ (scripts/bundle.mjs), which the command and the package load. dist/ is replaced whole, so
// a file deleted from src/ does not linger there. The schemas
// (src/k8s/crd-schemas/*.json, src/k8s/openapi/*.json) are copied beside the compiled code, and
// their validators compiled ahead (scripts/compile-schemas.mjs).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const tsPackage = createRequire(import.meta.url).resolve("typescript/package.json");
const tsc = path.join(path.dirname(tsPackage), JSON.parse(fs.readFileSync(tsPackage, "utf8")).bin.tsc);
fs.rmSync(path.join(root, "dist"), { recursive: true, force: true });
const run = spawnSync(process.execPath, [tsc, "-p", path.join(root, "tsconfig.build.json")], { cwd: root, stdio: "inherit" });
// Data the code reads at run time, next to it (tsc copies no JSON it does not import).
if (run.status !== 0) process.exit(run.status ?? 1);
for (const data of ["crd-schemas", "openapi"])
  fs.cpSync(path.join(root, "src/k8s", data), path.join(root, "dist/src/k8s", data), { recursive: true });
const bundled = spawnSync(process.execPath, [path.join(root, "scripts/bundle.mjs")], { cwd: root, stdio: "inherit" });
if (bundled.status !== 0) process.exit(bundled.status ?? 1);
const compiled = spawnSync(process.execPath, [path.join(root, "scripts/compile-schemas.mjs")], { cwd: root, stdio: "inherit" });
if (compiled.status !== 0) process.exit(compiled.status ?? 1);
// The built-in rules' admission forms, compiled once here by the second CEL
// implementation (src/policy/compile-built-ins.ts), so that a run does not
// load it for them; a built-in rule the API server would not compile fails the build.
const { compileBuiltIns } = await import(new URL("../dist/src/policy/compile-built-ins.js", import.meta.url).href);
const { builtInRules } = await import(new URL("../dist/lib/rules/index.js", import.meta.url).href);
try {
  fs.writeFileSync(path.join(root, "dist/src/policy/built-in-compiled.json"), `${JSON.stringify(compileBuiltIns(builtInRules))}\n`);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
// The hash of the compiled code, which every cache entry is keyed by, recorded
// once here rather than computed on every run (src/cache/code-fingerprint.ts).
const { writeBuildRecord } = await import(new URL("../dist/src/cache/code-fingerprint.js", import.meta.url).href);
writeBuildRecord(path.join(root, "dist"));
