import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
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
import { fieldPathOf, fieldPaths, modelFields, type FieldNode } from "./helpers/model-fields.js";
import { makeProject, readTree, REPO } from "./helpers/project.js";

/**
 * The render cache's key is correct by construction: whatever field of the
 * model changes, each app instance either gets another key (and is rendered
 * again) or renders exactly the bytes it rendered before (so the cached bytes
 * are right). The fields changed are every value of a project that sets
 * every field of the model (test/fixtures/every-field), and the test reads
 * the fields the model declares from its types: a field added to the model
 * fails here until the fixture sets it.
 */

type Path = readonly (string | number)[];
type Leaf = { readonly path: Path; readonly value: string | number | boolean };

/**
 * Declared fields no changed value needs to reach, each with the reason.
 * Nothing else may be left out: a field a renderer reads is render input.
 */
const NOT_CHANGED: Readonly<Record<string, string>> = {
  "platform.origin.path[]": "the platform's origin is its definePlatform call itself, with no property below it to point at",
  "apps[].origin.path[]": "an app's origin is its platform.app call itself, with no property below it to point at",
  "platform.previews.scm.gitlab.project":
    "a platform's previews name one SCM (the fixture's is GitHub); previews are fleet files, rendered every run",
  "platform.previews.scm.gitlab.projectId": "as above",
  "platform.previews.scm.gitlab.url": "as above",
  "platform.previews.scm.gitlab.token.secret": "as above",
};

/**
 * Declared fields below these, each with the reason: the settings of an app's preview are rendered
 * into previews/<app>/<cluster>/, fleet files rendered on every run and never taken from the render
 * cache (test/previews.test.ts), and an instance's input leaves them out.
 */
const NOT_CHANGED_BELOW: Readonly<Record<string, string>> = {
  "apps[].preview.settings.": "a preview's settings render previews/, fleet files rendered on every run; no instance reads them",
  "platform.previews.opened[].":
    "records open previews only where the previews name no SCM (the fixture's name GitHub); each renders one engine object, a fleet file rendered every run (test/preview-records.test.ts)",
};

const notChanged = (field: string) =>
  Object.hasOwn(NOT_CHANGED, field) || Object.keys(NOT_CHANGED_BELOW).some((prefix) => field.startsWith(prefix));

/** One instance's key and its files' digests, under a model. */
interface Outcome {
  readonly keys: readonly (string | undefined)[];
  bytes(index: number): string | undefined;
}

