import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The sluice repository this test runs in. */
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The `sluice` command exactly as npm installs it: the package's bin, running the compiled dist/ (`npm test` builds it first). */
export const CLI = path.join(
  REPO,
  (JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as { bin: { sluice: string } }).bin.sluice,
);

export interface Project {
  /** Absolute path of the project root (a fresh temp dir). */
  readonly root: string;
  write(file: string, content: string): void;
  read(file: string): string;
  exists(file: string): boolean;
  remove(file: string): void;
  /** Every file below `dir` (default out/), relative to it, with its content. */
  tree(dir?: string): Record<string, string>;
  /**
   * A directory beside the project, holding one file: no command may write,
   * delete or create anything outside the project, and the tests check that
   * this directory and the project's parent are as they were (see setup.ts).
   */
  readonly sentinel: string;
}

/**
 * A user's project in a temp dir, with `sluice` (and the packages stacks may
 * import types from) resolvable from node_modules, exactly as after
 * `npm install sluice`. Removed when the test file's process exits.
 */
export function makeProject(files: Record<string, string> = {}): Project {
  const container = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), "sluice-test-"));
  cleanupLater(container);
  const root = path.join(container, "project");
  const sentinel = path.join(container, "sentinel");
  fs.mkdirSync(root);
  fs.mkdirSync(sentinel);
  fs.writeFileSync(path.join(sentinel, SENTINEL_FILE), SENTINEL_TEXT);
  made.push(container);
  const modules = path.join(root, "node_modules");
  fs.mkdirSync(modules);
  fs.symlinkSync(REPO, path.join(modules, "sluice"), "dir");
  for (const dep of ["kubernetes-types", "@types"]) {
    fs.symlinkSync(path.join(REPO, "node_modules", dep), path.join(modules, dep), "dir");
  }
  fs.writeFileSync(path.join(root, "package.json"), JSON.stringify({ name: "fixture", private: true, type: "module" }));
  const project: Project = {
    root,
    write(file, content) {
      const target = path.join(root, file);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, content);
    },
    read: (file) => fs.readFileSync(path.join(root, file), "utf8"),
    exists: (file) => fs.existsSync(path.join(root, file)),
    remove: (file) => fs.rmSync(path.join(root, file), { recursive: true, force: true }),
    tree: (dir = "out") => readTree(path.join(root, dir)),
    sentinel,
  };
  for (const [file, content] of Object.entries(files)) project.write(file, content);
  return project;
}

/**
 * A new project holding copies of `dirs` of another (those that exist),
 * symlinks copied as links. By default what synth reads and writes: the
 * stacks, out/ and the CODEOWNERS file at the project root.
 */
export function copyProject(from: Project, dirs: readonly string[] = ["stacks", "out", "CODEOWNERS"]): Project {
  const to = makeProject();
  for (const dir of dirs) {
    const source = path.join(from.root, dir);
    if (fs.existsSync(source)) fs.cpSync(source, path.join(to.root, dir), { recursive: true, verbatimSymlinks: true });
  }
  return to;
}

/** The example stacks of this repository (with the release files below stacks/releases/), as files for makeProject. */
export function exampleStacks(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(readTree(path.join(REPO, "stacks")))
      .filter(([file]) => file.endsWith(".ts"))
      .map(([file, content]) => [`stacks/${file}`, content]),
  );
}

/** Every file below `dir`, relative and with forward slashes, with its content. */
export function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    out[path.relative(dir, full).split(path.sep).join("/")] = fs.readFileSync(full, "utf8");
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

const roots: string[] = [];
let removedOnExit = false;
function cleanupLater(root: string): void {
  // Once per process: test files share a worker process (and this module).
  if (!removedOnExit) process.on("exit", removeProjects);
  removedOnExit = true;
  roots.push(root);
}

/**
 * Removes every project made so far. Test files call it after their last test
 * (see setup.ts): a worker of the test runner can be stopped without an
 * "exit" event, which would leave the directories in the system temp dir.
 */
export function removeProjects(): void {
  for (const dir of roots.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

const SENTINEL_FILE = "victim.txt";
const SENTINEL_TEXT = "nothing may touch this file\n";
/** The containers of the projects made since the last check. */
const made: string[] = [];

/**
 * What was written outside the projects made since the last call: each
 * project's parent must hold just the project and its sentinel, and the
 * sentinel just its file, unchanged. Empty when nothing was.
 */
export function writesOutsideProjects(): string[] {
  const problems: string[] = [];
  for (const container of made.splice(0)) {
    if (!fs.existsSync(container)) continue;
    const entries = fs.readdirSync(container).sort();
    if (entries.join(",") !== "project,sentinel") problems.push(`${container} holds ${entries.join(", ")}`);
    const sentinel = path.join(container, "sentinel");
    const inside = fs.existsSync(sentinel) ? fs.readdirSync(sentinel) : [];
    if (inside.join(",") !== SENTINEL_FILE) problems.push(`${sentinel} holds ${inside.join(", ") || "nothing"}`);
    else if (
      fs.lstatSync(path.join(sentinel, SENTINEL_FILE)).isSymbolicLink() ||
      fs.readFileSync(path.join(sentinel, SENTINEL_FILE), "utf8") !== SENTINEL_TEXT
    )
      problems.push(`${sentinel}/${SENTINEL_FILE} changed`);
  }
  return problems;
}
