import { main } from "../../src/cli/main.js";
import { wantsColor, type Io } from "../../src/cli/output.js";

/** What a run of the `sluice` command printed and returned, in spawnSync's shape. */
export interface CliRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** The directory the command runs in (as a shell's current directory). Default: this process's. */
  readonly cwd?: string;
  /** Variables set (or, when undefined, unset) in the environment for this run only. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Runs one `sluice` command line in this process, through the same `main` the
 * bin calls, and captures what it prints: a spawned CLI costs 0.3–0.8 s of
 * start-up per run, which is not what most tests are about. Output is piped,
 * not a terminal, exactly as under spawnSync: colour only when the environment
 * asks for it, no progress line.
 *
 * The working directory and environment are process-wide, so they are set for
 * the run and put back after it: the test pool runs each file in a process of
 * its own (`pool: "forks"`), one test at a time. Tests about the process
 * itself (exit on a signal, start-up, concurrent runs, a terminal, the
 * package as installed) spawn the real bin instead.
 */
export async function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const restoreEnv = setEnv(options.env ?? {});
  const cwd = process.cwd();
  try {
    if (options.cwd !== undefined) process.chdir(options.cwd);
    const io: Io = {
      stdout: (text) => void (stdout += text),
      stderr: (text) => void (stderr += text),
      color: wantsColor(process.env, false),
      progress: false,
    };
    const status = await main(args, io);
    return { status, stdout, stderr };
  } finally {
    process.chdir(cwd);
    restoreEnv();
  }
}

function setEnv(env: Readonly<Record<string, string | undefined>>): () => void {
  const before = Object.entries(env).map(([key]) => [key, process.env[key]] as const);
  for (const [key, value] of Object.entries(env)) assign(key, value);
  return () => {
    for (const [key, value] of before) assign(key, value);
  };
}

function assign(key: string, value: string | undefined): void {
  if (value === undefined) delete process.env[key];
  else process.env[key] = value;
}
