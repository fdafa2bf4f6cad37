import fs from "node:fs";
import path from "node:path";

/**
 * Where sluice keeps its local caches: `<root>/node_modules/.cache/sluice`,
 * the place build tools share by convention. Outside the committed tree, and
 * never needed: deleting it only makes the next run slower.
 */
export function cacheDir(root: string): string {
  const dir = path.join(root, "node_modules", ".cache", "sluice");
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}
