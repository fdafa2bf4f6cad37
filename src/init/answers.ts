import { defaultNamespace } from "../engines/declaration.js";
import { ENGINES } from "../engines/registry.js";
import { dnsLabelProblem, COMPONENTS_PROJECT, PLATFORM_PROJECT, reservedNamespace } from "../model/names.js";
import { envRepoSchema, owner } from "../model/platform-schema.js";
import type { Diagnostic } from "../model/diagnostic.js";
import type { InitAnswers } from "./scaffold.js";

/**
 * What is wrong with init's answers, by the rules synth applies to the
 * platform init writes from them (the platform schema's own validators), so
 * that init never leaves a project that synth refuses. Empty when nothing is.
 */
export function answerProblems(answers: InitAnswers): Diagnostic[] {
  const problems: Diagnostic[] = [];
  const add = (message: string, hint: string) => problems.push({ code: "init/answer", message, hint });
  const label = "use lower-case letters, digits and '-', at most 63 characters, e.g. --environments dev,staging,prod";
  if (answers.environments.length === 0) add("name at least one environment", label);
  if (new Set(answers.environments).size !== answers.environments.length)
    add("an environment is named twice", "name each environment once");
  for (const env of answers.environments) {
    const problem = dnsLabelProblem(env);
    if (problem) add(`environment ${JSON.stringify(env)} is not a DNS label${problem.startsWith("must") ? "" : `: it ${problem}`}`, label);
    // Each environment gets one cluster, `<env>-1`, whose name is a label too.
    else if (dnsLabelProblem(`${env}-1`))
      add(
        `environment ${JSON.stringify(env)} is too long: its cluster ${JSON.stringify(`${env}-1`)} ${dnsLabelProblem(`${env}-1`)}`,
        "shorten the environment's name",
      );
  }
  const teamProblem = dnsLabelProblem(answers.team);
  if (teamProblem)
    add(
      `team ${JSON.stringify(answers.team)} is not a DNS label${teamProblem.startsWith("must") ? "" : `: it ${teamProblem}`}`,
      "use lower-case letters, digits and '-', e.g. --team web",
    );
  else {
    const engineNamespace = defaultNamespace(ENGINES[answers.engine]);
    const reserved =
      reservedNamespace(answers.team, engineNamespace) ??
      ([PLATFORM_PROJECT, COMPONENTS_PROJECT].includes(answers.team) ? "is reserved for sluice's own projects" : undefined);
    if (reserved)
      add(
        `team ${JSON.stringify(answers.team)} is also its namespace, which ${reserved}`,
        "give the team a name of its own, e.g. --team web",
      );
  }
  const url = envRepoSchema.shape.url.safeParse(answers.envRepo);
  if (!url.success)
    add(
      `env repo ${JSON.stringify(answers.envRepo)} ${url.error.issues[0]!.message}`,
      "pass the env repo's clone URL, e.g. --env-repo https://git.example.com/platform/env-repo.git",
    );
  const owned = owner.safeParse(answers.owner);
  if (!owned.success)
    add(`owner ${JSON.stringify(answers.owner)} ${owned.error.issues[0]!.message}`, "pass the platform team, e.g. --owner @acme/platform");
  return problems;
}