describe("the render-cache key", () => {
  let root: string;
  let model: Model;
  let fields: FieldNode;
  let base: Outcome;
  let baseBytes: (string | undefined)[];

  beforeAll(async () => {
    const project = makeProject(readTree(path.join(REPO, "test/fixtures/every-field")));
    root = project.root;
    model = await loadModel({ root, skipTypecheck: true });
    fields = modelFields();
    base = outcome(model);
    baseBytes = base.keys.map((_, index) => base.bytes(index));
  });

  // Instances are compared by position: the model's apps and clusters keep their places under an edit.
  const outcome = (of: Model): Outcome => {
    const inputOf = instanceInputs(root, of);
    const blueprints = blueprintRegistry(builtInBlueprints, of.platform.blueprints);
    const keyOf = instanceKeys({ blueprints, policyFingerprint: "policy", waivedLiterals: scanLiterals(of).waived });
    const inputs = of.apps.flatMap((app) => of.platform.clusters.map((cluster) => inputOf(app, cluster)));
    return {
      keys: inputs.map((input) => (input ? keyOf(input) : "")),
      bytes(index) {
        const input = inputs[index];
        if (!input) return undefined;
        const { resolved, diagnostics } = resolveSome([input]);
        if (diagnostics.length > 0) return `invalid: ${diagnostics.map((d) => d.code).join(",")}`;
        const files = emitObjects(renderInstance(input.platform, resolved[0]!, blueprints.of(input.app), input.sources));
        return JSON.stringify(files.map((file) => [file.path, file.blob, file.objects.length]));
      },
    };
  };

  it("reads the model's fields from its types: optional ones, each member of a union, no code", () => {
    const declared = fieldPaths(fields);
    expect(declared).toEqual(
      expect.arrayContaining([
        "apps[].blueprint",
        "platform.clusters[].engine",
        // A record's values, and each member of a union: a Helm or an OCI chart, `false` or an object.
        "apps[].settings.secrets{}.file",
        "platform.components[].chart.oci",
        "platform.components[].chart.repository",
        "apps[].settings.autoscaling",
        "apps[].settings.autoscaling.min",
        "platform.blueprints{}.cacheKey",
      ]),
    );
    // The ordering's methods and a blueprint's render are code, not fields.
    expect(declared.filter((field) => field.startsWith("order") || field.endsWith(".render"))).toEqual([]);
  });

  it("renders every instance of the fixture, each with a key", () => {
    const rendered = baseBytes.filter((bytes) => bytes !== undefined);
    expect(rendered.length).toBeGreaterThanOrEqual(6);
    expect(
      rendered.filter((bytes) => !bytes.startsWith("[")),
      "instances that do not render",
    ).toEqual([]);
    expect(base.keys.filter((key, index) => baseBytes[index] !== undefined && key === undefined)).toEqual([]);
  });

  it("changes every field the model declares, and each either changes an instance's key or leaves its bytes as they were", () => {
    const leaves = leavesOf({ platform: model.platform, apps: model.apps, files: model.files, stacks: model.stacks });
    const misses: string[] = [];
    const reached = new Set<string>();
    let changedKeys = 0;
    let refused = 0;
    const alternatives = alternativesOf(leaves);
    for (const leaf of leaves) {
      // Another value the model holds under the same name (another environment's name), else a new one;
      // a name other fields refer to (an environment's) is renamed wherever it is used.
      const edits: [string, () => Model][] = alternatives(leaf).map((value) => [
        JSON.stringify(value),
        () => editAt(model, leaf.path, value),
      ]);
      if (typeof leaf.value === "string") {
        const [from, to] = [leaf.value, `${leaf.value}x`];
        edits.push([`${JSON.stringify(to)} wherever ${JSON.stringify(from)} is`, () => renamed(model, from, to)]);
      }
      let now: Outcome | undefined;
      let change: string | undefined;
      for (const [described, edit] of edits) {
        try {
          now = outcome(edit());
          change = described;
          break;
        } catch {
          // not a model validation lets through (a name nothing declares): the next edit
        }
      }
      if (!now) {
        refused++;
        continue;
      }
      reached.add(fieldPathOf(fields, leaf.path) ?? `(undeclared) ${leaf.path.join(".")}`);
      now.keys.forEach((key, index) => {
        if (key !== base.keys[index]) return void changedKeys++;
        const bytes = safely(() => now.bytes(index));
        if (bytes !== baseBytes[index])
          misses.push(`${leaf.path.join(".")} = ${change}: instance ${index} kept its key but renders other bytes`);
      });
    }
    console.info(
      `render-cache key: ${leaves.length} model values changed one at a time, ${refused} refused, ${changedKeys} instance keys changed`,
    );
    expect(misses).toEqual([]);
    expect(refused).toBeLessThan(leaves.length / 10);
    // Every value changed is a field the types declare (else the walk of the types missed a shape)...
    expect([...reached].filter((field) => field.startsWith("(undeclared)"))).toEqual([]);
    // ...and every field the types declare had a value changed.
    const declared = fieldPaths(fields);
    expect(declared.filter((field) => !reached.has(field) && !notChanged(field))).toEqual([]);
    expect(
      Object.keys(NOT_CHANGED).filter((field) => !declared.includes(field) || reached.has(field)),
      "stale exclusions",
    ).toEqual([]);
    // One render of the fixture per leaf: the time grows with the model (a few seconds alone, more beside the whole suite).
  }, 180_000);

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

/** The model with a name changed wherever it is written, values and keys: a rename that keeps every reference. */
function renamed(model: Model, from: string, to: string): Model {
  const rename = (node: unknown): unknown => {
    if (node === from) return to;
    if (Array.isArray(node)) return node.map(rename);
    if (typeof node !== "object" || node === null) return node;
    return Object.fromEntries(Object.entries(node).map(([key, item]) => [key === from ? to : key, rename(item)]));
  };
  const data = rename({ platform: model.platform, apps: model.apps, files: model.files, stacks: model.stacks }) as Pick<
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
