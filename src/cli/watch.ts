import fs from "node:fs";
import path from "node:path";
import { isPolicyViolation, isSluiceError } from "../errors.js";
import { formatFindingsText } from "../policy/format-findings.js";
import { synth } from "../synth.js";
import type { SynthFlags } from "./flags.js";
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
  // The watch starts before the first synth, and a synth that ran while
  // something changed runs again when it ends: the last edit always reaches
  // out/, however fast the edits come.
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const drain = async () => {
    // Nothing below may run before the caller has stored this promise in `running`: a drain
    // that found nothing to do would clear `running` first, and the stored, settled promise
    // would then keep every later change from starting one.
    await Promise.resolve();
    try {
      while (pending.size > 0 && !stopped) {
        const changed = [...pending].sort();
        pending.clear();
        try {
          await once(changed);
        } catch (error) {
          // A bug must not end the watch in silence: say it, and keep watching.
          io.stdout(
            `sluice: internal error — this is a bug in sluice, not in your stacks; the watch goes on.\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
          );
        }
      }
    } finally {
      running = undefined;
    }
  };
  const changedFile = (file: string) => {
    if (/\.(ts|mts|json|ya?ml)$/.test(file)) schedule(path.relative(root, file).split(path.sep).join("/"));
  };
  const schedule = (what: string) => {
    pending.add(what);
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (running === undefined && pending.size > 0) running = drain();
    }, 50);
  };
  // One watch per directory, not per file (nor Node's recursive watch, which on
  // Linux follows each file's inode): editors that save by writing a new file
  // and renaming it over the old one (sed -i, vim, JetBrains' safe write)
  // replace the inode, and a watch on it would see nothing after the first save.
  const watchers = new Map<string, fs.FSWatcher>();
  const watchDirectory = (dir: string) => {
    if (watchers.has(dir)) return;
    let watcher: fs.FSWatcher;
    try {
      watcher = fs.watch(dir, (event, name) => {
        if (!name) return;
        const file = path.join(dir, name.toString());
        if (event === "rename" && isDirectory(file)) watchDirectory(file);
        changedFile(file);
      });
    } catch {
      return; // Gone already: its parent's watch sees what replaces it.
    }
    watcher.on("error", () => {
      watcher.close();
      watchers.delete(dir);
    });
    watchers.set(dir, watcher);
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && entry.name !== "node_modules" && !entry.name.startsWith(".")) watchDirectory(path.join(dir, entry.name));
    }
  };
  // The stacks directory itself can be replaced (rm -rf stacks && mv stacks2
  // stacks, a checkout): its parent's watch sees that, and the watch moves to
  // the new directory. When it is gone for good, the watch says so and stops.
  let rewatch: NodeJS.Timeout | undefined;
  let stoppedEarly: number | undefined;
  let finish: (code: number) => void = (code) => {
    stoppedEarly ??= code;
  };
  const followStacks = () => {
    clearTimeout(rewatch);
    rewatch = setTimeout(() => {
      if (stopped) return;
      const current = watchers.get(stacksDir);
      const inode = statInode(stacksDir);
      if (current && inode !== undefined && inode === watchedInode) return;
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
      if (inode === undefined) {
        io.stdout(
          `sluice: ${path.relative(process.cwd(), stacksDir) || "."}/ is gone, so the watch stopped; out/ keeps what the last synth wrote.\n`,
        );
        finish(2);
        return;
      }
      watchedInode = inode;
      watchDirectory(stacksDir);
      schedule(`${path.relative(root, stacksDir).split(path.sep).join("/")}/ (replaced)`);
    }, 200);
  };
  const parentWatcher = fs.watch(path.dirname(stacksDir), (_event, name) => {
    if (name === null || name.toString() === path.basename(stacksDir)) followStacks();
  });
  let watchedInode = statInode(stacksDir);
  watchDirectory(stacksDir);
  const first = once([]);
  running = first.then(drain);
  await first;
  io.stdout(`Watching ${path.relative(process.cwd(), stacksDir) || "."}/ for changes (Ctrl-C to stop).\n`);
  return await new Promise<number>((resolve) => {
    const stop = (code: number) => {
      if (stopped) return;
      stopped = true;
      for (const watcher of watchers.values()) watcher.close();
      parentWatcher.close();
      clearTimeout(timer);
      clearTimeout(rewatch);
      void (running ?? Promise.resolve()).then(() => resolve(code));
    };
    finish = stop;
    if (stoppedEarly !== undefined) stop(stoppedEarly);
    if (signal) signal.addEventListener("abort", () => stop(0), { once: true });
    process.once("SIGINT", () => stop(0));
    process.once("SIGTERM", () => stop(0));
  });
}

function statInode(dir: string): number | undefined {
  try {
    const stat = fs.statSync(dir);
    return stat.isDirectory() ? stat.ino : undefined;
  } catch {
    return undefined;
  }
}

function isDirectory(file: string): boolean {
  try {
    return fs.lstatSync(file).isDirectory();
  } catch {
    return false;
  }
}
