import path from "node:path";
import { webService } from "../lib/blueprints/web-service.js";
import type { Model } from "./model/model.js";
import type { FilePlan } from "./model/plan.js";
import type { Blueprint } from "./model/rendered.js";
import type { ResolvedApp } from "./model/resolved.js";
import { check } from "./pipeline/check.js";
import { compare, type Drift } from "./pipeline/compare.js";
import { discoverStacks } from "./pipeline/discover.js";
import { emit } from "./pipeline/emit.js";
import { loadStacks } from "./pipeline/load.js";
import { render } from "./pipeline/render.js";
import { resolve } from "./pipeline/resolve.js";
import type { TypecheckEngine } from "./pipeline/typecheck.js";
import { validate } from "./pipeline/validate.js";
import { writePlan, type WriteResult } from "./pipeline/write.js";

export interface PlanOptions {
  /** Project root: stack paths in messages and the lock are relative to it. Default: the current directory. */
  readonly root?: string;
  /** Directory of stack files, relative to root. Default "stacks". */
  readonly stacks?: string;
  /** Use exactly these stack files (relative to root) instead of discovering them. */
  readonly stackFiles?: readonly string[];
  /** Skip the type-check, e.g. when CI already runs tsc. Default false. */
  readonly skipTypecheck?: boolean;
  readonly typecheckEngine?: TypecheckEngine;
  /** Renders each app's workload. Default: the web-service blueprint. */
  readonly blueprint?: Blueprint;
  /** Called as each stage starts, for progress output. */
  readonly onStage?: (stage: Stage) => void;
}

export type Stage = "load" | "validate" | "resolve" | "render" | "check" | "emit" | "write" | "compare";

export interface SynthOptions extends PlanOptions {
  /** The env repo directory, relative to root. Default "out". */
  readonly out?: string;
  /** Compare out/ with the stacks instead of writing it. */
  readonly check?: boolean;
}

export interface Planned {
  readonly model: Model;
  readonly resolved: readonly ResolvedApp[];
  readonly plan: FilePlan;
  /** Milliseconds spent per stage. */
  readonly timings: Readonly<Partial<Record<Stage | "typecheck", number>>>;
}

export interface SynthResult extends Planned {
  /** Set when out/ was written. */
  readonly write?: WriteResult;
  /** Set with `check`: how out/ differs from the stacks. */
  readonly drift?: Drift;
}

/**
 * Compiles the stacks into a file plan. Pure apart from reading the stacks:
 * load → validate → resolve → render → check → emit.
 */
export async function plan(options: PlanOptions = {}): Promise<Planned> {
  const root = path.resolve(options.root ?? ".");
  const timings: Partial<Record<Stage | "typecheck", number>> = {};
  const time = async <T>(stage: Stage, run: () => T | Promise<T>): Promise<T> => {
    options.onStage?.(stage);
    const start = performance.now();
    try {
      return await run();
    } finally {
      timings[stage] = performance.now() - start;
    }
  };

  const files = options.stackFiles ? [...options.stackFiles].sort() : discoverStacks(root, options.stacks ?? "stacks");
  const loaded = await time("load", () =>
    loadStacks(root, files, {
      ...(options.skipTypecheck !== undefined ? { skipTypecheck: options.skipTypecheck } : {}),
      ...(options.typecheckEngine ? { typecheckEngine: options.typecheckEngine } : {}),
      onTypecheck: (ms) => (timings.typecheck = ms),
    }),
  );
  const model = await time("validate", () => validate(root, loaded));
  const resolved = await time("resolve", () => resolve(root, model));
  const rendered = await time("render", () => render(model, resolved, options.blueprint ?? webService));
  await time("check", () => check(root, rendered));
  const filePlan = await time("emit", () => emit(rendered));
  return { model, resolved, plan: filePlan, timings };
}

/**
 * `sluice synth`: compiles the stacks and writes out/, or with `check`
 * compares out/ with them. Throws SluiceError (nothing written) when the
 * stacks are wrong or out/ holds files sluice does not own.
 */
export async function synth(options: SynthOptions = {}): Promise<SynthResult> {
  const planned = await plan(options);
  const outDir = path.resolve(options.root ?? ".", options.out ?? "out");
  const timings = { ...planned.timings };
  const start = performance.now();
  if (options.check) {
    options.onStage?.("compare");
    const drift = await compare(outDir, planned.plan);
    timings.compare = performance.now() - start;
    return { ...planned, timings, drift };
  }
  options.onStage?.("write");
  const write = await writePlan(outDir, planned.plan);
  timings.write = performance.now() - start;
  return { ...planned, timings, write };
}
