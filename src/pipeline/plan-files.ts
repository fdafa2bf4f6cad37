import { instanceOfFile } from "../model/layout.js";
import {
  type Blueprints,
  type CachedFile,
  instanceKeys,
  type RenderCache,
  renderFleet,
  renderPreviews,
  renderInstance,
} from "./render/index.js";
import type { InstanceRef } from "../model/instance-ref.js";
import { instanceInputs, releaseOn } from "./resolve/index.js";
import { inPartition, type Partition } from "../model/partition.js";
import type { AppModel, ClusterModel, Model } from "../model/model.js";
import { childOrigin } from "../model/origin.js";
import type { Lock, PlannedFile, PlannedObject } from "../model/plan.js";
import { SluiceError } from "../errors.js";
import type { Diagnostic } from "../model/diagnostic.js";
import { inspectionError, inspectObjects, scanLiterals, scanRenderedFiles } from "./inspect/index.js";
import {
  anchorsOf,
  type Gathered,
  type PartContext,
  type PartInstance,
  type PartResult,
  type PartSkip,
  ref,
  renderPart,
} from "./render-part.js";
import { assemble, emitDocuments, emitObjects, type PlanEntry } from "./emit/index.js";
import { exposedObjects, resolveError, resolveSome } from "./resolve/index.js";
import { decodeFindings } from "../policy/cached-findings.js";
import { evaluateFleet } from "../policy/evaluate.js";
import { mergeFindings, pinpointFindings, type Finding, type RawFinding } from "../policy/finding.js";
import type { Policy } from "../policy/policy.js";
import { applyWaivers } from "../policy/waivers.js";
import type { Spill, Spilled } from "../env-repo/index.js";
import type { KubernetesObject } from "../k8s/object.js";

/** The file plan as synth uses it: files from the render cache carry no bytes until `materialize` renders them. */
export interface LazyPlan {
  /** What the policy rules found, waived findings left out, in a stable order. */
  readonly findings: readonly Finding[];
  /** How many findings waivers covered. */
  readonly waived: number;
  readonly files: readonly PlanEntry[];
  readonly lock: Lock;
  /** Every app instance, in app then cluster order. */
  readonly instances: readonly InstanceRef[];
  /** The instances rendered in this run (not taken from the render cache): all of them without one. */
  readonly rendered: readonly InstanceRef[];
  /** Set when the plan holds only some clusters' files (and the env repo's own): compare and write leave the rest alone. */
  readonly partition?: Partition;
  /** The bytes of these planned files, rendering the instances they come from if the plan has no bytes for them. */
  materialize(paths: readonly string[]): PlannedFile[];
}

export interface PlanFilesOptions {
  /** Which blueprint renders each app (see render/blueprints.ts). */
  readonly blueprints: Blueprints;
  readonly renderCache?: RenderCache;
  readonly policy: Policy;
  /** "YYYY-MM-DD" (UTC): waivers that expire on or before it are errors. */
  readonly today: string;
  readonly time: <T>(stage: "resolve" | "render" | "inspect" | "emit" | "policy", run: () => T) => T;
  /**
   * Keep the bytes of the instances' files (default true). Without, a file
   * keeps its digests, and `materialize` renders its instance again: for
   * `--check` and `diff`, which compare digests and read few files, a
   * fleet's text is never in memory at once.
   */
  readonly keepContent?: boolean;
  /** Where kept bytes wait for the write, instead of memory (see spill.ts). */
  readonly spill?: Spill;
  /**
   * Plan only these clusters' files and the env repo's own (see
   * model/partition.ts). Fleet-wide rules still judge every instance; the
   * lock keeps, from `lock`, the lines of the files outside the partition.
   */
  readonly partition?: { readonly clusters: Partition; readonly lock: () => ReadonlyMap<string, readonly string[]> };
}

/**
 * How many app instances go through the stages together: enough that each
 * stage's per-call costs do not show, few enough that their specs and
 * objects take little memory (an instance with 200 environment variables
 * holds about 100 KB while it is rendered).
 */
const PART = 64;

/**
 * What planning knows before any pending instance renders: every instance,
 * those the render cache holds, and the pending ones in parts (see PART).
 */
