import fs from "node:fs";
import path from "node:path";
import type { Diagnostic } from "../model/diagnostic.js";

/**
 * Why init could not write `files` (relative paths) into `dir` safely, or
 * nothing when it can. Init writes only what it creates in the project: a
 * file, a directory or the project itself that is a symbolic link would send
 * the write somewhere else (a package.json linked to another project's, a
 * stacks/ linked outside), so every such path is refused, as is one that is
 * a file where a directory must be, or a directory init cannot write in.
 */
export function targetProblems(dir: string, files: readonly string[]): Diagnostic[] {
  const problems = new Map<string, Diagnostic>();
  const add = (at: string, message: string, hint: string) => {
    if (!problems.has(at)) problems.set(at, { code: "init/target", message, hint });
  };
  const shown = (target: string) => path.relative(process.cwd(), target) || ".";
  const link = (target: string) =>
    add(
      target,
      `${shown(target)} is a symbolic link (to ${fs.readlinkSync(target)}): init would write through it, outside the project`,
      "remove the link, or run init in the directory it points to",
    );
  const rootStat = lstat(dir);
  if (rootStat?.isSymbolicLink()) link(dir);
  else if (rootStat && !rootStat.isDirectory())
    add(dir, `${shown(dir)} is a file, not a directory`, "name a directory (a new one is created) for the project");
  else if (!rootStat) {
    const parent = nearestExisting(path.dirname(path.resolve(dir)));
    if (!fs.statSync(parent).isDirectory()) add(parent, `${shown(parent)} is a file, not a directory`, "name a directory for the project");
    else if (!writable(parent))
      add(
        parent,
        `${shown(parent)} is not writable, so the project directory cannot be created there`,
        "choose a directory you can write in",
      );
  }
  if (problems.size > 0) return [...problems.values()];
  for (const file of files) {
    const parts = file.split("/");
    let current = dir;
    for (const [index, part] of parts.entries()) {
      const last = index === parts.length - 1;
      const parentDir = current;
      current = path.join(current, part);
      const stat = lstat(current);
      if (!stat) {
        if (!writable(parentDir))
          add(
            parentDir,
            `${shown(parentDir)} is not writable, so init cannot create ${file} there`,
            "make the directory writable, or run init in another one",
          );
        break;
      }
      if (stat.isSymbolicLink()) link(current);
      else if (!last && !stat.isDirectory())
        add(
          current,
          `${shown(current)} is a file, but init writes ${file} inside it`,
          "move the file away, or run init in another directory",
        );
      else if (last && !stat.isFile())
        add(current, `${shown(current)} is not a regular file, so init cannot write it`, "move it away, or run init in another directory");
      else if (last && !writable(current))
        add(current, `${shown(current)} is not writable`, "make it writable, or run init in another directory");
      else continue;
      break;
    }
  }
  return [...problems.values()];
}

function lstat(file: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(file);
  } catch {
    return undefined;
  }
}

function nearestExisting(dir: string): string {
  return lstat(dir) || path.dirname(dir) === dir ? dir : nearestExisting(path.dirname(dir));
}

/** Whether this process may create entries in (or write) the path: also false for an immutable one, whatever the user. */
function writable(target: string): boolean {
  try {
    fs.accessSync(target, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Manifest = { [key: string]: Json };

/**
 * The project's package.json as an object init can add its scripts and
 * dependency to, or what is wrong with it: init merges into it, so it must
 * be a JSON object whose scripts and dependency maps are objects of strings.
 */
export function readManifest(file: string): { manifest: Manifest } | { problem: Diagnostic } {
  const problem = (message: string) => ({
    problem: {
      code: "init/package-json",
      message: `package.json ${message}`,
      hint: "fix package.json (or remove it to have init write a new one), then run init again",
    },
  });
  let parsed: Json;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8")) as Json;
  } catch (error) {
    return problem(`is not valid JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
    return problem(`must hold a JSON object, not ${describe(parsed)}`);
  for (const key of ["scripts", "dependencies", "devDependencies"]) {
    if (!Object.hasOwn(parsed, key)) continue;
    const value = parsed[key]!;
    if (value === null || typeof value !== "object" || Array.isArray(value))
      return problem(`has "${key}": ${describe(value)}; it must be an object of names to strings`);
    const bad = Object.entries(value).find(([, entry]) => typeof entry !== "string");
    if (bad) return problem(`has "${key}"."${bad[0]}": ${describe(bad[1])}; it must be a string`);
  }
  if (Object.hasOwn(parsed, "type") && typeof parsed.type !== "string")
    return problem(`has "type": ${describe(parsed.type!)}; it must be "module" or "commonjs"`);
  return { manifest: parsed };
}

function describe(value: Json): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `the ${typeof value} ${JSON.stringify(value)}`;
}
