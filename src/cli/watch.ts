import fs from "node:fs";
import path from "node:path";
import { isPolicyViolation, isSluiceError } from "../errors.js";
import { formatFindingsText } from "../policy/format-findings.js";
import { synth } from "../synth.js";
import type { SynthFlags } from "./main.js";
import { colors, formatDiagnosticLine, type Io } from "./output.js";

/**
 * `sluice synth --watch`: synthesizes, then again on every change under the
 * stacks directory (debounced), printing which stack changed, what was
 * written and how long it took. The caches make a one-stack change cheap.
 * A broken stack prints its errors and the watch goes on; out/ keeps what
 * the last good synth wrote. Runs until interrupted (or `signal` aborts).
 */
export async function watchSynth(flags: SynthFlags, io: Io, signal?: AbortSignal): Promise<number> {
  const c = colors(io);
  const root = path.resolve(flags.root);
  const stacksDir = path.resolve(root, flags.stacks);
  const out = flags.out.replace(/\/+$/, "");
  const once = async (changed: readonly string[]) => {
    const start = performance.now();
    try {
      const result = await synth({ root, stacks: flags.stacks, out: flags.out, skipTypecheck: Boolean(flags.skipTypecheck) });
      const ms = Math.round(performance.now() - start);
      const written = result.write?.written ?? [];
      const deleted = result.write?.deleted ?? [];
      const what = changed.length > 0 ? `${changed.join(", ")} changed: ` : "";
      io.stdout(
        `${what}${out}/: ${written.length} written, ${deleted.length} deleted in ${ms} ms${written.length + deleted.length > 0 ? `\n${[...written.map((f) => `  ${c.green("~")} ${out}/${f}`), ...deleted.map((f) => `  ${c.red("-")} ${out}/${f}`)].join("\n")}` : ""}\n`,
      );
      if (result.findings.length > 0) io.stdout(formatFindingsText(result.findings, result.waived, c));
    } catch (error) {
      if (isPolicyViolation(error)) io.stdout(formatFindingsText(error.findings, error.waived, c));
      else if (isSluiceError(error)) {
        io.stdout(`sluice: ${error.message.split("\n")[0]}\n`);
        for (const diagnostic of error.diagnostics) io.stdout(formatDiagnosticLine(diagnostic, io));
      } else throw error;
    }
  };
  await once([]);
  io.stdout(`Watching ${path.relative(process.cwd(), stacksDir) || "."}/ for changes (Ctrl-C to stop).\n`);
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const watcher = fs.watch(stacksDir, { recursive: true }, (_event, file) => {
    if (file && !/\.(ts|mts|json|ya?ml)$/.test(file)) return;
    if (file) pending.add(path.posix.join(flags.stacks.replace(/\/+$/, ""), file.split(path.sep).join("/")));
    clearTimeout(timer);
    timer = setTimeout(() => {
      const changed = [...pending].sort();
      pending.clear();
      running = running.then(() => once(changed));
    }, 50);
  });
  await new Promise<void>((resolve) => {
    const stop = () => {
      watcher.close();
      clearTimeout(timer);
      void running.then(() => resolve());
    };
    if (signal) signal.addEventListener("abort", stop, { once: true });
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  return 0;
}
