import fs from "node:fs";
import path from "node:path";
import { SluiceError } from "../errors.js";
import { answerProblems } from "./answers.js";
import { readManifest, targetProblems } from "./targets.js";
import { DEFAULT_ANSWERS, devDependency, scaffoldFiles, SCRIPTS, type InitAnswers } from "./scaffold.js";

export interface InitOptions extends Partial<InitAnswers> {
  /** Replace files that exist. Default false: init refuses and writes nothing. */
  readonly force?: boolean;
}

export interface InitResult {
  readonly dir: string;
  /** Files written, relative to dir. */
  readonly written: readonly string[];
  /** Scripts package.json already had with other commands, left as they were. */
  readonly keptScripts: readonly string[];
}

/** What `npm init -y` writes as the test script: a failure, not a test anyone wrote, so init replaces it. */
const NPM_PLACEHOLDER_TEST = 'echo "Error: no test specified" && exit 1';

/**
 * `sluice init [dir]`: a working project, offline — package.json (scripts
 * synth, check and test, sluice as a devDependency; an existing package.json
 * gets them added and keeps everything else), tsconfig.json, a platform and
 * one app under stacks/, .gitignore, and a CI pipeline when asked. Refuses,
 * writing nothing, when any of those files exists, unless forced.
 */
export function init(dir: string, options: InitOptions = {}): InitResult {
  const answers: InitAnswers = {
    ...DEFAULT_ANSWERS,
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
  } as InitAnswers;
  const problems = answerProblems(answers);
  if (problems.length > 0) throw new SluiceError("The answers to init are invalid; nothing was written.", problems);
  const files = scaffoldFiles(answers);
  const targets = targetProblems(dir, ["package.json", ...Object.keys(files)]);
  if (targets.length > 0) throw new SluiceError("init cannot write the project there; nothing was written.", targets);
  const existing = Object.keys(files).filter((file) => fs.existsSync(path.join(dir, file)));
  if (existing.length > 0 && !options.force) {
    throw new SluiceError(
      "The project already has some of the files init writes; nothing was written.",
      existing.map((file) => ({
        code: "init/exists",
        message: `${file} exists`,
        hint: "run init in an empty directory, or pass --force to replace these files",
      })),
    );
  }
  const manifestPath = path.join(dir, "package.json");
  const read = fs.existsSync(manifestPath)
    ? readManifest(manifestPath)
    : { manifest: { name: projectName(dir), private: true, type: "module" } };
  if ("problem" in read) throw new SluiceError("init cannot add its scripts to package.json; nothing was written.", [read.problem]);
  const manifest = read.manifest;
  const scripts = { ...((manifest.scripts as Record<string, string> | undefined) ?? {}) };
  const keptScripts: string[] = [];
  for (const [name, command] of Object.entries(SCRIPTS)) {
    const placeholder = name === "test" && scripts[name] === NPM_PLACEHOLDER_TEST;
    if (Object.hasOwn(scripts, name) && scripts[name] !== command && !placeholder && !options.force) keptScripts.push(name);
    else scripts[name] = command;
  }
  const dependencies = (manifest.dependencies as Record<string, string> | undefined) ?? {};
  const devDependencies = { ...((manifest.devDependencies as Record<string, string> | undefined) ?? {}) };
  if (!Object.hasOwn(dependencies, "sluice") && !Object.hasOwn(devDependencies, "sluice")) Object.assign(devDependencies, devDependency());
  const next = { ...manifest, type: manifest.type ?? "module", scripts, devDependencies };
  writeFiles(dir, { "package.json": `${JSON.stringify(next, null, 2)}\n`, ...files });
  return { dir, written: ["package.json", ...Object.keys(files)].sort(), keptScripts };
}

/**
 * Writes the checked files. A write can still fail (a disk that fills up, a
 * directory changed since the check): that is said with the file, not as a
 * bug in sluice.
 */
function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [file, content] of Object.entries(files)) {
    try {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), content);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (!code) throw error;
      throw new SluiceError(`init could not write ${file} (${code}).`, [
        { code: "init/write", message: `${file}: ${(error as Error).message}`, hint: "fix the cause, then run init again with --force" },
      ]);
    }
  }
}

function projectName(dir: string): string {
  const base = path
    .basename(path.resolve(dir))
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return base || "gitops";
}
