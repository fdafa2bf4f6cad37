import { locatedErrors } from "./locate/index.js";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { builtInBlueprints } from "../lib/blueprints/index.js";
import { builtInRules } from "../lib/rules/index.js";
import { AdmissionCompileCache } from "./policy/admission-compile-cache.js";
import { PolicyViolation, SluiceError } from "./errors.js";
import type { Finding } from "./policy/finding.js";
import type { Rule } from "./model/rule.js";
import { buildPolicy, type Policy } from "./policy/policy.js";
import { utcToday } from "./policy/waivers.js";
import { blueprintRegistry, type InstanceRef, RenderCache, stacksCodeowners, writeStacksCodeowners } from "./pipeline/render/index.js";
import {
  checkOutLocation,
  compare,
  engineMoveProblems,
  type Drift,
  Prefetch,
  readOwned,
  Spill,
  StatCache,
  writePlan,
  type WriteResult,
} from "./env-repo/index.js";
import type { Model } from "./model/model.js";
import type { FilePlan } from "./model/plan.js";
import type { Blueprint } from "./model/rendered.js";
import type { ResolvedApp } from "./model/resolved.js";
import type { DiffResult } from "./diff/diff.js";
import { discoverStacks, LoadCache, type LoadedStacks, relativeTo, startLoad, type TypeChecker } from "./pipeline/load/index.js";
import { type GatherOptions, validate } from "./pipeline/validate/index.js";
import { finishFiles, PartsTaken, prepareFiles, type LazyPlan } from "./pipeline/plan-files.js";
import { takeParts } from "./render-threads.js";
import { resolve } from "./pipeline/resolve/index.js";
import { scratchDir } from "./cache/cache-dir.js";
import { beyondPartition, type Partition, type PartitionSpec } from "./model/partition.js";
import { choosePartition } from "./pipeline/validate/index.js";

export interface PlanOptions {
  /** Project root: stack paths in messages and the lock are relative to it. Default: the current directory. */
  readonly root?: string;
  /** Directory of stack files, relative to root. Default "stacks". */
  readonly stacks?: string;
  /** Use exactly these stack files (relative to root) instead of discovering them. */
  readonly stackFiles?: readonly string[];
  /** Skip the type-check, e.g. when CI already runs tsc. Default false. */
  readonly skipTypecheck?: boolean;
  readonly typeChecker?: TypeChecker;
  /**
   * Renders the workload of each app that chooses no `blueprint`. Default:
   * the built-in web-service blueprint. Apps that choose one by name get it
   * from the built-in ones and the platform's `blueprints`.
   */
  readonly blueprint?: Blueprint;
  /** Called as each stage starts, for progress output. */
  readonly onStage?: (stage: Stage) => void;
  /** The date waivers are judged on, "YYYY-MM-DD". Default: today (UTC). */
  readonly today?: string;
  /**
   * Accept gated waves' releases written in app stacks (normally an error):
   * for `sluice releases --split`, which moves them to release files.
   */
  readonly inlineGatedReleases?: "allow";
  /**
   * Threads that render the pending app instances, the main thread included
   * (default: one per core but one, at most four, from 4,000 pending
   * instances; also SLUICE_WORKERS). The output is the same, byte for byte,
   * with any number.
   */
  readonly workers?: number;
  /**
   * Render and check only some clusters' files (and the env repo's own):
   * `{ clusters: [...] }`, or `{ index, count }` for group i of n (see
   * model/partition.ts). Fleet-wide rules still judge the whole model.
   */
  readonly partition?: PartitionSpec;
}

export type Stage = "load" | "validate" | "resolve" | "render" | "inspect" | "policy" | "emit" | "write" | "compare";

export interface SynthOptions extends PlanOptions {
  /** The env repo directory, relative to root. Default "out". */
  readonly out?: string;
  /** Compare out/ with the stacks instead of writing it. */
  readonly check?: boolean;
  /**
   * Use the local caches under node_modules/.cache/sluice (render results,
   * out/'s file stats). Default true. They never change a result.
   */
  readonly cache?: boolean;
}

