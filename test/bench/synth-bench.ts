/**
 * `npm run bench`: runs the `sluice` command as a user does — a fresh Node
 * process each time, start-up and type-check included — on generated fleets,
 * and prints one JSON line per fleet:
 *
 *   cold_s           first synth: no out/, no caches
 *   noop_s           the same again, nothing changed
 *   diff_s           `sluice diff` after that bump, against the committed env repo (HEAD)
 *   one_app_s        then `sluice synth` of the bump
 *   check_fresh_s    `synth --check` in a fresh clone (stacks and out/, no caches)
 *   pipeline_separate_fresh_s  a pull request's pipeline as four commands (check, synth --check,
 *                    gates, diff) on a fresh clone of the bump against main, no caches
 *   pipeline_verify_fresh_s    the same as one `sluice verify --base main`, no caches
 *   pipeline_verify_restored_s  that verify with the caches of a verify on main restored
 *   check_s          `sluice check --no-cache`: the whole pipeline and every rule, writing nothing
 *   policy_s         of which evaluating the rules (the "policy" stage, timed inside the process)
 *   policy_share     policy_s over cold_s: what the rules add to a synth
 *   written_*        files each run wrote
 *   peak_mb          the largest resident memory of any of those runs
 *   files_per_instance  committed files per app instance (manifest + Application)
 *
 * Flags: --fleet 500x4 (repeatable; default 500x4 and 2000x5), --runs N (median
 * of N, default 1), --scaling (cold synths of 50, 500 and 5,000 apps × 4
 * clusters: milliseconds per app instance, and the largest over the smallest),
 * --partitioned 10000x50/10 (a fleet past one runner: A apps on C clusters in
 * P partitions; one partition measured, `synth --partition 1/P`: cold, no-op,
 * one app changed, `--check` on a fresh clone, peak memory; the fleet's total
 * extrapolated from it, and said to be); with --argocd-applications per-team
 * its Argo CD clusters get one ApplicationSet per team instead of an
 * Application per instance. With --partitioned only, no --fleet runs unless
 * asked for.
 * --paired (with --fleet, or 500x4 and 2000x5): the issues' targets, which are
 * ratios to cdk8s in the same run. Each round runs the cdk8s anchor of
 * ../shared/bench (or --anchor DIR) on its fleet of A apps × C environments,
 * then `sluice synth` cold, no-op and one app changed on the same fleet as
 * the anchor's sluice-fleet.mjs writes it, alternating; --runs rounds
 * (default 3). Prints each round's seconds, the medians and the ratios.
 * A benchmark, not a test: it asserts nothing and never runs in `npm test`.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { CLI, makeProject, REPO, type Project } from "../helpers/project.js";
import { appName, fleetStacks } from "./fleet.js";

const args = process.argv.slice(2);
const flag = (name: string) => args.flatMap((arg, i) => (arg === name && args[i + 1] ? [args[i + 1]!] : []));
const paired = args.includes("--paired");
const runs = Number(flag("--runs")[0] ?? (paired ? 3 : 1));
const partitioned = flag("--partitioned");
// --argocd-applications per-team: the partitioned fleet's Argo CD clusters get one ApplicationSet per team.
const applications = flag("--argocd-applications")[0] === "per-team" ? "per-team" : "per-app";
const fleets = flag("--fleet").length > 0 ? flag("--fleet") : partitioned.length > 0 ? [] : ["500x4", "2000x5"];
const log = (text: string) => process.stderr.write(`${text}\n`);
const HAS_TIME = fs.existsSync("/usr/bin/time");

interface Run {
  readonly seconds: number;
  readonly peakMb: number | undefined;
  readonly written: number;
  /** Milliseconds in the policy stage, where the command reports it. */
  readonly policyMs: number;
}

