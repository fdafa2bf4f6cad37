import fs from "node:fs";
import path from "node:path";

/**
 * Finds the stack files below `stacksDir`: every `.ts` file except
 * declarations and tests. Returned relative to `root`, with forward slashes,
 * sorted, so that nothing downstream depends on the order the filesystem
 * lists them in.
 */
export function discoverStacks(root: string, stacksDir: string): string[] {
  const absolute = path.resolve(root, stacksDir);
  if (!fs.existsSync(absolute)) return [];
  const entries = fs.readdirSync(absolute, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && isStackFile(entry.name))
    .map((entry) => relativeTo(root, path.join(entry.parentPath, entry.name)))
    .filter((file) => !file.split("/").includes("node_modules"))
    .sort();
}

function isStackFile(name: string): boolean {
  return (
    (name.endsWith(".ts") || name.endsWith(".mts")) &&
    !name.endsWith(".d.ts") &&
    !name.endsWith(".d.mts") &&
    !/\.(test|spec)\.m?ts$/.test(name)
  );
}

export function toPosix(file: string): string {
  return file.split(path.sep).join("/");
}

/** An absolute path as sluice shows it: relative to the project root, with forward slashes. */
export function relativeTo(root: string, absolute: string): string {
  return toPosix(path.relative(root, absolute));
}
