import os from "node:os";
import { createRequire } from "node:module";
import fs from "node:fs";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { ownEntry, RUNNING_AS_SOURCE } from "./bundled.js";
import type { LoadedStacks } from "./pipeline/load/index.js";
import type { GatherOptions } from "./pipeline/validate/index.js";
import { type PartInstance, type PartResult, renderPart } from "./pipeline/render-part.js";
import type { PartsTaken, PreparedFiles } from "./pipeline/plan-files.js";

/** One instance of a part, as a render thread is asked for it: names, and the key the main thread computed. */
export interface PartRequest {
  readonly app: string;
  readonly cluster: string;
  readonly key: string | undefined;
}

/** A render thread's answer to one part. */
export type WorkerAnswer =
  | { readonly index: number; readonly result: PartResult; readonly timings: Readonly<Record<string, number>> }
  | { readonly index: number; readonly failed: string };

export interface RenderThreadsOptions {
  readonly root: string;
  /** The stacks as the main thread loaded them: plain data, unless the platform holds code (then no thread can take them). */
  readonly loaded: LoadedStacks;
  readonly releases: GatherOptions;
  readonly keepContent: boolean;
  /** Threads rendering in all, the main thread included. */
  readonly threads: number;
  /** Adds a worker's milliseconds per stage for a part it rendered to the run's. */
  readonly addTimings: (timings: Readonly<Record<string, number>>) => void;
  /** Tests only: another module for the workers to run, and shorter waits (see WAITS). */
  readonly testing?: { readonly entry: string; readonly waits: typeof WAITS };
}

/**
 * How long the main thread waits for a worker, in milliseconds. For the first
 * worker to start, before it renders on its own (a worker that starts later
 * still takes parts); for a part a worker took, before it stops that worker
 * and renders the part itself. Both only cost time when they run out: a part
 * gives the same result on any thread. A part (64 instances) takes well under
 * a second; a worker's start about a second at 2,000 apps.
 */
const WAITS = { start: 10_000, part: 60_000 };

/**
 * Renders the prepared parts into `taken`, in order: on the main thread alone,
 * or on several threads (see renderInThreads) — `workers`, or SLUICE_WORKERS,
 * or by default one per core but one (at most four) once there are enough
 * pending instances to pay for a thread's start; one when the run renders
 * with a blueprint given in code (a thread could not have it). Says how many
 * threads rendered, and how many parts the workers took.
 */
export async function takeParts(
  prepared: PreparedFiles,
  taken: PartsTaken,
  options: Omit<RenderThreadsOptions, "keepContent" | "threads"> & { readonly workers?: number; readonly codeBlueprint: boolean },
): Promise<{ threads: number; partsByWorkers: number }> {
  const threads = threadsFor(
    options,
    prepared.parts.reduce((sum, part) => sum + part.length, 0),
  );
  if (threads === 1) {
    for (const part of prepared.parts) taken.add(renderPart(prepared.context, part, taken.skip()));
    return { threads, partsByWorkers: 0 };
  }
  let partsByWorkers = 0;
  // On several threads every part runs every stage: the problems reported are the same (see PartsTaken).
  const all = { resolveFailed: false, inspectFailed: false };
  const results = renderInThreads(prepared.parts, (part) => renderPart(prepared.context, part, all), {
    ...options,
    keepContent: prepared.context.keepContent,
    threads,
    addTimings: (timings) => {
      partsByWorkers++;
      options.addTimings(timings);
    },
  });
  for await (const result of results) taken.add(result);
  return { threads, partsByWorkers };
}

function threadsFor(options: { readonly workers?: number; readonly codeBlueprint: boolean }, pending: number): number {
  if (options.codeBlueprint) return 1;
  const asked = options.workers ?? (process.env.SLUICE_WORKERS ? Number(process.env.SLUICE_WORKERS) : undefined);
  if (asked !== undefined && Number.isInteger(asked) && asked >= 1) return asked;
  return pending >= PARALLEL_FROM ? defaultThreads() : 1;
}

/**
 * Fewer pending instances than this render on the main thread alone: a thread's start (importing
 * sluice, validating the stacks: about a second at 2,000 apps, while the main thread waits for the
 * first) would cost more than it saves.
 */
export const PARALLEL_FROM = 4_000;

/**
 * The threads to render with by default: one per core the machine offers but
 * one, at most four. The core left over runs the type-check (a process of its
 * own) and the garbage collector's helpers: on a 2-core machine (this
 * project's, whose two cores share one's caches) a second render thread ran
 * at half speed beside the first and saved at most a tenth of the time.
 */
export function defaultThreads(): number {
  return Math.max(1, Math.min(4, os.availableParallelism() - 1));
}

/** How many parts' results may wait for their turn before the main thread stops rendering ahead. */
const AHEAD = 8;

// The worker's entry, as it runs: sluice's compiled JavaScript, or its TypeScript source under tests (through tsx).
const ENTRY = ownEntry(import.meta.url, { source: "./render-worker.ts", compiled: "./render-worker.js", bundle: "render-worker.js" });
const BOOTSTRAP = `
const { workerData } = require("node:worker_threads");
(async () => {
  if (workerData.tsx) (await import(workerData.tsx)).register();
  await import(workerData.entry);
})();
`;

