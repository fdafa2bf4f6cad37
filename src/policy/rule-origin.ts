import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Origin } from "../model/origin.js";

// This file runs as src/policy/*.ts (tests) or dist/src/policy/*.js: the rule
// sources are lib/rules/*.ts in the repository, lib/rules/*.js beside it in dist/.
const HERE = path.dirname(fileURLToPath(import.meta.url));
const CANDIDATES = [path.resolve(HERE, "../../../lib/rules"), path.resolve(HERE, "../../lib/rules")];

/**
 * Where a built-in rule is defined: "lib/rules/<file>:<line>" of its `id`, so
 * that a problem with a built-in rule names the line of sluice to fix (and
 * report). Falls back to the folder when the sources are not there.
 */
export function builtInRuleOrigin(id: string): Origin {
  const needle = `id: ${JSON.stringify(id)}`;
  for (const dir of CANDIDATES) {
    let files: string[];
    try {
      files = fs
        .readdirSync(dir)
        .filter((file) => /\.(ts|js)$/.test(file) && !file.endsWith(".d.ts"))
        .sort((a, b) => Number(b.endsWith(".ts")) - Number(a.endsWith(".ts")) || (a < b ? -1 : 1));
    } catch {
      continue;
    }
    for (const file of files) {
      const lines = fs.readFileSync(path.join(dir, file), "utf8").split("\n");
      const index = lines.findIndex((line) => line.includes(needle));
      if (index >= 0) return { file: `lib/rules/${file}`, line: index + 1, column: lines[index]!.indexOf("id:") + 1 };
    }
  }
  return { file: "lib/rules", line: 1, column: 1 };
}
