/**
 * `npm run bench`: synthesizes a generated fleet (default 500 apps × 4
 * clusters; `npm run bench -- --apps 100` for another size) in a temp dir and
 * prints, as its last line, one JSON object with the figures the README quotes.
 * A benchmark, not a test: it asserts nothing and never runs in `npm test`.
 */
import { plan, synth } from "sluice";
import { typecheckStacks } from "../../src/pipeline/typecheck.js";
import { discoverStacks } from "../../src/pipeline/discover.js";
import { makeProject, REPO } from "../helpers/project.js";
import { fleetStacks } from "./fleet.js";

const appsArg = process.argv.indexOf("--apps");
const apps = appsArg === -1 ? 500 : Number(process.argv[appsArg + 1]);

const seconds = (ms: number) => Math.round(ms) / 1000;
const timed = <T>(run: () => T): [T, number] => {
  const start = performance.now();
  const value = run();
  return [value, performance.now() - start];
};
const timedAsync = async <T>(run: () => Promise<T>): Promise<[T, number]> => {
  const start = performance.now();
  const value = await run();
  return [value, performance.now() - start];
};

const log = (text: string) => process.stderr.write(`${text}\n`);

// The example stacks: the type-check a developer waits for on every synth.
const exampleFiles = discoverStacks(REPO, "stacks");
const [, exampleNative] = timed(() => typecheckStacks(REPO, exampleFiles, "native"));
const [, exampleTsMorph] = timed(() => typecheckStacks(REPO, exampleFiles, "ts-morph"));
log(`example stacks: type-check ${seconds(exampleNative)} s native tsc, ${seconds(exampleTsMorph)} s ts-morph`);

const project = makeProject(fleetStacks(apps));
const files = discoverStacks(project.root, "stacks");
const [typeErrors, typecheckMs] = timed(() => typecheckStacks(project.root, files, "native"));
if (typeErrors.length > 0) throw new Error(`the generated fleet does not type-check: ${typeErrors[0]!.message}`);
log(`fleet: ${apps} apps, type-check ${seconds(typecheckMs)} s`);

// Warm-up: tsx compiles sluice's own source once and caches it on disk.
await plan({ root: project.root, skipTypecheck: true });
const planStages = ["load", "validate", "resolve", "render", "check", "emit"] as const;

// Three fresh writes, each into a new directory: the first write of ~14,000
// files is bound by the disk, whose speed varies from run to run on shared
// machines, so the median is reported. (Deleting a tree between runs would
// slow the next write on disks that discard on delete.)
const runs: { synth: number; write: number }[] = [];
let first: Awaited<ReturnType<typeof synth>> | undefined;
for (let run = 0; run < 3; run++) {
  const result = await synth({ root: project.root, skipTypecheck: true, out: `out-${run}` });
  first ??= result;
  const stages = result.timings;
  const planMs = planStages.reduce((sum, stage) => sum + (stages[stage] ?? 0), 0);
  runs.push({ synth: planMs, write: stages.write ?? 0 });
  log(`synth ${run + 1}: ` + [...planStages, "write" as const].map((s) => `${s} ${seconds(stages[s] ?? 0)}`).join(", "));
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const [second, resyncMs] = await timedAsync(() => synth({ root: project.root, skipTypecheck: true, out: "out-0" }));

const resources = first!.plan.files.reduce((n, f) => n + f.objects.length, 0);
console.log(
  JSON.stringify({
    apps,
    clusters: first!.model.platform.clusters.length,
    resources,
    files: first!.plan.files.length,
    typecheck_s: seconds(typecheckMs),
    example_typecheck_s: seconds(exampleNative),
    example_typecheck_tsmorph_s: seconds(exampleTsMorph),
    synth_s: seconds(median(runs.map((r) => r.synth))),
    write_s: seconds(median(runs.map((r) => r.write))),
    resync_s: seconds(resyncMs),
    resync_written_files: second.write!.written.length,
  }),
);
