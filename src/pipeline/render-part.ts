import type { Blueprints, CachedObject } from "./render/index.js";
import { renderInstance } from "./render/index.js";
import type { InstanceRef } from "../model/instance-ref.js";
import type { InstanceInput } from "../model/instance-input.js";
import type { AppModel, ClusterModel, Model } from "../model/model.js";
import type { PlannedFile } from "../model/plan.js";
import type { RenderedObject } from "../model/rendered.js";
import type { KubernetesObject } from "../k8s/object.js";
import type { ResolvedApp } from "../model/resolved.js";
import type { Diagnostic } from "../model/diagnostic.js";
import { inspectObjects, inspectSecretObjects, scanRenderedFiles } from "./inspect/index.js";
import { emitObjects } from "./emit/index.js";
import { resolveSome } from "./resolve/index.js";
import { type CachedFinding, encodeFindings } from "../policy/cached-findings.js";
import { evaluateInstance } from "../policy/evaluate.js";
import type { RawFinding } from "../policy/finding.js";
import type { Policy } from "../policy/policy.js";

/** One app instance to render: where its input comes from, and its render key (undefined without a render cache). */
export interface PartInstance {
  readonly app: AppModel;
  readonly cluster: ClusterModel;
  /** All that resolves, renders and checks it (see instance-input.ts). */
  readonly input: InstanceInput;
  readonly key: string | undefined;
}

/** What a part's render needs besides its instances: the same on the main thread and in a worker. */
export interface PartContext {
  readonly model: Model;
  readonly blueprints: Blueprints;
  readonly policy: Policy;
  /** Literal values the platform waived, which the scan of the output lets through. */
  readonly waived: ReadonlySet<string>;
  /** Keep the files' bytes (a write), or only their digests (a comparison). */
  readonly keepContent: boolean;
  readonly time: <T>(stage: "resolve" | "render" | "inspect" | "emit" | "policy", run: () => T) => T;
}

/** A render-cache entry of one instance: its files without bytes, and its findings. */
export interface PartCacheEntry {
  readonly key: string;
  readonly files: ReturnType<typeof toCache>[];
  readonly findings: readonly CachedFinding[];
  readonly gathered: readonly KubernetesObject[];
}

/**
 * What one part of the pending instances came to, stage by stage: plain data,
 * so that a worker thread can hand it to the main thread, which takes the
 * parts in order (see plan-files.ts).
 */
export interface PartResult {
  readonly problems: {
    readonly resolve: readonly Diagnostic[];
    readonly objects: readonly Diagnostic[];
    readonly secrets: readonly Diagnostic[];
    readonly text: readonly Diagnostic[];
  };
  readonly findings: readonly RawFinding[];
  /** The files, with their bytes only when the context keeps them. */
  readonly files: readonly (Omit<PlannedFile, "content"> & { readonly content?: string })[];
  readonly cache: readonly PartCacheEntry[];
  readonly rendered: readonly InstanceRef[];
  /** The objects the engines gather into their clusters' files (RenderedObject.gathered), with the cluster of each. */
  readonly gathered: readonly Gathered[];
}

/** An object an engine gathers into one of a cluster's files, and that cluster. */
export interface Gathered {
  readonly cluster: string;
  readonly object: KubernetesObject;
}

/** Whether a stage has failed in an earlier part: the later stages then only find more of what will not be reported. */
export interface PartSkip {
  readonly resolveFailed: boolean;
  readonly inspectFailed: boolean;
}

/**
 * resolve → render → inspect → policy → emit for one part of the instances
 * (see PART in plan-files.ts). Each instance renders from its input alone, so
 * a part gives the same result whichever thread renders it and whatever was
 * rendered before it.
 */
export function renderPart(context: PartContext, part: readonly PartInstance[], skip: PartSkip): PartResult {
  const { model, blueprints, policy, time } = context;
  const problems = { resolve: [] as Diagnostic[], objects: [] as Diagnostic[], secrets: [] as Diagnostic[], text: [] as Diagnostic[] };
  const result = (more: Partial<PartResult> = {}): PartResult => ({
    problems,
    findings: [],
    files: [],
    cache: [],
    rendered: [],
    gathered: [],
    ...more,
  });
  const { resolved, diagnostics } = time("resolve", () => resolveSome(part.map(({ input }) => input)));
  problems.resolve.push(...diagnostics);
  if (skip.resolveFailed || problems.resolve.length > 0) return result();
  const byRef = new Map(part.map((instance) => [ref(instance.app.name, instance.cluster.name), instance]));
  const instanceOf = (app: ResolvedApp) => byRef.get(ref(app.name, app.cluster.name))!;
  const rendered = time("render", () =>
    resolved.map((app) => {
      const { input } = instanceOf(app);
      return renderInstance(input.platform, app, blueprints.of(input.app), input.sources);
    }),
  );
  time("inspect", () => {
    problems.objects.push(...inspectObjects(rendered.flat()));
    problems.secrets.push(...inspectSecretObjects(model.platform, rendered.flat()));
  });
  if (skip.inspectFailed || problems.objects.length + problems.secrets.length > 0) return result();
  const instanceFindings = time("policy", () =>
    rendered.map((objects, index) =>
      evaluateInstance(
        policy,
        resolved[index]!,
        objects.filter((o) => o.path.startsWith("apps/")),
        blueprints.of(instanceOf(resolved[index]!).input.app),
      ),
    ),
  );
  const cache: PartCacheEntry[] = [];
  const gathered: Gathered[] = [];
  const files = time("emit", () =>
    rendered.flatMap((objects, index) => {
      const own = objects.filter((object) => !object.gathered);
      const emitted = emitObjects(own);
      const instance = instanceOf(resolved[index]!);
      const toGather = objects.filter((object) => object.gathered).map((object) => object.object);
      gathered.push(...toGather.map((object) => ({ cluster: instance.cluster.name, object })));
      if (instance.key !== undefined)
        cache.push({
          key: instance.key,
          files: emitted.map((file) => toCache(file, own)),
          findings: encodeFindings(instanceFindings[index]!, anchorsOf(model, instance.app, instance.cluster)),
          gathered: toGather,
        });
      return emitted;
    }),
  );
  time("inspect", () => problems.text.push(...scanRenderedFiles(files, context.waived)));
  return result({
    findings: instanceFindings.flat(),
    files: context.keepContent ? files : files.map(({ content: _content, ...entry }) => entry),
    cache,
    rendered: resolved.map((app) => ({ app: app.name, cluster: app.cluster.name })),
    gathered,
  });
}

/** What a cached finding is anchored to: the app, its cluster and environment, and the platform. */
export function anchorsOf(model: Model, app: AppModel, cluster: ClusterModel) {
  return {
    app,
    cluster,
    environment: model.platform.environments.find((e) => e.name === cluster.environment)!,
    platform: model.platform,
  };
}

export function ref(app: string, cluster: string): string {
  return `${app}\0${cluster}`;
}

function toCache(file: PlannedFile, objects: readonly RenderedObject[]) {
  const inFile = objects.filter((object) => object.path === file.path);
  return {
    path: file.path,
    blob: file.blob,
    namespaces: [...new Set(file.objects.map((object) => object.namespace ?? ""))],
    objects: file.objects.map(
      ({ apiVersion, kind, namespace, name }, index): CachedObject => [
        apiVersion,
        kind,
        namespace ?? "",
        name,
        ...(inFile[index]!.origin.path ?? []),
      ],
    ),
  };
}
