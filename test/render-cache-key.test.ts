import { beforeAll, describe, expect, it } from "vitest";
import { webService } from "../lib/blueprints/web-service.js";
import { builtInBlueprints } from "../lib/blueprints/index.js";
import { instanceKeys } from "../src/pipeline/render/instance-key.js";
import { blueprintRegistry } from "../src/pipeline/render/blueprints.js";
import type { Model } from "../src/model/model.js";
import { emitObjects } from "../src/pipeline/emit/index.js";
import { instanceInputs } from "../src/pipeline/resolve/input.js";
import { renderInstance } from "../src/pipeline/render/index.js";
import { resolveSome } from "../src/pipeline/resolve/index.js";
import { scanLiterals } from "../src/pipeline/inspect/index.js";
import { loadModel } from "../src/synth.js";
import { exampleStacks, makeProject } from "./helpers/project.js";

/**
 * The render cache's key is correct by construction: whatever field of the
 * model changes, each app instance either gets another key (and is rendered
 * again) or renders exactly the bytes it rendered before (so the cached bytes
 * are right). The fields are found by walking the model, so a field added to
 * the model is covered without touching this test.
 */

type Path = readonly (string | number)[];
type Leaf = { readonly path: Path; readonly value: string | number | boolean };

/** One instance's key and its files' digests, under a model. */
interface Outcome {
  readonly keys: readonly string[];
  bytes(index: number): string | undefined;
}

describe("the render-cache key", () => {
  let root: string;
  let model: Model;
  let base: Outcome;
  let baseBytes: (string | undefined)[];

  beforeAll(async () => {
    const project = makeProject(exampleStacks());
    root = project.root;
    model = enrich(await loadModel({ root, skipTypecheck: true }));
    base = outcome(model);
    baseBytes = base.keys.map((_, index) => base.bytes(index));
  });

  // Instances are compared by position: the model's apps and clusters keep their places under an edit.
  const outcome = (of: Model): Outcome => {
    const inputOf = instanceInputs(root, of);
    const keyOf = instanceKeys({
      blueprints: blueprintRegistry(builtInBlueprints, of.platform.blueprints),
      policyFingerprint: "policy",
      waivedLiterals: scanLiterals(of).waived,
    });
    const inputs = of.apps.flatMap((app) => of.platform.clusters.map((cluster) => inputOf(app, cluster)));
    return {
      keys: inputs.map((input) => (input ? keyOf(input)! : "")),
      bytes(index) {
        const input = inputs[index];
        if (!input) return undefined;
        const { resolved, diagnostics } = resolveSome([input]);
        if (diagnostics.length > 0) return `invalid: ${diagnostics.map((d) => d.code).join(",")}`;
        const files = emitObjects(renderInstance(input.platform, resolved[0]!, webService, input.sources));
        return JSON.stringify(files.map((file) => [file.path, file.sha256, file.objects.length]));
      },
    };
  };

  it("changes for every model field that changes an instance's bytes", () => {
    const leaves = leavesOf({ platform: model.platform, apps: model.apps, files: model.files, stacks: model.stacks });
    const misses: string[] = [];
    let changedKeys = 0;
    let refused = 0;
    const alternatives = alternativesOf(leaves);
    for (const leaf of leaves) {
      // Another value the model holds under the same name (another environment's name), else a new one.
      let now: Outcome | undefined;
      let value: Leaf["value"] | undefined;
      for (const candidate of alternatives(leaf)) {
        try {
          now = outcome(editAt(model, leaf.path, candidate));
          value = candidate;
          break;
        } catch {
          // not a model validation lets through (a name nothing declares): the next candidate
        }
      }
      if (!now) {
        refused++;
        continue;
      }
      now.keys.forEach((key, index) => {
        if (key !== base.keys[index]) return void changedKeys++;
        const bytes = safely(() => now.bytes(index));
        if (bytes !== baseBytes[index])
          misses.push(`${leaf.path.join(".")} = ${JSON.stringify(value)}: instance ${index} kept its key but renders other bytes`);
      });
    }
    console.info(
      `render-cache key: ${leaves.length} model fields changed one at a time, ${refused} refused, ${changedKeys} instance keys changed`,
    );
    expect(misses).toEqual([]);
    // The walk reached the whole model: platform, environments, clusters, waves, teams, apps and their objects.
    expect(leaves.length).toBeGreaterThan(400);
    expect(refused).toBeLessThan(leaves.length / 10);
    for (const part of [
      "platform.environments.",
      "platform.clusters.",
      "platform.waves.",
      "platform.teams.",
      "platform.secrets.",
      "platform.engineSettings.",
      "platform.customResources.",
      "platform.objects.",
      ".settings.",
      ".environmentOverrides.",
      ".clusterOverrides.",
      ".objects.",
      ".callers.",
    ]) {
      expect(
        leaves.some((leaf) => `${leaf.path.join(".")}`.includes(part)),
        part,
      ).toBe(true);
    }
  });

  it("does not depend on the order properties were written in", () => {
    const inputOf = instanceInputs(root, model);
    const keyOf = instanceKeys({
      blueprints: blueprintRegistry(builtInBlueprints, model.platform.blueprints),
      policyFingerprint: "policy",
      waivedLiterals: scanLiterals(model).waived,
    });
    const inputs = model.apps.flatMap((app) => model.platform.clusters.flatMap((cluster) => inputOf(app, cluster) ?? []));
    expect(inputs.map((input) => keyOf(reversed(input)))).toEqual(inputs.map((input) => keyOf(input)));
  });

  it("stays the same when only lines move (a comment added to a stack)", () => {
    const moved = leavesOf({ platform: model.platform, apps: model.apps }).filter((leaf) => leaf.path.at(-1) === "line");
    expect(moved.length).toBeGreaterThan(10);
    for (const leaf of moved)
      expect(outcome(editAt(model, leaf.path, (leaf.value as number) + 1)).keys, leaf.path.join(".")).toEqual(base.keys);
  });
});

