import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The sluice package's own directory, found from this file whether it runs as
 * TypeScript (src/package-root.ts) or compiled (dist/src/package-root.js).
 */
export const PACKAGE_ROOT = ((): string => {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, "utf8")) as { name?: string }).name === "sluice") return dir;
    if (dir === path.dirname(dir)) throw new Error("sluice cannot find its own package.json");
  }
})();

export const VERSION = (JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string }).version;
