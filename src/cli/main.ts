import { Argument, Command, CommanderError, Option } from "commander";
// Light imports only: `sluice --version` and `--help` must not load the pipeline.
import { isSluiceError } from "../errors.js";
import { VERSION } from "../package-root.js";
import { diagnosticJson, formatDiagnosticLine, processIo, type Format, type Io } from "./output.js";

/** Exit codes, as `git diff --exit-code` and friends use them. */
export const EXIT = { ok: 0, found: 1, failed: 2 } as const;


/**
 * Runs one sluice command line and returns its exit code. Parsing lives here;
 * each command turns its flags into a call of the programmatic API.
 */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  let format: Format = "text";
  const program = new Command()
    .name("sluice")
    .description("Compile typed stacks into a GitOps env repo.")
    .version(VERSION, "-v, --version")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError("(run `sluice --help` for usage)");

  program
    .command("synth")
    .description("type-check the stacks and compile them into out/")
    .option("--check", "write nothing; exit 1 and list every stale, missing or extra file if out/ is not what the stacks produce")
    .option("--stacks <dir>", "directory of stack files", "stacks")
    .option("--out <dir>", "env repo directory to write or check", "out")
    .option("--root <dir>", "project root; paths are relative to it", ".")
    .option("--skip-typecheck", "do not type-check the stacks (only when CI already runs tsc on them)")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .action(async (options: SynthFlags) => {
      format = options.format;
      const { synthCommand } = await import("./synth-command.js");
      exitCode = await synthCommand(options, io);
    });

  program
    .command("diff")
    .description("compile the stacks in memory and show, object by object, what each wave and cluster would get compared with the env repo at a git ref")
    .option("--base <ref>", "the git ref to compare with", "HEAD")
    .option("--env-repo <path>", "compare with a clone of a separate env repo instead of this repo's out/")
    .option("--exit-code", "exit 1 when there are changes, as git diff --exit-code does")
    .option("--stacks <dir>", "directory of stack files", "stacks")
    .option("--out <dir>", "this repo's env repo directory", "out")
    .option("--root <dir>", "project root; paths are relative to it", ".")
    .option("--skip-typecheck", "do not type-check the stacks (only when CI already runs tsc on them)")
    .addOption(new Option("--format <format>", "output format").choices(["text", "markdown", "json"]).default("text"))
    .action(async (options: DiffFlags) => {
      format = options.format;
      const { diffCommand } = await import("./diff-command.js");
      exitCode = await diffCommand(options, io);
    });

  program
    .command("ci")
    .description("print a CI pipeline that verifies the env repo and posts sluice diff on every pull request")
    .addArgument(new Argument("<target>", "where it runs").choices(["github", "gitlab"]))
    .action(async (target: "github" | "gitlab") => {
      const { ciTemplate } = await import("../ci/templates.js");
      io.stdout(ciTemplate(target));
    });

  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    return handleError(error, format, io);
  }
}

export interface SynthFlags {
  readonly check?: boolean;
  readonly stacks: string;
  readonly out: string;
  readonly root: string;
  readonly skipTypecheck?: boolean;
  readonly format: Format;
}

export interface DiffFlags {
  readonly base?: string;
  readonly envRepo?: string;
  readonly exitCode?: boolean;
  readonly stacks: string;
  readonly out: string;
  readonly root: string;
  readonly skipTypecheck?: boolean;
  readonly format: Format;
}

function handleError(error: unknown, format: Format, io: Io): number {
  if (error instanceof CommanderError) {
    // Help and version are not failures; usage errors were already printed.
    return error.exitCode === 0 ? EXIT.ok : EXIT.failed;
  }
  if (isSluiceError(error)) {
    if (format === "json") {
      const [summary] = error.message.split("\n");
      io.stdout(`${JSON.stringify({ ok: false, error: summary, diagnostics: error.diagnostics.map(diagnosticJson) }, null, 2)}\n`);
    } else {
      io.stderr(`sluice: ${error.message.split("\n")[0]}\n`);
      for (const diagnostic of error.diagnostics) io.stderr(formatDiagnosticLine(diagnostic, io));
    }
    return EXIT.failed;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr(
    `sluice: internal error — this is a bug in sluice, not in your stacks.\n` +
      `Please report it to the sluice maintainers with the command you ran, \`sluice --version\` (${VERSION}) and this trace:\n${detail}\n`,
  );
  return EXIT.failed;
}