export interface PreparedFiles {
  readonly root: string;
  readonly model: Model;
  readonly options: PlanFilesOptions;
  /** What a part's render needs, on whichever thread (see render-part.ts). */
  readonly context: PartContext;
  /** The pending instances (not in the render cache), PART at a time, in app then cluster order. */
  readonly parts: readonly (readonly PartInstance[])[];
  readonly instances: readonly PartInstance[];
  readonly refs: readonly InstanceRef[];
  readonly cached: readonly PlanEntry[];
  readonly cachedFindings: readonly RawFinding[];
  /** What the engines gather of the instances the render cache holds (see Gathered). */
  readonly cachedGathered: readonly Gathered[];
  readonly inputOf: ReturnType<typeof instanceInputs>;
  readonly literals: ReturnType<typeof scanLiterals>;
}

/**
 * resolve → render → inspect → emit, for the app instances whose render key is
 * not in the render cache, and for the fleet's own files (roots, projects,
 * namespaces, kustomizations, README, CODEOWNERS, the lock), which are cheap
 * and depend only on which instances exist. Without a cache it is exactly
 * the full pipeline, and every file has its bytes. The parts render here, one
 * after the other; synth.ts can render them on several threads instead, with
 * prepareFiles, PartsTaken and finishFiles, for the same result.
 */
export function planFiles(root: string, model: Model, options: PlanFilesOptions): LazyPlan {
  const prepared = prepareFiles(root, model, options);
  const taken = new PartsTaken(prepared);
  for (const part of prepared.parts) taken.add(renderPart(prepared.context, part, taken.skip()));
  return finishFiles(prepared, taken);
}

export function prepareFiles(root: string, model: Model, options: PlanFilesOptions): PreparedFiles {
  const { blueprints, renderCache, time, policy } = options;
  const literals = time("inspect", () => scanLiterals(model));
  const inputOf = instanceInputs(root, model);
  const keyOf = renderCache
    ? instanceKeys({ blueprints, policyFingerprint: policy.fingerprint, waivedLiterals: literals.waived })
    : undefined;
  const partition = options.partition?.clusters;
  const instances: PartInstance[] = [];
  // Every app instance, the partition's and the others (which only the fleet's files and rules see).
  const refs: InstanceRef[] = [];
  for (const app of model.apps) {
    for (const cluster of model.platform.clusters) {
      if (partition && !partition.clusters.has(cluster.name)) {
        if (releaseOn(app, cluster) !== undefined) refs.push({ app: app.name, cluster: cluster.name });
        continue;
      }
      const input = inputOf(app, cluster);
      if (!input) continue;
      instances.push({ app, cluster, input, key: keyOf?.(input) });
      refs.push({ app: app.name, cluster: cluster.name });
    }
  }

  const cached: PlanEntry[] = [];
  const cachedFindings: RawFinding[] = [];
  const cachedGathered: Gathered[] = [];
  const pending: PartInstance[] = [];
  for (const instance of instances) {
    const hit = instance.key !== undefined ? renderCache!.get(instance.key) : undefined;
    // An entry naming a file, or holding a gathered object, that is not this instance's (a damaged or forged cache) is a miss.
    if (
      hit &&
      hit.files.every((file) => isInstanceFile(file.path, ref(instance.app.name, instance.cluster.name))) &&
      hit.gathered.every((object) => isInstanceObject(object, instance.app, instance.cluster))
    ) {
      cached.push(...hit.files.map((file) => fromCache(file, instance.app, instance.input.sources)));
      cachedFindings.push(...decodeFindings(hit.findings, anchorsOf(model, instance.app, instance.cluster)));
      cachedGathered.push(...hit.gathered.map((object) => ({ cluster: instance.cluster.name, object })));
    } else pending.push(instance);
  }
  const parts: PartInstance[][] = [];
  for (let start = 0; start < pending.length; start += PART) parts.push(pending.slice(start, start + PART));
  const context: PartContext = { model, blueprints, policy, waived: literals.waived, keepContent: options.keepContent !== false, time };
  return { root, model, options, context, parts, instances, refs, cached, cachedFindings, cachedGathered, inputOf, literals };
}

/**
 * The parts' results, taken in part order: their files kept (in memory, or
 * spilled to disk until the write), their render-cache entries stored, and
 * each stage's problems collected over the whole fleet, to be reported in the
 * order the stages run, as if each stage had seen every instance before the next.
 */
