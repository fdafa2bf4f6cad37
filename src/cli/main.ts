import { Argument, Command, CommanderError, InvalidArgumentError, Option } from "commander";
// Light imports only: `sluice --version` and `--help` must not load the pipeline.
import { isPolicyViolation, isSluiceError, SluiceError } from "../errors.js";
import { ENGINE_NAMES } from "../model/engine-names.js";
import type { VerifyFlags } from "./verify-command.js";
import { findingJson, formatDiagnosticGithub, formatFindingsText } from "../policy/format-findings.js";
import { VERSION } from "../package-root.js";
import { EXIT, type CheckFlags, type DiffFlags, type PromotionFlags, type PublishFlags, type SynthFlags } from "./flags.js";
import { colors, diagnosticJson, formatDiagnosticLine, processIo, type Format, type Io } from "./output.js";

/**
 * The flags every command that reads the stacks shares: where they are, the
 * project root, and, for those that write or compare it, the env repo
 * directory and whether to skip the type-check.
 */
function projectOptions(command: Command, out?: string, typecheck = true): Command {
  command.option("--stacks <dir>", "directory of stack files", "stacks");
  if (out !== undefined) command.option("--out <dir>", out, "out");
  command.option("--root <dir>", "project root; paths are relative to it", ".");
  if (typecheck) command.option("--skip-typecheck", "do not type-check the stacks (only when CI already runs tsc on them)");
  return command;
}

/**
 * The flags that narrow a run to a partition of the fleet (model/partition.ts):
 * some clusters by name, or group i of n, as a CI matrix asks for them.
 */
function partitionOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        "--clusters <names>",
        "only these clusters' files (comma-separated) and the env repo's own; every rule still sees the whole fleet",
      )
        .argParser((value: string, previous: string[] | undefined) => [
          ...(previous ?? []),
          ...value
            .split(",")
            .map((name) => name.trim())
            .filter(Boolean),
        ])
        .conflicts("partition"),
    )
    .addOption(
      new Option("--partition <i/n>", "only the clusters of group i of n (as `sluice ci --partitions n` fans out), e.g. 2/4").argParser(
        (value: string) => {
          const match = /^(\d+)\/(\d+)$/.exec(value.trim());
          if (!match) throw new InvalidArgumentError("give it as i/n, e.g. 2/4");
          return { index: Number(match[1]), count: Number(match[2]) };
        },
      ),
    );
}

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

  partitionOptions(
    projectOptions(
      program
        .command("synth")
        .description("type-check the stacks and compile them into out/")
        .option("--check", "write nothing; exit 1 and list every stale, missing or extra file if out/ is not what the stacks produce")
        .option("--watch", "synthesize again on every change to the stacks, printing what changed, until interrupted"),
      "env repo directory to write or check",
    ),
  )
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .action(async (options: SynthFlags) => {
      format = options.format;
      if (options.watch && (options.check || options.clusters || options.partition)) {
        io.stderr(
          `sluice: --watch writes the whole out/ on every change; it does not go with ${options.check ? "--check" : "--clusters or --partition"}\n`,
        );
        exitCode = EXIT.failed;
        return;
      }
      if (options.watch) {
        const { watchSynth } = await import("./watch.js");
        exitCode = await watchSynth(options, io);
        return;
      }
      const { synthCommand } = await import("./synth-command.js");
      exitCode = await synthCommand(options, io);
    });

  program
    .command("init")
    .description(
      "start a project: package.json scripts, tsconfig.json, a platform and an app in stacks/, .gitignore, a CI pipeline if asked, and the first out/",
    )
    .argument("[dir]", "where", ".")
    .option("--environments <list>", "environments in rollout order, comma-separated; each gets a cluster <env>-1 and a wave", "dev,prod")
    .addOption(new Option("--engine <engine>", "the GitOps engine on the clusters").choices(ENGINE_NAMES).default("argocd"))
    .option("--env-repo <url>", "the env repo's git URL", "https://git.example.com/platform/env-repo.git")
    .option("--owner <owner>", "the platform team: a CODEOWNERS owner such as @org/platform", "@acme/platform")
    .option("--team <name>", "the first team, and its namespace", "web")
    .addOption(new Option("--ci <target>", "also write a CI pipeline").choices(["github", "gitlab"]))
    .option("--force", "replace files that exist")
    .option("--no-synth", "do not write the first out/")
    .option("--yes", "ask nothing on a terminal: take the flags and defaults")
    .action(async (dir: string, options: import("./init-command.js").InitFlags, command: Command) => {
      const { askForAnswers, initCommand } = await import("./init-command.js");
      let answers = options;
      if (!options.yes && process.stdin.isTTY && process.stdout.isTTY && io === processIo) {
        const explicit = new Set(
          ["environments", "engine", "envRepo", "owner", "team"].filter((name) => command.getOptionValueSource(name) !== "default"),
        );
        const { createInterface } = await import("node:readline/promises");
        const terminal = createInterface({ input: process.stdin, output: process.stdout });
        try {
          answers = await askForAnswers(options, explicit, (question, fallback) => terminal.question(`${question} [${fallback}]: `));
        } finally {
          terminal.close();
        }
      }
      exitCode = await initCommand(dir, answers, io);
    });

  partitionOptions(
    projectOptions(
      program
        .command("check")
        .description("run the whole pipeline and every policy rule, writing nothing; exit 1 on an error finding")
        .option("--no-cache", "do not use the local caches"),
    ),
  )
    .addOption(
      new Option("--format <format>", "output format (default: github when GITHUB_ACTIONS=true, else text)").choices([
        "text",
        "json",
        "github",
        "sarif",
      ]),
    )
    .action(async (options: CheckFlags) => {
      const chosen = options.format ?? (process.env.GITHUB_ACTIONS === "true" ? "github" : "text");
      format = chosen === "json" ? "json" : "text";
      const { checkCommand } = await import("./check-command.js");
      exitCode = await checkCommand({ ...options, format: chosen }, io);
    });

  partitionOptions(
    projectOptions(
      program
        .command("diff")
        .description(
          "compile the stacks in memory and show, object by object, what each wave and cluster would get compared with the env repo at a git ref",
        )
        .option("--base <ref>", "the git ref to compare with", "HEAD")
        .option("--env-repo <path>", "compare with a clone of a separate env repo instead of this repo's out/")
        .option("--exit-code", "exit 1 when there are changes, as git diff --exit-code does"),
      "this repo's env repo directory",
    ),
  )
    .addOption(new Option("--format <format>", "output format").choices(["text", "markdown", "json"]).default("text"))
    .action(async (options: DiffFlags) => {
      format = options.format;
      const { diffCommand } = await import("./diff-command.js");
      exitCode = await diffCommand(options, io);
    });

  partitionOptions(
    projectOptions(
      program
        .command("verify")
        .description(
          "what a pull request's pipeline runs, from one compile: check, synth --check, and with --base gates and diff; exit 1 when any part finds something",
        )
        .option("--base <ref>", "the branch the change goes into (e.g. origin/main): also run gates and diff against it")
        .option("--env-repo <path>", "diff against a clone of a separate env repo instead of this repo's out/")
        .option("--diff-file <path>", "write the diff there as markdown (the pull request comment) instead of printing it")
        .option("--no-cache", "do not use the local caches"),
      "this repo's env repo directory",
    ),
  )
    .addOption(
      new Option("--format <format>", "output format (default: github when GITHUB_ACTIONS=true, else text)").choices([
        "text",
        "github",
        "json",
      ]),
    )
    .action(async (options: Omit<VerifyFlags, "format"> & { format?: VerifyFlags["format"] }) => {
      const chosen = options.format ?? (process.env.GITHUB_ACTIONS === "true" ? "github" : "text");
      format = chosen === "json" ? "json" : "text";
      const { verifyCommand } = await import("./verify-command.js");
      exitCode = await verifyCommand({ ...options, format: chosen }, io);
    });

  const promotionFlags = (command: Command) =>
    projectOptions(command, "env repo directory to write")
      .option(
        "--commit",
        "put the change on a new branch (promote|rollback/<app>/<wave>/<version>) as one commit, and print the pull request",
      )
      .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"));

  promotionFlags(
    program
      .command("release")
      .description("set an app's release in the first wave (what CI runs after building an image), then synthesize out/")
      .argument("<app>", "the app")
      .argument("<version>", 'an immutable release: "1.7.0" or "sha256:<64 hex>"'),
  ).action(async (app: string, version: string, options: PromotionFlags) => {
    format = options.format;
    const { promoteCommand } = await import("./promote-command.js");
    exitCode = await promoteCommand({ ...options, app, version, first: true }, io);
  });

  promotionFlags(
    program
      .command("promote")
      .description(
        "move an app's release to the next wave, as the gates allow (soak from git history, freeze windows), then synthesize out/",
      )
      .argument("[app]", "the app")
      .option("--to <wave>", "the wave to promote into (default: the next one)")
      .option("--version <version>", "the release to promote (default: the first wave's)")
      .option("--all-ready", "promote every app whose next gate is open, each on a branch of its own (implies --commit)")
      .option("--force", "promote before the soak time is up or during a freeze window (never past a skipped wave); needs --reason")
      .option("--reason <text>", "why a person forces the gate; reported with the promotion"),
  ).action(async (app: string | undefined, options: PromotionFlags & { allReady?: boolean }) => {
    format = options.format;
    const { promoteCommand, promoteAllReadyCommand } = await import("./promote-command.js");
    if (options.allReady) exitCode = await promoteAllReadyCommand(options, io);
    else if (app === undefined) throw new CommanderError(2, "sluice.missingApp", "error: name the app to promote, or pass --all-ready");
    else exitCode = await promoteCommand({ ...options, app }, io);
  });

  promotionFlags(
    program
      .command("rollback")
      .description("put an app's wave back on the release it ran before (git history), then synthesize out/")
      .argument("<app>", "the app")
      .requiredOption("--wave <wave>", "the wave to roll back"),
  ).action(async (app: string, options: PromotionFlags & { wave: string }) => {
    format = options.format;
    const { promoteCommand } = await import("./promote-command.js");
    exitCode = await promoteCommand({ ...options, app, rollbackWave: options.wave }, io);
  });

  projectOptions(
    program
      .command("split-releases")
      .description(
        "move the releases of waves whose gate names approvers out of the app stacks, into stacks/releases/<wave>/<app>.ts (which CODEOWNERS gives the approvers), then synthesize",
      ),
    "env repo directory to write",
  )
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .action(async (options: import("./split-command.js").SplitFlags) => {
      format = options.format;
      const { splitCommand } = await import("./split-command.js");
      exitCode = await splitCommand(options, io);
    });

  projectOptions(
    program
      .command("status")
      .description("every app across the waves: each wave's release, since when, and whether the next promotion is ready"),
    undefined,
    false,
  )
    .addOption(new Option("--format <format>", "output format").choices(["text", "markdown", "json"]).default("text"))
    .action(async (options: { stacks: string; root: string; format: Format }) => {
      format = options.format;
      const { status, formatStatus } = await import("../promote/status.js");
      const result = await status({ root: options.root, stacks: options.stacks });
      io.stdout(options.format === "json" ? `${JSON.stringify(result, null, 2)}\n` : formatStatus(result, options.format === "markdown"));
    });

  projectOptions(
    program
      .command("gates")
      .description("in CI: hold every release change since --base to the waves' gates (order, one wave per change, soak, freeze windows)")
      .requiredOption("--base <ref>", "the git ref the change is compared with, e.g. origin/main")
      .option("--force", "record the findings but pass; needs --reason")
      .option("--reason <text>", "why a person forces the gates"),
    undefined,
    false,
  )
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .action(async (options: { base: string; force?: boolean; reason?: string; stacks: string; root: string; format: Format }) => {
      format = options.format;
      const { gatesCommand } = await import("./gates-command.js");
      exitCode = await gatesCommand(options, io);
    });

  projectOptions(
    program
      .command("publish")
      .description(
        "write the committed stacks' output into a separate env repository: owned files only, one commit with the source's trailers, pushed with retries, never forced, never undoing a published change",
      )
      .requiredOption("--env-repo <path-or-url>", "the env repository to publish to (a relative path is relative to --root)")
      .option(
        "--branch <name>",
        "the branch (default: the platform's envRepo.revision); <name>-next also writes a root hydrator.metadata, for GitOps Promoter",
      )
      .option(
        "--pull-request [branch]",
        "push to a branch of its own (default: sluice/publish-<source commit>) for a pull request into --branch, instead of to --branch",
      )
      .option("--push", "push the commit (without it, sluice commits in a temporary clone and reports what would change)"),
  )
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .action(async (options: PublishFlags) => {
      format = options.format;
      const { publishCommand } = await import("./publish-command.js");
      exitCode = await publishCommand(options, io);
    });

  program
    .command("ci")
    .description(
      "print a CI pipeline: sluice verify and the diff comment on every pull request, verify (and publish) on the default branch, scheduled promotions and the release entry point",
    )
    .addArgument(new Argument("<target>", "where it runs").choices(["github", "gitlab"]))
    .option("--conformance", "also a job that applies the env repo to a kind cluster with --dry-run=server (needs Docker on the runner)")
    .option("--publish <env-repo-url>", "publish to this env repo (an https URL) from the default branch, when it is not this repository")
    .option("--previews", "also the job that posts a labelled pull request's preview URLs (reads the platform's previews from the stacks)")
    .addOption(
      new Option(
        "--partitions <n>",
        "verify as n jobs (a matrix), one partition of the clusters each (`--partition i/n`), for fleets past one runner",
      ).argParser((value: string) => {
        const n = Number(value);
        if (!/^\d+$/.test(value) || n < 1 || n > 256) throw new InvalidArgumentError("give a whole number of jobs from 1 to 256");
        return n;
      }),
    )
    .option("--stacks <dir>", "with --previews: the stacks directory", "stacks")
    .option("--root <dir>", "with --previews: the project root", ".")
    .action(
      async (
        target: "github" | "gitlab",
        options: { conformance?: boolean; previews?: boolean; publish?: string; partitions?: number; stacks: string; root: string },
      ) => {
        if (options.publish !== undefined && !/^https:\/\/[^/\s@]+\/\S+$/.test(options.publish))
          throw new SluiceError("--publish needs the env repo's https URL.", [
            {
              code: "ci/publish-url",
              message: `${options.publish} is not an https URL`,
              hint: "--publish https://github.com/acme/env-repo.git: the pipeline pushes with a token over https",
            },
          ]);
        const { ciTemplate } = await import("../ci/templates.js");
        const previews = options.previews ? await previewJob(options.root, options.stacks) : undefined;
        io.stdout(
          ciTemplate(target, {
            conformance: options.conformance === true,
            ...(previews ? { previews } : {}),
            ...(options.publish ? { publish: options.publish } : {}),
            ...(options.partitions ? { partitions: options.partitions } : {}),
          }),
        );
      },
    );

  projectOptions(
    program
      .command("preview")
      .description(
        "preview environments: list a pull request's previews (namespaces, URLs, images), open or close them, sweep those past the lifetime",
      ),
    "output directory, where records open the previews (open, close, sweep)",
  )
    .addArgument(new Argument("<action>", "what to do").choices(["list", "open", "close", "sweep"]))
    .addArgument(new Argument("[number]", "the pull request (open, close)"))
    .option("--pr <number>", "list: the pull request's number (default: the patterns)")
    .option("--sha <sha>", "list, open (records): the pull request's head commit (default: the pattern)")
    .option("--app <name...>", "open, close (records): only these apps (default: every app that previews)")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .action(
      async (
        action: "list" | "open" | "close" | "sweep",
        number: string | undefined,
        options: {
          stacks: string;
          root: string;
          out: string;
          format: Format;
          skipTypecheck?: boolean;
          pr?: string;
          sha?: string;
          app?: string[];
        },
      ) => {
        format = options.format;
        const { previewCommand } = await import("./preview-command.js");
        exitCode = await previewCommand(action, number, options, io);
      },
    );

  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    return handleError(error, format, io);
  }
}

