/**
 * The engine contract (src/engines/engine.ts), held against every registered
 * engine: the suite iterates the registry, so an engine added there is
 * checked without a line here. A third engine, test-only
 * (test/fixtures/engines/plain/: its declaration and its renderer), is
 * registered below the way a shipped one is — one line in the registry table —
 * and passes the same suite; a platform selects it and sets its settings.
 */
import { describe, expect, it, vi } from "vitest";
import { isSluiceError } from "../src/errors.js";
import { ENGINE_LIST, engineOf } from "../src/engines/index.js";
import { apiGroup, type KubernetesObject } from "../src/k8s/object.js";
import type { Diagnostic } from "../src/model/diagnostic.js";
import { instanceKeys } from "../src/pipeline/render/index.js";
import { blueprintRegistry } from "../src/pipeline/render/blueprints.js";
import { builtInBlueprints } from "../lib/blueprints/index.js";
import { instanceInputs } from "../src/pipeline/resolve/index.js";
import { validate } from "../src/pipeline/validate/validate.js";
import { gitOpsKind } from "../src/pipeline/validate/objects.js";
import { BUILTIN_KINDS } from "../src/k8s/builtin-kinds.js";
import { appSpec, loaded, platformSpec } from "./helpers/model.js";
import { planModel, renderedOf } from "./helpers/pipeline.js";
import { schemaFor } from "./helpers/schemas.js";
import { documents } from "./helpers/policies.js";

// The third engine's registration: the line src/engines/registry.ts would hold for a shipped one.
vi.mock("../src/engines/registry.js", async (original) => ({
  ENGINES: {
    ...(await original<typeof import("../src/engines/registry.js")>()).ENGINES,
    plain: (await import("./fixtures/engines/plain/declaration.js")).plain,
  },
}));

const BUILTIN_GROUPS = new Set(Object.keys(BUILTIN_KINDS).map(apiGroup));

/** The example-like fleet (three clusters in three waves, one team, two apps) on one engine. */
function fleet(engine: string, change: (spec: Record<string, unknown>) => void = () => {}) {
  const spec = { ...platformSpec(), engine };
  change(spec);
  return validate("/nowhere", loaded(spec, { web: appSpec(), worker: appSpec({ ports: undefined }) }));
}

function diagnostics(run: () => unknown): Diagnostic[] {
  try {
    run();
  } catch (error) {
    if (isSluiceError(error)) return [...error.diagnostics];
    throw error;
  }
  throw new Error("expected validation to fail");
}

it("the registry holds the shipped engines and the test's third", () => {
  expect(ENGINE_LIST.map((engine) => engine.name)).toEqual(["argocd", "flux", "plain"]);
});