export interface Planned {
  readonly model: Model;
  /** Every app instance's merged spec (what blueprints render from). */
  readonly resolved: readonly ResolvedApp[];
  /** Every app instance, in app then cluster order. */
  readonly instances: readonly InstanceRef[];
  readonly plan: FilePlan;
  /** What the policy rules found (waived findings left out), in a stable order. */
  readonly findings: readonly Finding[];
  /** How many findings waivers covered. */
  readonly waived: number;
  /** Milliseconds spent per stage. */
  readonly timings: Readonly<Partial<Record<Stage | "typecheck", number>>>;
  /** What the local caches saved: see README, "Speed". */
  readonly reuse: {
    readonly load: "all" | "partly" | "none";
    readonly typecheck: "none" | "some" | "all";
    readonly instancesRendered: number;
    /** Threads that rendered (see `workers`), and how many parts of PART instances worker threads rendered. */
    readonly threads: number;
    readonly partsByWorkers: number;
  };
}

export interface SynthResult extends Omit<Planned, "plan" | "resolved"> {
  /**
   * The app instances rendered in this run (those not in the render cache).
   * Their merged specs are not kept: a fleet's would not fit in memory (see
   * `plan()` for them).
   */
  readonly rendered: readonly InstanceRef[];
  /** The plan; with the render cache, files of unchanged instances carry no `content`. */
  readonly plan: Pick<LazyPlan, "files" | "lock">;
  /** Set when out/ was written. */
  readonly write?: WriteResult;
  /** Set with `check`: how out/ differs from the stacks. */
  readonly drift?: Drift;
  /** With a partition: its clusters, sorted (the run read and wrote only their files and the env repo's own). */
  readonly clusters?: readonly string[];
}

export type Timings = Partial<Record<Stage | "typecheck", number>>;

export interface DiffOptions extends PlanOptions {
  /** The git ref to compare with. Default "HEAD". */
  readonly base?: string;
  /** This repo's env repo directory, relative to root. Default "out". */
  readonly out?: string;
  /** A separate clone of the env repo to compare with instead (its `envRepo.path` inside it). */
  readonly envRepo?: string;
  /** Use the local caches (see SynthOptions). Default true. */
  readonly cache?: boolean;
}

/**
 * Compiles the stacks into a file plan with every file's bytes. Pure apart
 * from reading the stacks, and uses no cache:
 * load → validate → resolve → render → inspect → emit.
 */
export async function plan(options: PlanOptions = {}): Promise<Planned> {
  const root = realRoot(options.root);
  return locatedErrors(root, async () => {
    const { model, lazy, timings, reuse } = await run(options, {});
    return {
      model,
      // Resolved again here, for the callers that read the merged specs: synth keeps none of them.
      resolved: resolve(root, model),
      instances: lazy.instances,
      // Every file's bytes, asked for: kept in memory, not spilled.
      plan: { files: lazy.materialize(lazy.files.map((f) => f.path)), lock: lazy.lock },
      findings: lazy.findings,
      waived: lazy.waived,
      timings,
      reuse,
    };
  });
}

/** Where release files live, as validate reads it: the stacks directory relative to the root, with forward slashes. */
function releaseOptions(root: string, options: PlanOptions): GatherOptions {
  const stacks = relativeTo(root, path.resolve(root, options.stacks ?? "stacks")) || ".";
  return { stacks, ...(options.inlineGatedReleases ? { inlineGated: options.inlineGatedReleases } : {}) };
}

/**
 * The validated model of the stacks, without resolving or rendering anything:
 * what promote, status and gates read (the waves, gates, releases and where
 * each app is declared). Type-checks unless told not to.
 */
export async function loadModel(options: PlanOptions = {}): Promise<Model> {
  return locatedErrors(realRoot(options.root), async () => {
    const root = realRoot(options.root);
    const files = options.stackFiles ? [...options.stackFiles].sort() : discoverStacks(root, options.stacks ?? "stacks");
    const started = await startLoad(root, files, {
      ...(options.skipTypecheck !== undefined ? { skipTypecheck: options.skipTypecheck } : {}),
      ...(options.typeChecker ? { typeChecker: options.typeChecker } : {}),
    });
    try {
      return validate(root, started.loaded, builtInRules, undefined, releaseOptions(root, options));
    } finally {
      await started.typechecked;
    }
  });
}

/**
 * `sluice synth`: compiles the stacks and writes out/, or with `check`
 * compares out/ with them. Throws SluiceError (nothing written) when the
 * stacks are wrong or out/ holds files sluice does not own, and
 * PolicyViolation (nothing written) when a rule finds an error.
 */