export class PartsTaken {
  readonly problems = { resolve: [] as Diagnostic[], objects: [] as Diagnostic[], secrets: [] as Diagnostic[], text: [] as Diagnostic[] };
  readonly fresh: PlanEntry[] = [];
  readonly findings: RawFinding[] = [];
  readonly spilled = new Map<string, Spilled>();
  readonly rendered: InstanceRef[] = [];
  readonly gathered: Gathered[] = [];

  constructor(private readonly prepared: PreparedFiles) {}

  /** Past a stage that failed, the later stages of later parts only find more of what will not be reported. */
  skip(): PartSkip {
    return {
      resolveFailed: this.problems.resolve.length > 0,
      inspectFailed: this.problems.objects.length + this.problems.secrets.length > 0,
    };
  }

  add(result: PartResult): void {
    const { options } = this.prepared;
    this.problems.resolve.push(...result.problems.resolve);
    this.problems.objects.push(...result.problems.objects);
    this.problems.secrets.push(...result.problems.secrets);
    this.problems.text.push(...result.problems.text);
    this.findings.push(...result.findings);
    for (const entry of result.cache) options.renderCache!.set(entry.key, entry.files, entry.findings, entry.gathered);
    this.gathered.push(...result.gathered);
    const files = result.files;
    if (options.keepContent !== false && options.spill)
      options.spill.put(files.map((file) => file.content!)).forEach((at, i) => this.spilled.set(files[i]!.path, at));
    this.fresh.push(
      ...(options.keepContent !== false && !options.spill ? files : files.map(({ content: _content, ...entry }): PlanEntry => entry)),
    );
    this.rendered.push(...result.rendered);
  }
}

/** The fleet's own files, the checks over the whole plan, the lock, and the fleet-wide rules: the plan, once every part is taken. */
export function finishFiles(prepared: PreparedFiles, taken: PartsTaken): LazyPlan {
  const { root, model, options, instances, refs, cached, inputOf, literals } = prepared;
  const { blueprints, renderCache, time, policy } = options;
  const partition = options.partition?.clusters;
  const { problems, fresh, spilled } = taken;
  const findings = [...prepared.cachedFindings, ...taken.findings];
  if (problems.resolve.length > 0) throw resolveError(problems.resolve);

  // materialize renders again the instances whose files it has no bytes for (a comparison keeps digests only).
  const keys = new Map(instances.map((i) => [ref(i.app.name, i.cluster.name), i]));
  const render = (include: (app: AppModel, cluster: ClusterModel) => boolean) => {
    const { resolved, diagnostics } = time("resolve", () =>
      resolveSome(instances.filter(({ app, cluster }) => include(app, cluster)).map(({ input }) => input)),
    );
    if (diagnostics.length > 0) throw resolveError(diagnostics);
    const rendered = time("render", () =>
      resolved.map((app) => {
        const { input } = keys.get(ref(app.name, app.cluster.name))!;
        return renderInstance(input.platform, app, blueprints.of(input.app), input.sources);
      }),
    );
    return { resolved, rendered };
  };

  const fleet = time("render", () => {
    const own = renderFleet(model, refs, policy, [...prepared.cachedGathered, ...taken.gathered]);
    const previews = renderPreviews(model, inputOf, blueprints);
    const mine = <T extends { readonly path: string }>(list: readonly T[]) => list.filter((item) => inPartition(partition, item.path));
    return { objects: mine([...own.objects, ...previews.objects]), documents: mine([...own.documents, ...previews.documents]) };
  });
  // The fleet's objects are rendered on every run, so those that passed before (same content,
  // same sluice) are not checked again.
  time("inspect", () =>
    problems.objects.push(...inspectObjects([...fleet.objects], renderCache && { known: renderCache, of: new Set(fleet.objects) })),
  );
  if (problems.objects.length > 0) throw inspectionError(problems.objects);
  refusePlaintext([...literals.diagnostics, ...problems.secrets]);

  // The built-in blueprints name every object after its app: only raw objects can clash.
  const namesUnique = model.apps.every((app) => blueprints.builtIn(blueprints.of(app)));
  const fleetFiles = time("emit", () => [...emitObjects(fleet.objects), ...emitDocuments(fleet)]);
  time("inspect", () => refusePlaintext([...problems.text, ...scanRenderedFiles(fleetFiles, literals.waived)]));
  const outside = partition
    ? [...options.partition!.lock()].filter(([path]) => !inPartition(partition, path)).map(([path, sources]) => ({ path, sources }))
    : [];
  const plan = time("emit", () => assemble([...cached, ...fresh, ...fleetFiles], model.platform.origin.file, namesUnique, outside));
  const judged = time("policy", () => {
    const running = new Set(refs.map(({ app, cluster }) => ref(app, cluster)));
    findings.push(
      ...evaluateFleet(
        policy,
        model,
        (app, cluster) => running.has(ref(app, cluster.name)),
        (app, cluster) => exposedObjects(model.platform, app, cluster),
      ),
    );
    const { findings: kept, waived } = applyWaivers(model, findings, options.today);
    return { findings: mergeFindings(pinpointFindings(root, kept)), waived };
  });

  let filesByPath: Map<string, PlanEntry> | undefined;
  return {
    findings: judged.findings,
    waived: judged.waived,
    files: plan.files,
    lock: plan.lock,
    instances: refs,
    rendered: taken.rendered,
    ...(partition ? { partition } : {}),
    materialize(paths) {
      const wanted = new Set(paths);
      // Built once: a write asks for its files a slice at a time.
      const byPath = (filesByPath ??= new Map(plan.files.map((file) => [file.path, file])));
      const missing = new Set(
        paths.flatMap((path) => {
          const file = byPath.get(path);
          return file && file.content === undefined && !spilled.has(path) ? [instanceOf(path)] : [];
        }),
      );
      const again = missing.size > 0 ? render((app, cluster) => missing.has(ref(app.name, cluster.name))).rendered : [];
      const renderedNow = new Map(
        again.flatMap((objects) => emitObjects(objects.filter((object) => !object.gathered))).map((file) => [file.path, file]),
      );
      return [...wanted].flatMap((path) => {
        const file = byPath.get(path);
        if (!file) return [];
        const at = spilled.get(path);
        const content = file.content ?? (at ? options.spill!.get(at) : renderedNow.get(path)?.content);
        if (content === undefined) throw new Error(`sluice could not render ${path} again`);
        const now = file.content === undefined && !at ? renderedNow.get(path)! : file;
        return [{ ...file, content, blob: now.blob }];
      });
    },
  };
}