describe.each(ENGINE_LIST.map((engine) => [engine.name, engine] as const))("engine %s", (name, engine) => {
  it("synthesizes a fleet: each cluster's kustomization bootstraps a root in the engine's namespace and one object per app", () => {
    const model = fleet(name);
    const plan = planModel(model);
    const files = new Map(plan.files.map((file) => [file.path, file]));
    // What `kubectl apply -k clusters/<cluster>` applies: the files its kustomization lists, through the directories' own.
    const applied = (dir: string): string[] =>
      (documents(files.get(`${dir}/kustomization.yaml`)!.content)[0] as unknown as { resources: string[] }).resources.flatMap((resource) =>
        files.has(`${dir}/${resource}`) ? [`${dir}/${resource}`] : applied(`${dir}/${resource}`),
      );
    for (const cluster of model.platform.clusters) {
      expect(engineOf(cluster)).toBe(engine);
      const dir = `clusters/${cluster.name}`;
      const bootstrapped = applied(dir);
      for (const app of ["web", "worker"]) expect(bootstrapped).toContain(`${dir}/apps/${app}.yaml`);
      const root = bootstrapped.filter((file) => !file.startsWith(`${dir}/apps/`)).flatMap((file) => documents(files.get(file)!.content));
      expect(root.some((object) => object.metadata.namespace === engine.namespace(model.platform))).toBe(true);
    }
  });

  it("every object under clusters/ validates against the strict schema of its kind", () => {
    const { objects } = renderedOf(planModel(fleet(name)));
    const mine = objects.filter(({ path }) => path.startsWith("clusters/"));
    expect(mine.length).toBeGreaterThan(0);
    for (const { path, object } of mine) {
      const check = schemaFor(object.apiVersion, object.kind);
      expect(check, `${path}: no schema for ${object.apiVersion} ${object.kind}`).toBeDefined();
      expect(() => check!(object), `${path}: ${object.kind} ${object.metadata.name}`).not.toThrow();
    }
  });

  it("refuses a team that lists the namespace the engine runs in", () => {
    const reserved = engine.namespace(fleet(name).platform);
    const found = diagnostics(() =>
      fleet(name, (spec) => {
        (spec.teams as Record<string, { namespaces: string[] }>).shop!.namespaces.push(reserved);
      }),
    );
    expect(found.map((d) => d.code)).toContain("validate/reserved-namespace");
  });

  it("owns every custom kind it emits: the kinds are the platform's, refused in an app's objects, flagged by diff", () => {
    const { objects } = renderedOf(planModel(fleet(name)));
    const custom = objects
      .map(({ object }) => object)
      .filter((object) => !BUILTIN_GROUPS.has(apiGroup(object.apiVersion)) && engine.ownsKind(apiGroup(object.apiVersion), object.kind));
    const appObjects = objects.filter(({ path }) => /^clusters\/[^/]+\/apps\//.test(path)).map(({ object }) => object);
    for (const object of appObjects) {
      if (BUILTIN_GROUPS.has(apiGroup(object.apiVersion))) continue;
      expect(engine.ownsKind(apiGroup(object.apiVersion), object.kind), `${object.apiVersion} ${object.kind}`).toBe(true);
      expect(engine.deliveryKinds).toContain(object.kind);
    }
    for (const object of custom) {
      expect(gitOpsKind(object.apiVersion, object.kind)).toBe(engine.objectNoun);
      const shipped: KubernetesObject = { apiVersion: object.apiVersion, kind: object.kind, metadata: { name: "escape" } };
      const found = diagnostics(() =>
        validate("/nowhere", loaded({ ...platformSpec(), engine: name }, { web: appSpec({ objects: [shipped] }) })),
      );
      expect(found.map((d) => [d.code, d.message.includes(engine.objectNoun)])).toContainEqual(["validate/gitops-object", true]);
    }
  });

  it("its settings are in each instance's render key", () => {
    const elsewhere = { [name]: { namespace: "elsewhere" } };
    const keyOf = (model: ReturnType<typeof fleet>) => {
      const key = instanceKeys({
        blueprints: blueprintRegistry(builtInBlueprints, model.platform.blueprints),
        policyFingerprint: "",
        waivedLiterals: new Set(),
      })!;
      return key(instanceInputs("/nowhere", model)(model.apps[0]!, model.platform.clusters[0]!)!);
    };
    expect(keyOf(fleet(name, (spec) => Object.assign(spec, elsewhere)))).not.toBe(keyOf(fleet(name)));
  });
});

describe("the third engine's own settings", () => {
  it("a platform sets them under the engine's name, and they reach its renderer", () => {
    const model = fleet("plain", (spec) => Object.assign(spec, { plain: { namespace: "agents" } }));
    const { objects } = renderedOf(planModel(model));
    const mine = objects.filter(({ path }) => /^clusters\/[^/]+\/(root|apps\/web)\.yaml$/.test(path));
    expect(mine.map(({ object }) => object.metadata.namespace)).toEqual(["agents", "agents", "agents", "agents", "agents", "agents"]);
  });

  it("they are refused at their line when the engine's schema refuses them", () => {
    const found = diagnostics(() => fleet("plain", (spec) => Object.assign(spec, { plain: { namespace: "Not A Label", extra: 1 } })));
    expect(found.map((d) => d.origin?.path?.join("."))).toEqual(["plain.namespace", "plain.extra"]);
  });

  it("the namespace they name is the one reserved for the platform", () => {
    const found = diagnostics(() =>
      fleet("plain", (spec) => {
        Object.assign(spec, { plain: { namespace: "agents" } });
        (spec.teams as Record<string, { namespaces: string[] }>).shop!.namespaces.push("agents");
      }),
    );
    expect(found.map((d) => [d.code, d.message])).toContainEqual([
      "validate/reserved-namespace",
      expect.stringContaining("team shop lists namespace agents"),
    ]);
  });
});

describe("the env repo README's component notes come from the engines the fleet runs", () => {
  const ingress = {
    chart: { oci: "oci://ghcr.io/acme/charts/ingress-nginx", version: "4.13.0", digest: `sha256:${"ab".repeat(32)}` },
    namespace: "ingress",
  };
  const readme = (engine: string, prod2?: string) => {
    const model = fleet(engine, (spec) => {
      spec.components = { ingress };
      if (prod2) (spec.clusters as Record<string, Record<string, unknown>>)["prod-2"]!.engine = prod2;
    });
    return planModel(model).files.find((file) => file.path === "README.md")!.content;
  };

  it.each([
    [
      "argocd",
      undefined,
      "whether or not what it waits for is ready.\n",
      "An OCI chart is pulled by its tag on Argo CD (the digest is recorded as `sluice.dev/chart-digest`, not enforced).",
    ],
    ["flux", undefined, undefined, "An OCI chart is pulled by its digest."],
    [
      "argocd",
      "flux",
      "whether or not what it waits for is ready. Flux checks `dependsOn` on every reconcile.",
      "An OCI chart is pulled by its tag on Argo CD (the digest is recorded as `sluice.dev/chart-digest`, not enforced), by its digest on Flux.",
    ],
    ["plain", undefined, undefined, "An OCI chart is pulled by its digest."],
  ])("%s (prod-2 on %s)", (engine, prod2, waiting, oci) => {
    const text = readme(engine, prod2);
    if (waiting) expect(text).toContain(waiting);
    else expect(text).not.toContain('waited for by" holds');
    if (!prod2) expect(text).not.toContain("Flux checks `dependsOn`");
    expect(text).toContain(`${oci}\n`);
  });
});