export async function synth(options: SynthOptions = {}): Promise<SynthResult> {
  return locatedErrors(realRoot(options.root), async () => {
    const root = realRoot(options.root);
    checkOutLocation(root, path.resolve(root, options.stacks ?? "stacks"), options.out ?? "out");
    const cacheRoot = options.cache === false ? undefined : root;
    const { renderCache, loadCache } = openCaches(root, options.cache);
    // --check compares digests only: the instances' bytes need not be kept.
    // Otherwise they wait for the write on disk, not in memory (see spill.ts).
    const spill = options.check ? undefined : new Spill(scratchDir(root));
    const { stats, prefetched } = outReader(cacheRoot, path.resolve(root, options.out ?? "out"), Boolean(options.check), options.partition);
    try {
      return await synthWith(root, options, { renderCache, loadCache, stats, ...(prefetched ? { prefetched } : {}) }, spill);
    } finally {
      spill?.close();
    }
  });
}

async function synthWith(
  root: string,
  options: SynthOptions,
  {
    renderCache,
    loadCache,
    stats,
    prefetched,
  }: { readonly renderCache: RenderCache; readonly loadCache: LoadCache; readonly stats: StatCache; readonly prefetched?: Prefetch },
  spill: Spill | undefined,
): Promise<SynthResult> {
  const outDir = path.resolve(root, options.out ?? "out");
  const { model, lazy, timings, remember, reuse } = await run(
    { ...options, root, keepContent: !options.check, ...(spill ? { spill } : {}), partitionLock: () => lockOf(outDir, options.check) },
    { renderCache, loadCache },
  );
  if (lazy.findings.some((finding) => finding.severity === "error")) {
    // What was rendered is sound: keep it for the run after the fix.
    renderCache.save();
    remember();
    throw new PolicyViolation(lazy.findings, lazy.waived);
  }
  // Before anything is written: a cluster's engine changes in two steps, as the env repo shows them.
  const moves = engineMoveProblems(outDir, model.platform);
  if (moves.length > 0) throw new SluiceError("A cluster would change engine unsafely; nothing was written.", moves);
  // Before anything is written: a CODEOWNERS file sluice cannot keep stops the run.
  const owners = stacksCodeowners(root, model, options.out ?? "out");
  const start = performance.now();
  const result = {
    model,
    rendered: lazy.rendered,
    instances: lazy.instances,
    plan: { files: lazy.files, lock: lazy.lock },
    findings: lazy.findings,
    waived: lazy.waived,
    timings,
    reuse,
    ...(lazy.partition ? { clusters: [...lazy.partition.clusters].sort() } : {}),
  };
  if (options.check) {
    options.onStage?.("compare");
    const drift = await outDrift(outDir, lazy, owners, stats, prefetched);
    timings.compare = performance.now() - start;
    renderCache.save();
    remember();
    return { ...result, drift };
  }
  options.onStage?.("write");
  const written = await writePlan(outDir, lazy, stats);
  const write = owners && writeStacksCodeowners(owners) ? { ...written, outside: [owners.file] } : written;
  timings.write = performance.now() - start;
  saveStats(stats, lazy);
  renderCache.save();
  remember();
  return { ...result, write };
}

/**
 * What reads out/ for a comparison: its stat cache, and — when the cache
 * vouches for no file (a new checkout) and every file must be read — the
 * files read ahead on a worker thread while the stacks load and render.
 */
export function outReader(
  cacheRoot: string | undefined,
  outDir: string,
  comparing: boolean,
  partition?: PartitionSpec,
): { stats: StatCache; prefetched?: Prefetch } {
  const stats = StatCache.load(cacheRoot, outDir);
  // A partition reads only its own clusters' files; the read-ahead would read every partition's.
  return comparing && !partition && stats.empty && fs.existsSync(outDir) ? { stats, prefetched: new Prefetch(outDir) } : { stats };
}

/** How out/ (and sluice's section of the stacks' CODEOWNERS) differs from the plan; the stat cache saved. */
export async function outDrift(
  outDir: string,
  lazy: LazyPlan,
  owners: ReturnType<typeof stacksCodeowners>,
  stats: StatCache,
  prefetched: Prefetch | undefined,
): Promise<Drift> {
  const compared = await compare(outDir, lazy, { stats, ...(prefetched ? { prefetched } : {}) });
  saveStats(stats, lazy);
  return owners && owners.current !== owners.wanted ? { ...compared, outside: [owners.file] } : compared;
}