function refusePlaintext(diagnostics: Diagnostic[]): void {
  if (diagnostics.length === 0) return;
  throw new SluiceError("Secrets would reach the env repo in plain text; nothing was written.", diagnostics);
}

/** Whether a path from the render cache is one of this instance's files: plain names (no "..", no empty part), placed where instanceOf finds it. */
function isInstanceFile(path: string, instance: string): boolean {
  const parts = path.split("/");
  return parts.length >= 4 && parts.every((part) => /^[a-z0-9][a-z0-9._-]*$/i.test(part)) && instanceOf(path) === instance;
}

/** Whether a gathered object from the render cache is this instance's: labelled with its app, team and cluster, as the engines label them. */
function isInstanceObject(object: KubernetesObject, app: AppModel, cluster: ClusterModel): boolean {
  const labels = object.metadata?.labels;
  return labels?.["sluice.dev/app"] === app.name && labels["sluice.dev/team"] === app.team && labels["sluice.dev/cluster"] === cluster.name;
}

/** The instance a file belongs to (see model/layout.ts), or "" for none. */
function instanceOf(path: string): string {
  const instance = instanceOfFile(path);
  return instance ? ref(instance.app, instance.cluster) : "";
}

/**
 * A cached file as a plan entry: no bytes, and origins rebuilt on the app's
 * current line — lazily, since most runs never look at the objects of files
 * that did not change.
 */
function fromCache(file: CachedFile, app: AppModel, sources: readonly string[]): PlanEntry {
  let objects: PlannedObject[] | undefined;
  return {
    path: file.path,
    blob: file.blob,
    sources,
    namespaces: file.namespaces,
    get objects() {
      objects ??= file.objects().map(([apiVersion, kind, namespace, name, ...at]) => ({
        apiVersion,
        kind,
        ...(namespace ? { namespace } : {}),
        name,
        origin: at.length === 0 ? app.origin : childOrigin(app.origin, ...at),
      }));
      return objects;
    },
  };
}