/**
 * The example's model with the platform fields it leaves empty filled in, so the walk reaches
 * them too: a custom resource an app adds (its scope decides whether it gets a namespace),
 * the platform's own objects, stack environment variables, tags allowed as releases.
 */
function enrich(model: Model): Model {
  const [first, ...rest] = model.apps;
  const widget = { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "widget" }, spec: { size: 1 } };
  const configMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "fleet", namespace: "kube-system" }, data: { region: "eu" } };
  const namespace = { apiVersion: "v1", kind: "Namespace", metadata: { name: "observability" } };
  return {
    ...model,
    platform: {
      ...model.platform,
      customResources: { "example.com/v1": { Widget: { scope: "Namespaced", plural: "widgets" } } },
      // Two scopes, so that a scope changes to the other one.
      objects: [
        ...model.platform.objects,
        { object: configMap, origin: model.platform.origin, scope: "Namespaced" },
        { object: namespace, origin: model.platform.origin, scope: "Cluster" },
      ],
      stackEnv: [...model.platform.stackEnv, "REGION"],
      allowTags: [...model.platform.allowTags, { registry: "registry.example.com", environments: ["dev"], reason: "nightly builds" }],
    },
    apps: [
      {
        ...first!,
        objects: [...first!.objects, { object: widget, origin: { ...first!.origin, path: ["objects", first!.objects.length] } }],
      },
      ...rest,
    ],
  };
}

/** Every primitive in the model's data, by path; functions (the ordering) are derived, not data. */
function leavesOf(value: unknown, path: Path = []): Leaf[] {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return [{ path, value }];
  if (Array.isArray(value)) return value.flatMap((item, index) => leavesOf(item, [...path, index]));
  if (typeof value === "object" && value !== null) return Object.entries(value).flatMap(([key, item]) => leavesOf(item, [...path, key]));
  return [];
}

/** The model with one leaf changed, every object on its path copied: the rest is shared, as the pipeline's models are. */
function editAt(model: Model, at: Path, value: Leaf["value"]): Model {
  const set = (node: unknown, path: Path): unknown => {
    if (path.length === 0) return value;
    const [head, ...rest] = path;
    if (Array.isArray(node)) return node.map((item, index) => (index === head ? set(item, rest) : item));
    const record = node as Record<string, unknown>;
    return { ...record, [head!]: set(record[head!], rest) };
  };
  const data = set({ platform: model.platform, apps: model.apps, files: model.files, stacks: model.stacks }, at) as Pick<
    Model,
    "platform" | "apps" | "files" | "stacks"
  >;
  return { ...model, ...data };
}

/** Other values of the same type for a leaf: for a string, first those the model holds under the same property name. */
function alternativesOf(leaves: readonly Leaf[]): (leaf: Leaf) => Leaf["value"][] {
  const byName = new Map<string, Set<string>>();
  for (const { path, value } of leaves) {
    if (typeof value !== "string") continue;
    const name = String(path.at(-1));
    byName.set(name, (byName.get(name) ?? new Set()).add(value));
  }
  return ({ path, value }) => {
    if (typeof value === "boolean") return [!value];
    if (typeof value === "number") return [value + 1];
    const siblings = [...(byName.get(String(path.at(-1))) ?? [])].filter((sibling) => sibling !== value);
    return [...siblings.slice(0, 1), `${value}x`];
  };
}

/** The same value with every object's properties in the opposite order. */
function reversed<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reversed) as T;
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([key, item]) => [key, reversed(item)]),
  ) as T;
}

function safely(run: () => string | undefined): string | undefined {
  try {
    return run();
  } catch (error) {
    return `threw: ${String(error)}`;
  }
}
