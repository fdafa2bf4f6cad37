// Part of `npm run build`: compiles the strict schema of every kind sluice
// has (src/k8s/openapi/, src/k8s/crd-schemas/) into standalone validators,
// one CommonJS module per schema file under dist/src/k8s/validators/, so that
// a run loads the few it needs instead of compiling them (a Deployment's
// schema takes longer to compile than a one-app synth takes in all).
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const Ajv = require("ajv").default;
const standaloneCode = require("ajv/dist/standalone").default;
const { AJV_OPTIONS, schemaFiles } = await import(pathToFileURL(path.join(root, "dist/src/k8s/schemas.js")).href);

const outDir = path.join(root, "dist/src/k8s/validators");
fs.mkdirSync(outDir, { recursive: true });
for (const [file, kinds] of schemaFiles()) {
  const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true } });
  const uri = `sluice:${file}.json`;
  ajv.addSchema(JSON.parse(fs.readFileSync(path.join(root, "src/k8s", `${file}.json`), "utf8")), uri);
  const refs = Object.fromEntries(kinds.map(({ kind, definition }) => [kind, definition ? `${uri}#/definitions/${definition}` : uri]));
  fs.writeFileSync(path.join(outDir, `${file.replace("/", "--")}.cjs`), standaloneCode(ajv, refs));
}
