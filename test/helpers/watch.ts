import { spawn } from "node:child_process";
import { CLI, type Project } from "./project.js";

/** `sluice synth --watch` running in a project, with everything it prints so far and its exit code once it ends. */
export function watching(p: Project) {
  const child = spawn(process.execPath, [CLI, "synth", "--watch", "--skip-typecheck"], {
    cwd: p.root,
    env: { ...process.env, NO_COLOR: "1" },
  });
  const output = { text: "", exit: undefined as number | null | undefined };
  child.stdout.on("data", (chunk: Buffer) => (output.text += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output.text += chunk.toString()));
  child.on("exit", (code) => (output.exit = code));
  return { child, output };
}

/** Resolves with the first match of `pattern` in what the watch has printed; fails with the output after `timeoutMs`. */
export function waitFor(output: { text: string }, pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      const match = pattern.exec(output.text);
      if (match) return resolve(match);
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out waiting for ${pattern}; output so far:\n${output.text}`));
      setTimeout(poll, 25);
    };
    poll();
  });
}