/** Saves out/'s stat cache after a run: the plan's files, and as they were, another partition's. */
function saveStats(stats: StatCache, lazy: LazyPlan): void {
  const { partition } = lazy;
  stats.save(
    lazy.files.map((file) => file.path),
    partition && ((path) => beyondPartition(partition, path)),
  );
}

/**
 * The files the lock in an env repo directory lists, for a partition's plan
 * to keep the others' lines. For a comparison, a lock that cannot be read
 * counts as empty (the comparison then finds it stale); a write refuses it.
 */
export function lockOf(dir: string, comparing: boolean | undefined): ReadonlyMap<string, readonly string[]> {
  try {
    return readOwned(dir);
  } catch (error) {
    if (comparing && error instanceof SluiceError) return new Map();
    throw error;
  }
}

export interface CheckResult {
  readonly model: Model;
  /** What the rules found (waived findings left out), in a stable order. */
  readonly findings: readonly Finding[];
  readonly waived: number;
  /** The rules in force: the built-in ones, then the platform's. */
  readonly rules: readonly Rule[];
  readonly timings: Readonly<Partial<Record<Stage | "typecheck", number>>>;
}

/**
 * `sluice check`: the whole pipeline — type-check, validation, render,
 * schema and secret checks, policy rules — writing nothing. Throws
 * SluiceError when the stacks cannot be compiled; returns the findings
 * otherwise, errors included.
 */
export async function checkPolicy(options: PlanOptions & { readonly cache?: boolean } = {}): Promise<CheckResult> {
  return locatedErrors(realRoot(options.root), async () => {
    const root = realRoot(options.root);
    const { renderCache, loadCache } = openCaches(root, options.cache);
    const { model, lazy, timings, remember, policy } = await run({ ...options, root, keepContent: false }, { renderCache, loadCache });
    renderCache.save();
    remember();
    return { model, findings: lazy.findings, waived: lazy.waived, rules: policy.rules, timings };
  });
}

/**
 * `sluice diff`: compiles the stacks in memory and compares the result,
 * object by object, with the env repo as committed at a git ref. Reads git's
 * objects only: never checks anything out, never writes out/.
 */
export async function diff(options: DiffOptions = {}): Promise<DiffResult> {
  return locatedErrors(realRoot(options.root), async () => {
    const root = realRoot(options.root);
    const { renderCache, loadCache } = openCaches(root, options.cache);
    const envDir = (model: Model) =>
      options.envRepo !== undefined
        ? path.resolve(root, options.envRepo, model.platform.envRepo.path)
        : path.resolve(root, options.out ?? "out");
    const { model, lazy, remember } = await run(
      { ...options, root, keepContent: false, partitionLock: (model) => lockOf(envDir(model), true) },
      { renderCache, loadCache },
    );
    const { diffPlan } = await import("./diff/diff.js");
    const result = await diffPlan(root, model, lazy, {
      envDir: path.resolve(root, options.out ?? "out"),
      ...(options.base !== undefined ? { base: options.base } : {}),
      ...(options.envRepo !== undefined ? { envRepo: options.envRepo } : {}),
    });
    renderCache.save();
    remember();
    return result;
  });
}

/** The render and load caches of the project at `root` (empty stand-ins with `cache: false`). */
export function openCaches(root: string, cache: boolean | undefined): { renderCache: RenderCache; loadCache: LoadCache } {
  const cacheRoot = cache === false ? undefined : root;
  return { renderCache: RenderCache.load(cacheRoot), loadCache: LoadCache.open(root, cacheRoot !== undefined) };
}

export interface Caches {
  readonly renderCache?: RenderCache;
  readonly loadCache?: LoadCache;
}

export interface Ran {
  readonly model: Model;
  readonly lazy: LazyPlan;
  readonly timings: Timings;
  /** Saves what the load cache needs after a run that succeeded. */
  readonly remember: () => void;
  readonly reuse: Planned["reuse"];
  /** The rules in force, as the run evaluated them. */
  readonly policy: Policy;
}

