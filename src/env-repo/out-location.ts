import fs from "node:fs";
import path from "node:path";
import { SluiceError } from "../errors.js";

/**
 * Refuses an out directory sluice could not own: synth deletes in it what its
 * lock lists and refuses everything else, so it must be a directory of its
 * own — never the project root, a directory above it, the stacks or a
 * directory above them, git's directory, or, inside the project or beside
 * it, a path that goes through a symlink (a committed link would lead the
 * writes elsewhere). Elsewhere on the machine, only the directory itself
 * must not be a link.
 */
export function checkOutLocation(root: string, stacksDir: string, given: string): void {
  const outDir = path.resolve(root, given);
  const refuse = (what: string, hint: string) => {
    throw new SluiceError(`--out ${given} ${what}; nothing was written.`, [
      { code: "write/out-location", message: `the env repo directory --out ${given} (${outDir}) ${what}`, hint },
    ]);
  };
  const elsewhere = "point --out at a directory of its own inside the project (default: out) or beside it";
  if (outDir === root) refuse("is the project root", elsewhere);
  if (within(outDir, root)) refuse(`holds the project root${outDir === path.parse(outDir).root ? ` (it is ${outDir})` : ""}`, elsewhere);
  if (outDir === stacksDir || within(outDir, stacksDir)) refuse("holds the stacks", elsewhere);
  if (within(stacksDir, outDir)) refuse("is inside the stacks", elsewhere);
  const base = within(root, outDir) ? root : path.dirname(root);
  if (!within(base, outDir)) {
    // Elsewhere on the machine (a clone of the env repo, say): the path the person typed, which
    // nothing in the project can redirect; only the directory itself must not be a link.
    if (fs.lstatSync(outDir, { throwIfNoEntry: false })?.isSymbolicLink())
      refuse("is a symlink, and sluice never writes through one", "point --out at a real directory");
    if (outDir.split(path.sep).includes(".git")) refuse("is inside a .git directory", elsewhere);
    return;
  }
  const segments = path.relative(base, outDir).split(path.sep);
  if (segments.includes(".git")) refuse("is inside a .git directory", elsewhere);
  let current = base;
  for (const segment of segments) {
    current = path.join(current, segment);
    const stat = fs.lstatSync(current, { throwIfNoEntry: false });
    if (!stat) return;
    const shown = path.relative(root, current);
    if (stat.isSymbolicLink())
      refuse(
        `is reached through a symlink (${shown} is a symlink, and sluice never writes through one)`,
        "point --out at a real directory, or replace the symlink with a directory",
      );
    // out/ itself as a file: listOut says so.
    if (!stat.isDirectory() && current !== outDir) refuse(`is reached through ${shown}, which is not a directory`, elsewhere);
  }
}

/** True when `candidate` is strictly below `dir`. */
function within(dir: string, candidate: string): boolean {
  const relative = path.relative(dir, candidate);
  return relative !== "" && relative !== ".." && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}
