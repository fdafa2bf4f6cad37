// `npm run docs`: regenerates docs/reference.md from the compiled schemas
// (run `npm run build` first; the npm script does).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { referenceMarkdown } = await import(path.join(root, "dist/src/docs/reference.js"));
fs.mkdirSync(path.join(root, "docs"), { recursive: true });
fs.writeFileSync(path.join(root, "docs/reference.md"), referenceMarkdown());
console.log("wrote docs/reference.md");