/** One compile of the stacks: load, type-check, validate, and the lazy plan (for the API's commands, and verify.ts). */
export async function run(
  options: PlanOptions & {
    readonly cache?: boolean;
    readonly keepContent?: boolean;
    readonly spill?: Spill;
    /** With a partition: the lock whose lines for other partitions' files the plan keeps (default: none). */
    readonly partitionLock?: (model: Model) => ReadonlyMap<string, readonly string[]>;
  },
  { renderCache, loadCache }: Caches,
): Promise<Ran> {
  const root = realRoot(options.root);
  const timings: Timings = {};
  const time = <T>(stage: Stage, work: () => T): T => {
    options.onStage?.(stage);
    const start = performance.now();
    try {
      return work();
    } finally {
      timings[stage] = (timings[stage] ?? 0) + performance.now() - start;
    }
  };

  const files = options.stackFiles ? [...options.stackFiles].sort() : discoverStacks(root, options.stacks ?? "stacks");
  options.onStage?.("load");
  const loadStart = performance.now();
  const started = await startLoad(root, files, {
    ...(options.skipTypecheck !== undefined ? { skipTypecheck: options.skipTypecheck } : {}),
    ...(options.typeChecker ? { typeChecker: options.typeChecker } : {}),
    ...(loadCache ? { cache: loadCache } : {}),
    onTypecheck: (ms) => (timings.typecheck = ms),
  });
  timings.load = performance.now() - loadStart;
  let model: Model;
  let lazy: LazyPlan;
  let policy: Policy;
  let threads = 1;
  let partsByWorkers = 0;
  try {
    model = time("validate", () =>
      validate(
        root,
        started.loaded,
        builtInRules,
        AdmissionCompileCache.load(renderCache && options.cache !== false ? root : undefined),
        releaseOptions(root, options),
      ),
    );
    const partition: Partition | undefined = options.partition && choosePartition(model, options.partition);
    const prepared = prepareFiles(root, model, {
      ...(partition ? { partition: { clusters: partition, lock: () => options.partitionLock?.(model) ?? new Map() } } : {}),
      blueprints: blueprintRegistry(builtInBlueprints, model.platform.blueprints, options.blueprint),
      ...(renderCache ? { renderCache } : {}),
      policy: (policy = buildPolicy(model.platform, builtInRules, () => hashFiles(root, started.loaded.imported))),
      today: options.today ?? utcToday(),
      time,
      ...(options.keepContent === false ? { keepContent: false } : {}),
      ...(options.spill ? { spill: options.spill } : {}),
    });
    const taken = new PartsTaken(prepared);
    ({ threads, partsByWorkers } = await takeParts(prepared, taken, {
      root,
      loaded: started.loaded,
      releases: releaseOptions(root, options),
      ...(options.workers !== undefined ? { workers: options.workers } : {}),
      codeBlueprint: options.blueprint !== undefined,
      addTimings: (more) => {
        for (const [stage, ms] of Object.entries(more)) timings[stage as Stage] = (timings[stage as Stage] ?? 0) + ms;
      },
    }));
    lazy = finishFiles(prepared, taken);
  } catch (error) {
    // A type error explains whatever went wrong after it: report it instead.
    await started.typechecked;
    throw error;
  }
  const typechecked = await started.typechecked;
  const loaded: LoadedStacks = started.loaded;
  return {
    model,
    lazy,
    timings,
    remember: () => loadCache?.save(files, loaded, typechecked),
    reuse: {
      load: started.reused,
      typecheck: started.typecheck,
      instancesRendered: lazy.rendered.length,
      threads,
      partsByWorkers,
    },
    policy,
  };
}

/** A hash of these project files' contents (a file that cannot be read counts as empty). */
function hashFiles(root: string, files: readonly string[]): string {
  const hash = createHash("sha256");
  for (const file of [...files].sort()) {
    let content: Buffer | string = "";
    try {
      content = fs.readFileSync(path.join(root, file));
    } catch {
      // Gone since the load: the load cache notices on the next run.
    }
    hash.update(file).update("\0").update(content).update("\0");
  }
  return hash.digest("hex");
}

/** The project root as a real path, so that a symlinked --root changes no path sluice writes or prints. */
export function realRoot(root: string | undefined): string {
  const absolute = path.resolve(root ?? ".");
  try {
    return fs.realpathSync(absolute);
  } catch {
    return absolute;
  }
}