function tsxUrl(): string | undefined {
  if (!RUNNING_AS_SOURCE) return undefined;
  const cjs = createRequire(import.meta.url).resolve("tsx/esm/api");
  const esm = cjs.replace(/\.cjs$/, ".mjs");
  return pathToFileURL(fs.existsSync(esm) ? esm : cjs).href;
}

/**
 * The parts' results in order, rendered by `threads` threads: the main thread
 * (`renderHere`) and worker threads that rebuild the model from the loaded
 * stacks. Each part renders from its instances' inputs alone (render-part.ts),
 * so the results, and the bytes they make, are the same whichever thread
 * rendered a part. A worker that cannot start or fails a part leaves that part
 * to the main thread; stacks whose platform holds code (its own blueprints or
 * rules) cannot be handed to a thread, and render on the main thread alone.
 */
export async function* renderInThreads(
  parts: readonly (readonly PartInstance[])[],
  renderHere: (part: readonly PartInstance[]) => PartResult,
  options: RenderThreadsOptions,
): AsyncGenerator<PartResult> {
  const done = new Map<number, PartResult>();
  const owner = new Map<number, Worker>();
  const takenAt = new Map<number, number>();
  const waits = options.testing?.waits ?? WAITS;
  let next = 0;
  let wake: (() => void) | undefined;
  let ready = false;
  const workers: Worker[] = [];
  const assign = (worker: Worker) => {
    if (next >= parts.length) return;
    const index = next++;
    owner.set(index, worker);
    takenAt.set(index, performance.now());
    const part = parts[index]!.map(({ app, cluster, key }): PartRequest => ({ app: app.name, cluster: cluster.name, key }));
    worker.postMessage({ index, part });
  };
  const orphan = (worker: Worker) => {
    // Its parts go back to the main thread.
    for (const [index, by] of owner) if (by === worker && !done.has(index)) owner.delete(index);
    workers.splice(workers.indexOf(worker), 1);
    wake?.();
  };
  /** Until a worker's message (true) or the time is up (false). */
  const woken = (ms: number) =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), Math.max(0, ms));
      wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  for (let n = 1; n < options.threads; n++) {
    let worker: Worker;
    try {
      worker = new Worker(BOOTSTRAP, {
        eval: true,
        workerData: {
          root: options.root,
          loaded: options.loaded,
          releases: options.releases,
          keepContent: options.keepContent,
          entry: options.testing?.entry ?? ENTRY,
          tsx: tsxUrl(),
        },
      });
    } catch {
      // The stacks cannot be copied to a thread (a platform with code): the main thread renders alone.
      break;
    }
    workers.push(worker);
    worker.on("message", (answer: WorkerAnswer | { ready: true }) => {
      // One the main thread stopped (a part it held took too long): its parts are the main thread's now.
      if (!workers.includes(worker)) return;
      if ("ready" in answer) {
        ready = true;
        // Two parts ahead, so that a worker does not wait while the main thread renders.
        assign(worker);
        assign(worker);
      } else {
        if ("result" in answer) {
          done.set(answer.index, answer.result);
          options.addTimings(answer.timings);
        } else owner.delete(answer.index);
        assign(worker);
      }
      wake?.();
    });
    worker.on("error", () => orphan(worker));
    worker.on("exit", () => {
      if (workers.includes(worker)) orphan(worker);
    });
  }
  try {
    // The first worker to start gets the first parts, so that one always takes part (a thread that
    // started after the main thread had rendered everything would have cost its start for nothing).
    // One that fails to start, and exits, wakes the main thread too; one that takes too long to start is not waited for.
    const startBy = performance.now() + waits.start;
    while (!ready && workers.length > 0 && performance.now() < startBy) await woken(startBy - performance.now());
    wake = undefined;
    for (let index = 0; index < parts.length; index++) {
      while (!done.has(index)) {
        // Not given to a worker (or given back), or, while a worker has it, the next part no one has: rendered here.
        // Only so far ahead: results wait in memory until their turn, files' bytes included.
        const here = !owner.has(index) ? index : next < parts.length && done.size < AHEAD ? next : undefined;
        if (here !== undefined) {
          if (here >= next) next = here + 1;
          done.set(here, renderHere(parts[here]!));
          // The workers' messages (ready, answers) come in only between parts.
          await new Promise<void>((resolve) => setImmediate(resolve));
          continue;
        }
        // A worker holds this part: wait for it, but not past its time. A worker that has not
        // answered by then (stuck) is stopped, and its parts are rendered here.
        const holder = owner.get(index);
        const dueIn = holder ? takenAt.get(index)! + waits.part - performance.now() : waits.part;
        const answered = await woken(dueIn);
        wake = undefined;
        if (!answered && holder && owner.get(index) === holder && !done.has(index)) {
          orphan(holder);
          await holder.terminate();
        }
      }
      const result = done.get(index)!;
      done.delete(index);
      yield result;
    }
  } finally {
    const stopping = [...workers];
    workers.length = 0;
    await Promise.all(stopping.map((worker) => worker.terminate()));
  }
}
