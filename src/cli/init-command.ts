import fs from "node:fs";
import path from "node:path";
import { ENGINE_NAMES, type EngineName } from "../model/engine-names.js";
import { init } from "../init/init.js";
import { synth } from "../synth.js";
import { EXIT } from "./flags.js";
import type { Io } from "./output.js";

/** Asks one question on a terminal; answers the default when the answer is empty. */
export type Ask = (question: string, fallback: string) => Promise<string>;

export interface InitFlags {
  readonly environments: string;
  readonly engine: EngineName;
  readonly envRepo?: string;
  readonly owner?: string;
  readonly team?: string;
  readonly ci?: "github" | "gitlab";
  readonly force?: boolean;
  readonly synth: boolean;
  readonly yes?: boolean;
}

/** The answers init may ask for, in order, with how to put them. */
const QUESTIONS = [
  ["environments", "Environments, in rollout order (comma-separated)"],
  ["engine", `GitOps engine (${ENGINE_NAMES.join(" or ")})`],
  ["envRepo", "Env repo git URL"],
  ["owner", "Platform team (CODEOWNERS owner)"],
  ["team", "First team (and its namespace)"],
] as const;

/**
 * On a terminal, asks for each answer not given as a flag (`explicit`
 * names those that were), showing the default; without one, or with --yes,
 * the flags and defaults stand.
 */
export async function askForAnswers(flags: InitFlags, explicit: ReadonlySet<string>, ask: Ask): Promise<InitFlags> {
  const answers: Record<string, unknown> = { ...flags };
  for (const [name, question] of QUESTIONS) {
    if (explicit.has(name)) continue;
    const fallback = String(answers[name] ?? "");
    const answer = (await ask(question, fallback)).trim();
    if (answer !== "") answers[name] = answer;
  }
  if (!(ENGINE_NAMES as readonly unknown[]).includes(answers.engine)) answers.engine = flags.engine;
  return answers as unknown as InitFlags;
}

/** `sluice init [dir]`: scaffolds the project, then its first out/ when sluice is installed there. */
export async function initCommand(dir: string, flags: InitFlags, io: Io): Promise<number> {
  const result = init(dir, {
    environments: flags.environments
      .split(",")
      .map((env) => env.trim())
      .filter(Boolean),
    engine: flags.engine,
    ...(flags.envRepo ? { envRepo: flags.envRepo } : {}),
    ...(flags.owner ? { owner: flags.owner } : {}),
    ...(flags.team ? { team: flags.team } : {}),
    ...(flags.ci ? { ci: flags.ci } : {}),
    ...(flags.force ? { force: true } : {}),
  });
  const where = path.relative(process.cwd(), path.resolve(dir)) || ".";
  io.stdout(`Created a sluice project in ${where}/: ${result.written.join(", ")}.\n`);
  for (const script of result.keptScripts) io.stdout(`package.json already has a "${script}" script; it was left as it was.\n`);
  const installed = fs.existsSync(path.join(dir, "node_modules", "sluice", "package.json"));
  if (flags.synth && installed) {
    const { write } = await synth({ root: dir });
    io.stdout(
      `Wrote the first env repo: out/ (${write?.written.length ?? 0} files). Next: edit stacks/, run \`npm run synth\`, review out/ and commit both.\n`,
    );
  } else {
    io.stdout(`Next: ${where === "." ? "" : `cd ${where} && `}npm install && npm run synth\n`);
  }
  return EXIT.ok;
}
