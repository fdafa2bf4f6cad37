import path from "node:path";
import { locatedErrors } from "./locate/index.js";
import type { Diagnostic } from "./model/diagnostic.js";
import type { Finding } from "./policy/finding.js";
import type { Rule } from "./model/rule.js";
import type { Model } from "./model/model.js";
import { stacksCodeowners } from "./pipeline/render/index.js";
import { engineMoveProblems, type Drift } from "./env-repo/index.js";
import type { DiffResult } from "./diff/diff.js";
import type { GatesResult } from "./promote/gates.js";
import { lockOf, openCaches, outDrift, outReader, realRoot, run, type PlanOptions, type Timings } from "./synth.js";

export interface VerifyOptions extends PlanOptions {
  /** The env repo directory, relative to root. Default "out". */
  readonly out?: string;
  /** The git ref a pull request goes into: gates and diff run against it. Without one, only check and the env repo's check. */
  readonly base?: string;
  /** A separate clone of the env repo for diff (see DiffOptions). */
  readonly envRepo?: string;
  /** Use the local caches (see SynthOptions). Default true. */
  readonly cache?: boolean;
  /** The time gates are judged at. Default: now. */
  readonly now?: Date;
}

export interface VerifyResult {
  readonly model: Model;
  /** What `sluice check` reports: the rules' findings, waived ones left out. */
  readonly check: { readonly findings: readonly Finding[]; readonly waived: number; readonly rules: readonly Rule[] };
  /**
   * What `sluice synth --check` reports: how out/ differs from the stacks, or
   * why it could not be written (a cluster changing engine unsafely).
   */
  readonly synth: { readonly drift: Drift; readonly problems: readonly Diagnostic[] };
  /** `sluice gates --base`, with a base. */
  readonly gates?: GatesResult;
  /** `sluice diff --base`, with a base. */
  readonly diff?: DiffResult;
  readonly timings: Timings & { readonly gates?: number; readonly diff?: number };
}

/**
 * `sluice verify [--base <ref>]`: what a pull request's pipeline runs —
 * check, `synth --check`, and with a base gates and diff — from one load,
 * one type-check and one render, each part's result as its own command
 * reports it. A compile error stops it all (a SluiceError, as each command
 * would stop); anything the parts find is in the result, none hiding another.
 */
export async function verify(options: VerifyOptions = {}): Promise<VerifyResult> {
  return locatedErrors(realRoot(options.root), async () => {
    const root = realRoot(options.root);
    const cacheRoot = options.cache === false ? undefined : root;
    const { renderCache, loadCache } = openCaches(root, options.cache);
    const out = options.out ?? "out";
    const outDir = path.resolve(root, out);
    const { stats, prefetched } = outReader(cacheRoot, outDir, true, options.partition);
    const { model, lazy, timings, remember, policy } = await run(
      { ...options, root, keepContent: false, partitionLock: () => lockOf(outDir, true) },
      { renderCache, loadCache },
    );

    options.onStage?.("compare");
    let start = performance.now();
    const problems = engineMoveProblems(outDir, model.platform);
    const drift = await outDrift(outDir, lazy, stacksCodeowners(root, model, out), stats, prefetched);
    timings.compare = performance.now() - start;

    let gatesResult: GatesResult | undefined;
    let diffResult: DiffResult | undefined;
    const more: { gates?: number; diff?: number } = {};
    if (options.base !== undefined) {
      start = performance.now();
      const { gates } = await import("./promote/gates.js");
      gatesResult = await gates({
        root,
        ...(options.stacks ? { stacks: options.stacks } : {}),
        base: options.base,
        model,
        ...(options.now ? { now: options.now } : {}),
      });
      more.gates = performance.now() - start;
      start = performance.now();
      const { diffPlan } = await import("./diff/diff.js");
      diffResult = await diffPlan(root, model, lazy, {
        envDir: outDir,
        base: options.base,
        ...(options.envRepo !== undefined ? { envRepo: options.envRepo } : {}),
      });
      more.diff = performance.now() - start;
    }
    renderCache.save();
    remember();
    return {
      model,
      check: { findings: lazy.findings, waived: lazy.waived, rules: policy.rules },
      synth: { drift, problems },
      ...(gatesResult ? { gates: gatesResult } : {}),
      ...(diffResult ? { diff: diffResult } : {}),
      timings: { ...timings, ...more },
    };
  });
}
