/**
 * `npm run bench`: synthesizes a generated fleet (default 500 apps × 4
 * clusters; `npm run bench -- --apps 100` for another size) in a temp dir and
 * prints, as its last line, one JSON object with the figures the README quotes.
 * A benchmark, not a test: it asserts nothing and never runs in `npm test`.
 */
import path from "node:path";
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

const [first, synthMs] = await timedAsync(() => synth({ root: project.root, skipTypecheck: true }));
const stages = first.timings;
const planMs = (stages.load ?? 0) + (stages.validate ?? 0) + (stages.resolve ?? 0) + (stages.render ?? 0) + (stages.emit ?? 0);
log(
  `first synth ${seconds(synthMs)} s: ` +
    (["load", "validate", "resolve", "render", "emit", "write"] as const).map((s) => `${s} ${seconds(stages[s] ?? 0)}`).join(", "),
);
const [second] = await timedAsync(() => synth({ root: project.root, skipTypecheck: true }));

const resources = first.plan.files.reduce((n, f) => n + f.objects.length, 0);
console.log(
  JSON.stringify({
    apps,
    clusters: first.model.platform.clusters.length,
    resources,
    files: first.plan.files.length,
    typecheck_s: seconds(typecheckMs),
    example_typecheck_s: seconds(exampleNative),
    example_typecheck_tsmorph_s: seconds(exampleTsMorph),
    synth_s: seconds(planMs),
    write_s: seconds(stages.write ?? 0),
    resync_s: seconds((second.timings.load ?? 0) + (second.timings.write ?? 0)),
    resync_written_files: second.write!.written.length,
    out: path.relative(REPO, project.root) ? "temp dir" : "repo",
  }),
);