/** One `sluice synth` (or another command) as a user runs it, timed from outside the process. */
function sluice(project: Project, ...extra: string[]): Run {
  const command = ["diff", "check", "verify", "gates"].includes(extra[0]!)
    ? [process.execPath, CLI, ...extra, "--format", "json"]
    : [process.execPath, CLI, "synth", "--format", "json", ...extra];
  const argv = HAS_TIME ? ["/usr/bin/time", "-f", "sluice-bench-rss %M", ...command] : command;
  const start = performance.now();
  const run = spawnSync(argv[0]!, argv.slice(1), { cwd: project.root, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  const seconds = (performance.now() - start) / 1000;
  if (run.status !== 0 && !((extra.includes("--check") || extra[0] === "verify" || extra[0] === "gates") && run.status === 1))
    throw new Error(`sluice ${extra.join(" ") || "synth"} failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
  const rss = /sluice-bench-rss (\d+)/.exec(run.stderr)?.[1];
  const summary = JSON.parse(run.stdout) as { written?: string[]; timings?: { policy?: number } };
  return {
    seconds,
    peakMb: rss ? Math.round(Number(rss) / 1024) : undefined,
    written: summary.written?.length ?? 0,
    policyMs: summary.timings?.policy ?? 0,
  };
}

/** The project as a git repository with everything committed, as diff compares with HEAD. */
function commitAll(project: Project): void {
  project.write(".gitignore", "node_modules/\n");
  const git = (...args: string[]) => {
    const run = spawnSync("git", args, { cwd: project.root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (run.status !== 0) throw new Error(`git ${args[0]} failed:\n${run.stderr}`);
  };
  git("init", "-q", "--initial-branch=main");
  git("add", "-A");
  git("-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-q", "-m", "env repo");
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

function clone(from: Project, dirs: readonly string[] = ["stacks", "out"]): Project {
  const to = makeProject();
  for (const dir of dirs) fs.cpSync(path.join(from.root, dir), path.join(to.root, dir), { recursive: true });
  return to;
}

/**
 * What a pull request's pipeline costs on a fresh runner, the change (one app
 * bumped, out/ synthesised) against main: the four commands one by one, as
 * the pipeline ran them before `sluice verify`; `verify` alone with no
 * caches; and `verify` with the caches a run on main left, restored.
 */
function benchPipeline(project: Project): { separate: Run[]; fresh: Run; restored: Run } {
  const fresh = () => clone(project, ["stacks", "out", ".git", ".gitignore"]);
  log("pipeline: check, synth --check, gates and diff, one by one, on a fresh clone…");
  const one = fresh();
  const separate = [
    sluice(one, "check"),
    sluice(one, "--check"),
    sluice(one, "gates", "--base", "main"),
    sluice(one, "diff", "--base", "main", "--skip-typecheck"),
  ];
  log("pipeline: verify on a fresh clone…");
  const verified = sluice(fresh(), "verify", "--base", "main");
  log("pipeline: verify with main's caches restored…");
  const main = fresh();
  spawnSync("git", ["checkout", "-q", "-f", "main", "--", "stacks", "out"], { cwd: main.root });
  sluice(main, "verify");
  const pr = fresh();
  fs.cpSync(path.join(main.root, "node_modules/.cache/sluice"), path.join(pr.root, "node_modules/.cache/sluice"), { recursive: true });
  const restored = sluice(pr, "verify", "--base", "main");
  return { separate, fresh: verified, restored };
}

function committedInstanceFiles(project: Project): number {
  const out = path.join(project.root, "out");
  const apps = fs.readdirSync(path.join(out, "apps"), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;
  // clusters/<cluster>/apps/[<team>/]<app>.yaml, in either layout.
  const applications = fs
    .readdirSync(path.join(out, "clusters"))
    .flatMap((cluster) =>
      fs
        .readdirSync(path.join(out, "clusters", cluster, "apps"), { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile() && e.name !== "kustomization.yaml"),
    );
  return apps + applications.length;
}

function benchFleet(spec: string): Record<string, unknown> {
  const [apps, clusters] = spec.split("x").map(Number) as [number, number];
  const samples: {
    cold: Run;
    noop: Run;
    diffed: Run;
    oneApp: Run;
    check: Run;
    rules: Run;
    pipeline: ReturnType<typeof benchPipeline>;
  }[] = [];
  let project: Project | undefined;
  for (let i = 0; i < runs; i++) {
    project = makeProject(fleetStacks(apps, clusters));
    log(`${spec}: run ${i + 1}/${runs}: cold…`);
    const cold = sluice(project);
    log(`${spec}: no-op…`);
    const noop = sluice(project);
    commitAll(project);
    const bumped = `stacks/${appName(1)}.ts`;
    project.write(bumped, project.read(bumped).replace(/"1\.1\.1"/g, '"1.1.9"'));
    log(`${spec}: diff of one app…`);
    const diffed = sluice(project, "diff");
    log(`${spec}: one app changed…`);
    const oneApp = sluice(project);
    log(`${spec}: --check on a fresh clone…`);
    const check = sluice(clone(project), "--check");
    log(`${spec}: sluice check, no caches…`);
    const rules = sluice(project, "check", "--no-cache");
    const pipeline = benchPipeline(project);
    samples.push({ cold, noop, diffed, oneApp, check, rules, pipeline });
  }
  const seconds = (pick: (s: (typeof samples)[number]) => Run) => Math.round(median(samples.map((s) => pick(s).seconds)) * 100) / 100;
  const instances = apps * clusters;
  const peaks = samples.flatMap((s) =>
    [s.cold, s.noop, s.diffed, s.oneApp, s.check, s.rules, ...s.pipeline.separate, s.pipeline.fresh, s.pipeline.restored].map(
      (r) => r.peakMb ?? 0,
    ),
  );
  return {
    fleet: spec,
    apps,
    clusters,
    instances,
    files: committedInstanceFiles(project!),
    cold_s: seconds((s) => s.cold),
    noop_s: seconds((s) => s.noop),
    diff_s: seconds((s) => s.diffed),
    one_app_s: seconds((s) => s.oneApp),
    check_fresh_s: seconds((s) => s.check),
    check_s: seconds((s) => s.rules),
    pipeline_separate_fresh_s:
      Math.round(median(samples.map((s) => s.pipeline.separate.reduce((sum, run) => sum + run.seconds, 0))) * 100) / 100,
    pipeline_verify_fresh_s: seconds((s) => s.pipeline.fresh),
    pipeline_verify_restored_s: seconds((s) => s.pipeline.restored),
    policy_s: Math.round(median(samples.map((s) => s.rules.policyMs)) / 10) / 100,
    policy_share:
      Math.round((median(samples.map((s) => s.rules.policyMs)) / 1000 / median(samples.map((s) => s.cold.seconds))) * 100) / 100,
    written_cold: samples[0]!.cold.written,
    written_noop: samples[0]!.noop.written,
    written_one_app: samples[0]!.oneApp.written,
    peak_mb: HAS_TIME ? Math.max(...peaks) : null,
    files_per_instance: Math.round((committedInstanceFiles(project!) / instances) * 100) / 100,
  };
}

/**
 * Cold synths of growing fleets. A run has a fixed part (Node's start, the
 * compiler's start, loading sluice) that dominates a small fleet, so besides
 * the plain time per instance this reports the time each step up adds per
 * added instance: flat when the work grows linearly.
 */
function benchScaling(): Record<string, unknown> {
  const sizes = [50, 500, 5000];
  const seconds = sizes.map((apps) => {
    const project = makeProject(fleetStacks(apps, 4));
    log(`scaling: ${apps} apps × 4 clusters, cold…`);
    return sluice(project).seconds;
  });
  const round = (ms: number) => Math.round(ms * 1000) / 1000;
  const perInstance = Object.fromEntries(sizes.map((apps, i) => [String(apps), round((seconds[i]! * 1000) / (apps * 4))]));
  const added = sizes.slice(1).map((apps, i) => round(((seconds[i + 1]! - seconds[i]!) * 1000) / ((apps - sizes[i]!) * 4)));
  return {
    scaling_ms_per_instance: perInstance,
    scaling_ms_per_added_instance: Object.fromEntries(sizes.slice(1).map((apps, i) => [`${sizes[i]}->${apps}`, added[i]])),
    added_max_over_min: Math.round((Math.max(...added) / Math.min(...added)) * 100) / 100,
  };
}

/**
 * One partition of a fleet too large for one runner, as one CI job runs it:
 * the whole stacks loaded and type-checked, its clusters' files rendered.
 * The other partitions are not run: their figures are extrapolated (the
 * groups weigh the same: every app runs on every cluster).
 */
function benchPartition(spec: string): Record<string, unknown> {
  const match = /^(\d+)x(\d+)\/(\d+)$/.exec(spec);
  if (!match) throw new Error(`--partitioned wants APPSxCLUSTERS/PARTITIONS, e.g. 10000x50/10, not ${spec}`);
  const [apps, clusters, count] = match.slice(1).map(Number) as [number, number, number];
  const project = makeProject(fleetStacks(apps, clusters, { applications }));
  const part = `1/${count}`;
  log(`${spec}: partition ${part}, cold…`);
  const cold = sluice(project, "--partition", part);
  log(`${spec}: no-op…`);
  const noop = sluice(project, "--partition", part);
  const bumped = `stacks/${appName(1)}.ts`;
  project.write(bumped, project.read(bumped).replace(/"1\.1\.1"/g, '"1.1.9"'));
  log(`${spec}: one app changed…`);
  const oneApp = sluice(project, "--partition", part);
  log(`${spec}: --check on a fresh clone…`);
  const check = sluice(clone(project), "--check", "--partition", part);
  const runs = [cold, noop, oneApp, check];
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    partitioned: spec,
    argocd_applications: applications,
    apps,
    clusters,
    partitions: count,
    instances_per_partition: (apps * clusters) / count,
    cold_s: round(cold.seconds),
    noop_s: round(noop.seconds),
    one_app_s: round(oneApp.seconds),
    check_fresh_s: round(check.seconds),
    written_cold: cold.written,
    peak_mb: HAS_TIME ? Math.max(...runs.map((r) => r.peakMb ?? 0)) : null,
    extrapolated: {
      note: "not measured: the other partitions, assumed alike",
      fleet_cold_cpu_s: round(cold.seconds * count),
      fleet_cold_wall_s_with_one_runner_per_partition: round(cold.seconds),
    },
  };
}

/**
 * The cdk8s anchor and sluice on the same fleet, alternating, in one run: this
 * machine's speed drifts by a factor of three over a day, so only a ratio
 * measured side by side holds.
 */
function benchPaired(spec: string): Record<string, unknown> {
  const [apps, clusters] = spec.split("x").map(Number) as [number, number];
  const anchor = path.resolve(flag("--anchor")[0] ?? path.join(REPO, "../shared/bench"));
  const runSh = path.join(anchor, "cdk8s-anchor/run.sh");
  const fleetScript = path.join(anchor, "sluice-fleet.mjs");
  if (!fs.existsSync(runSh) || !fs.existsSync(fleetScript))
    throw new Error(`--paired needs the cdk8s anchor: no cdk8s-anchor/run.sh and sluice-fleet.mjs in ${anchor} (--anchor DIR)`);
  const timed = (argv: readonly string[], cwd: string): number => {
    const start = performance.now();
    const run = spawnSync(argv[0]!, argv.slice(1), { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (run.status !== 0) throw new Error(`${argv.join(" ")} failed (${run.status}):\n${run.stderr}`);
    return (performance.now() - start) / 1000;
  };
  // The anchor builds itself on its first call: not timed.
  const scratch = makeProject();
  timed(["bash", runSh, "--apps", "1", "--envs", "1", "--out", path.join(scratch.root, "warm-up")], scratch.root);
  const rounds: { cdk8s: number; cold: number; noop: number; oneApp: number }[] = [];
  for (let i = 0; i < runs; i++) {
    log(`${spec} paired: round ${i + 1}/${runs}: cdk8s…`);
    const out = path.join(scratch.root, `cdk8s-${i}`);
    const cdk8s = timed(["bash", runSh, "--apps", String(apps), "--envs", String(clusters), "--out", out], scratch.root);
    fs.rmSync(out, { recursive: true, force: true });
    const project = makeProject();
    timed([process.execPath, fleetScript, "--apps", String(apps), "--envs", String(clusters), "--dir", project.root], project.root);
    log(`${spec} paired: sluice cold, no-op, one app changed…`);
    const cold = sluice(project).seconds;
    const noop = sluice(project).seconds;
    const [bumped] = fs
      .readdirSync(path.join(project.root, "stacks"))
      .filter((f) => f !== "platform.ts")
      .sort();
    const file = `stacks/${bumped}`;
    project.write(file, project.read(file).replace(/"1\.0\.0"/g, '"1.0.1"'));
    const oneApp = sluice(project).seconds;
    rounds.push({ cdk8s, cold, noop, oneApp });
  }
  const round = (n: number) => Math.round(n * 100) / 100;
  const med = (pick: (r: (typeof rounds)[number]) => number) => median(rounds.map(pick));
  const cdk8s = med((r) => r.cdk8s);
  return {
    paired: spec,
    rounds: runs,
    cdk8s_s: round(cdk8s),
    cold_s: round(med((r) => r.cold)),
    noop_s: round(med((r) => r.noop)),
    one_app_s: round(med((r) => r.oneApp)),
    // Each ratio over the medians, and its range over the rounds (each round against its own anchor).
    cold_ratio: round(med((r) => r.cold) / cdk8s),
    noop_ratio: round(med((r) => r.noop) / cdk8s),
    one_app_ratio: round(med((r) => r.oneApp) / cdk8s),
    per_round: rounds.map((r) => ({
      cdk8s_s: round(r.cdk8s),
      cold_s: round(r.cold),
      noop_s: round(r.noop),
      one_app_s: round(r.oneApp),
      cold_ratio: round(r.cold / r.cdk8s),
      noop_ratio: round(r.noop / r.cdk8s),
    })),
  };
}

if (paired) for (const spec of fleets) console.log(JSON.stringify(benchPaired(spec)));
else for (const spec of fleets) console.log(JSON.stringify(benchFleet(spec)));
for (const spec of partitioned) console.log(JSON.stringify(benchPartition(spec)));
if (args.includes("--scaling")) console.log(JSON.stringify(benchScaling()));
