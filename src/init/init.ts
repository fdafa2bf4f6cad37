import fs from "node:fs";
import path from "node:path";
import { SluiceError } from "../errors.js";
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

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
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
  const answers: InitAnswers = { ...DEFAULT_ANSWERS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as InitAnswers;
  const problems = [
    ...answers.environments.filter((env) => !NAME.test(env)).map((env) => `environment ${JSON.stringify(env)} is not a DNS label`),
    ...(NAME.test(answers.team) ? [] : [`team ${JSON.stringify(answers.team)} is not a DNS label`]),
    ...(answers.environments.length === 0 ? ["name at least one environment"] : []),
    ...(new Set(answers.environments).size !== answers.environments.length ? ["an environment is named twice"] : []),
  ];
  if (problems.length > 0) {
    throw new SluiceError(
      "The answers to init are invalid; nothing was written.",
      problems.map((message) => ({ code: "init/answer", message, hint: "use lower-case letters, digits and '-', e.g. --environments dev,staging,prod" })),
    );
  }
  const files = scaffoldFiles(answers);
  const existing = Object.keys(files).filter((file) => fs.existsSync(path.join(dir, file)));
  if (existing.length > 0 && !options.force) {
    throw new SluiceError(
      "The project already has some of the files init writes; nothing was written.",
      existing.map((file) => ({ code: "init/exists", message: `${file} exists`, hint: "run init in an empty directory, or pass --force to replace these files" })),
    );
  }
  fs.mkdirSync(dir, { recursive: true });
  const manifestPath = path.join(dir, "package.json");
  const manifest = fs.existsSync(manifestPath)
    ? (JSON.parse(fs.readFileSync(manifestPath, "utf8")) as Record<string, unknown>)
    : { name: projectName(dir), private: true, type: "module" };
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
  fs.writeFileSync(manifestPath, `${JSON.stringify(next, null, 2)}\n`);
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  return { dir, written: ["package.json", ...Object.keys(files)].sort(), keptScripts };
}

function projectName(dir: string): string {
  const base = path.basename(path.resolve(dir)).toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "");
  return base || "gitops";
}
