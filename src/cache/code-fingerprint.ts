import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

let fingerprint: string | undefined;

/**
 * A hash of sluice's own code (src/ and lib/, or their compiled dist/) and
 * version. Every cache entry is keyed by it, so that a new sluice, a patched
 * blueprint or a developer's edit to the renderer never reuses output the old
 * code rendered.
 */
export function codeFingerprint(): string {
  if (fingerprint) return fingerprint;
  // This file is <code root>/src/cache/code-fingerprint.{ts,js}.
  const codeRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
  const hash = createHash("sha256");
  for (const dir of ["src", "lib"]) {
    for (const file of codeFiles(path.join(codeRoot, dir))) {
      hash
        .update(`${path.relative(codeRoot, file)}\0`)
        .update(fs.readFileSync(file))
        .update("\0");
    }
  }
  fingerprint = hash.digest("hex").slice(0, 32);
  return fingerprint;
}

function codeFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(ts|js|mjs|json)$/.test(entry.name) && !entry.name.endsWith(".d.ts"))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}