function handleError(error: unknown, format: Format, io: Io): number {
  if (error instanceof CommanderError) {
    // Help and version are not failures; usage errors were already printed.
    return error.exitCode === 0 ? EXIT.ok : EXIT.failed;
  }
  if (isPolicyViolation(error)) {
    if (format === "json") {
      io.stdout(
        `${JSON.stringify({ ok: false, error: error.message, findings: error.findings.map(findingJson), waived: error.waived }, null, 2)}\n`,
      );
    } else {
      io.stderr(formatFindingsText(error.findings, error.waived, colors(io)));
      io.stderr(`sluice: ${error.message} Fix the errors above, or waive a rule for an app with a reason (see README, "Policies").\n`);
    }
    return EXIT.found;
  }
  if (isSluiceError(error)) {
    // In GitHub Actions, an error that stopped the run is also an annotation on its stack line.
    if (format !== "json" && process.env.GITHUB_ACTIONS === "true")
      for (const diagnostic of error.diagnostics) io.stdout(formatDiagnosticGithub(diagnostic));
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

/** The preview job's input: the platform's previews, each URL with "${PR}" for the shell to fill in. */
async function previewJob(root: string, stacks: string) {
  const { loadModel } = await import("../synth.js");
  const { previewList } = await import("../promote/previews.js");
  const { SluiceError } = await import("../errors.js");
  const model = await loadModel({ root, stacks, skipTypecheck: true });
  const list = previewList(model, { number: "${PR}" });
  if (!list || !model.platform.previews)
    throw new SluiceError("--previews: the platform declares no previews (see README, Preview environments).");
  if (!model.platform.previews.scm)
    throw new SluiceError("--previews: the platform's previews name no SCM, so no label opens them.", [
      {
        code: "ci/preview-records",
        message: "records open these previews: the generated jobs follow the label, which nothing here reads",
        hint: "run sluice preview open/close/sweep from your own pipeline and commit what they write (README, Preview environments), or name previews.scm",
      },
    ]);
  return { label: list.label, lifetime: list.lifetime, poll: model.platform.previews.poll, list };
}
