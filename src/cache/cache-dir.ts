import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/**
 * Where sluice keeps its local caches: `<root>/node_modules/.cache/sluice`,
 * the place build tools share by convention. Outside the committed tree, and
 * never needed: deleting it only makes the next run slower.
 *
 * When node_modules is not the project's own (a symlink to another checkout's,
 * as a second git worktree or a monorepo may have), each project gets a
 * directory of its own inside it: two checkouts must never read each other's
 * load cache or type-check configuration.
 */
export function cacheDir(root: string): string {
  const modules = path.join(root, "node_modules");
  let dir = path.join(modules, ".cache", "sluice");
  try {
    const own = path.join(fs.realpathSync(root), "node_modules");
    if (fs.realpathSync(modules) !== own) dir = path.join(dir, createHash("sha256").update(own).digest("hex").slice(0, 16));
  } catch {
    // No node_modules yet: it is made below, the project's own.
  }
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}
