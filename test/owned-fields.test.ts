/**
 * Controller-owned fields: an app names the fields another controller owns
 * (`ownedFields`), sluice checks each path against the kind's schema at its
 * line, and both engines leave them to their owner — Argo CD by
 * ignoreDifferences with RespectIgnoreDifferences, Flux by the
 * Kustomization's `spec.ignore`.
 */
import { beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { synth } from "sluice";
import { BUILTIN_KINDS } from "../src/k8s/builtin-kinds.js";
import { fieldPointer, findKind } from "../src/k8s/field-paths.js";
import { BUILTIN_KIND_NAMES } from "../src/k8s/kind-names.js";
import type { Settings } from "../src/model/settings-schema.js";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { copyProject, type Project } from "./helpers/project.js";
import { schemaFor } from "./helpers/schemas.js";
import { edit, failsAt } from "./helpers/stack-edit.js";

let base: Project;
beforeAll(() => {
  base = synthesizedExample();
});

function objects(p: Project, file: string): any[] {
  return parseAllDocuments(p.read(file)).map((doc) => doc.toJS());
}

const COST = "/spec/template/metadata/annotations/cost.example.com~1centre";

describe("the example: checkout-web leaves its cost-centre annotation to the platform's webhook", () => {
  it("Argo CD: an ignoreDifferences entry for its Deployments, respected by the sync; the Application validates strictly", () => {
    for (const cluster of ["dev-1", "staging-1", "prod-eu-1", "prod-us-1"]) {
      const [application] = objects(base, `out/clusters/${cluster}/apps/checkout-web.yaml`);
      expect(() => schemaFor("argoproj.io/v1alpha1", "Application")!(application)).not.toThrow();
      expect(application.spec.ignoreDifferences).toContainEqual({ group: "apps", kind: "Deployment", jsonPointers: [COST] });
      expect(application.spec.syncPolicy.syncOptions).toContain("RespectIgnoreDifferences=true");
    }
    // In production Argo Rollouts runs checkout-web's pods from a Rollout: the annotation is left to the webhook there too.
    const [production] = objects(base, "out/clusters/prod-eu-1/apps/checkout-web.yaml");
    expect(production.spec.ignoreDifferences).toContainEqual({
      group: "argoproj.io",
      kind: "Rollout",
      name: "checkout-web",
      namespace: "storefront",
      jsonPointers: [COST],
    });
  });

  it("Flux: an ignore rule whose target matches exactly the app's Deployments; the Kustomization validates strictly", () => {
    const [kustomization] = objects(base, "out/clusters/prod-ap-1/apps/checkout-web.yaml");
    expect(() => schemaFor("kustomize.toolkit.fluxcd.io/v1", "Kustomization")!(kustomization)).not.toThrow();
    // With the replica count Flagger sets on the Deployment it promotes from (progressive delivery).
    expect(kustomization.spec.ignore).toEqual([
      { paths: [COST], target: { group: "^apps$", kind: "^Deployment$" } },
      { paths: ["/spec/replicas"], target: { group: "^apps$", kind: "^Deployment$", name: "^checkout-web$" } },
    ]);
    expect(base.read("out/README.md")).toContain("kustomize-controller v1.9 or later");
  });

  it("an app without ownedFields is unchanged: no ignore rules", () => {
    expect(objects(base, "out/clusters/prod-ap-1/apps/payments.yaml")[0].spec.ignore).toBeUndefined();
    expect(objects(base, "out/clusters/prod-eu-1/apps/catalog-api.yaml")[0].spec.ignoreDifferences).toBeUndefined();
  });
});

describe("paths and kinds are checked at their line", () => {
  it("a misspelt field is an error at its path's line, with the nearest valid path", async () => {
    const p = copyProject(base);
    edit(p, "stacks/checkout-web.ts", '"spec.template.metadata.annotations.cost', '"spec.template.metdata.annotations.cost');
    const found = await failsAt(p, "validate/owned-field-path", "stacks/checkout-web.ts", "spec.template.metdata");
    expect(found.message).toContain('spec.template has no field "metdata"');
    expect(found.hint).toBe('did you mean "spec.template.metadata.annotations.cost.example.com/centre"?');
  });

  it("a misspelt kind is an error at its line, with the kind it likely meant", async () => {
    const p = copyProject(base);
    edit(p, "stacks/checkout-web.ts", 'kind: "Deployment",', 'kind: "Deploymnet",');
    const found = await failsAt(p, "validate/owned-field-kind", "stacks/checkout-web.ts", "Deploymnet");
    expect(found.hint).toBe('did you mean "Deployment"?');
  });

  it("in an environment's override too", async () => {
    const p = copyProject(base);
    edit(
      p,
      "stacks/checkout-web.ts",
      '    dev: { expose: { host: "shop.dev.example.com" } },',
      '    dev: {\n      expose: { host: "shop.dev.example.com" },\n      ownedFields: [{ kind: "Deployment", paths: ["spec.replica"] }],\n    },',
    );
    const found = await failsAt(p, "validate/owned-field-path", "stacks/checkout-web.ts", '"spec.replica"');
    expect(found.hint).toBe('did you mean "spec.replicas"?');
  });

  it("Flux cannot leave fields to a field manager by name: managers on a Flux cluster are refused at their line", async () => {
    const p = copyProject(base);
    edit(
      p,
      "stacks/checkout-web.ts",
      '      reason: "set by the platform\'s cost-allocation webhook",\n',
      '      managers: ["cost-webhook"],\n',
    );
    const found = await failsAt(p, "resolve/owned-field-managers", "stacks/checkout-web.ts", '["cost-webhook"]');
    expect(found.message).toContain("Flux");
    expect(found.message).toContain("prod-ap-1");
  });
});

describe("one ignoreDifferences list: the HPA's and Reloader's fields and the app's own, without duplicates", () => {
  it("merges by object and kind, and drops what the kind-wide entry already covers", async () => {
    const p = copyProject(base);
    // search autoscales (the HPA owns /spec/replicas) and, in production, Reloader writes its annotation.
    // Field managers are Argo CD's alone: the list is prod-eu-1's (a cluster's layer replaces it whole).
    edit(
      p,
      "stacks/search.ts",
      "  autoscaling: { min: 2, max: 10, targetCPU: 70 },\n",
      `  autoscaling: { min: 2, max: 10, targetCPU: 70 },
  clusters: {
    "prod-eu-1": {
      ownedFields: [
        { kind: "Deployment", paths: ["spec.template.metadata.annotations.reloader.stakater.com/last-reloaded-from"] },
        { kind: "Deployment", name: "search", paths: ["spec.replicas", "spec.template.spec.containers.0.resources", "spec.replicas"] },
        { kind: "Deployment", name: "search", managers: ["vpa-recommender"] },
        { kind: "autoscaling/HorizontalPodAutoscaler", paths: ["spec.minReplicas"] },
      ],
    },
  },
`,
    );
    await synth({ root: p.root, skipTypecheck: true });
    const [application] = objects(p, "out/clusters/prod-eu-1/apps/search.yaml");
    expect(() => schemaFor("argoproj.io/v1alpha1", "Application")!(application)).not.toThrow();
    expect(application.spec.ignoreDifferences).toEqual([
      {
        group: "apps",
        kind: "Deployment",
        jsonPointers: ["/spec/template/metadata/annotations/reloader.stakater.com~1last-reloaded-from"],
      },
      {
        group: "apps",
        kind: "Deployment",
        name: "search",
        namespace: "storefront",
        jsonPointers: ["/spec/replicas", "/spec/template/spec/containers/0/resources"],
        managedFieldsManagers: ["vpa-recommender"],
      },
      { group: "autoscaling", kind: "HorizontalPodAutoscaler", jsonPointers: ["/spec/minReplicas"] },
    ]);
    expect(application.spec.syncPolicy.syncOptions.filter((o: string) => o === "RespectIgnoreDifferences=true")).toHaveLength(1);
    // Elsewhere only what sluice knows of: one entry for the Deployment.
    expect(objects(p, "out/clusters/prod-us-1/apps/search.yaml")[0].spec.ignoreDifferences).toEqual([
      {
        group: "apps",
        kind: "Deployment",
        name: "search",
        namespace: "storefront",
        jsonPointers: ["/spec/replicas", "/spec/template/metadata/annotations/reloader.stakater.com~1last-reloaded-from"],
      },
    ]);
  });
});

describe("field paths, walked down the kind's schema", () => {
  const deployment = findKind("Deployment", {});
  if ("problem" in deployment) throw new Error(deployment.problem);

  it("a map's key keeps its dots and slashes; a list's item is its index", () => {
    expect(fieldPointer(deployment, "spec.template.metadata.annotations.sidecar.istio.io/inject")).toEqual([
      "spec",
      "template",
      "metadata",
      "annotations",
      "sidecar.istio.io/inject",
    ]);
    expect(fieldPointer(deployment, "spec.template.spec.containers.0.resources.limits.cpu")).toEqual([
      "spec",
      "template",
      "spec",
      "containers",
      "0",
      "resources",
      "limits",
      "cpu",
    ]);
  });

  it("refuses a name where a list wants an index, and a path below a plain value", () => {
    expect(fieldPointer(deployment, "spec.template.spec.containers.app.image")).toMatchObject({
      hint: 'name an item by its position, e.g. "spec.template.spec.containers.0.image"',
    });
    expect(fieldPointer(deployment, "spec.replicas.count")).toMatchObject({ hint: 'end the path at "spec.replicas"' });
    expect(fieldPointer(deployment, "spec.strategy.rollingUpdate.maxSurge.percent")).toMatchObject({
      hint: 'end the path at "spec.strategy.rollingUpdate.maxSurge"',
    });
  });

  it("a kind served by two groups needs its group; a declared custom resource without a schema takes any path", () => {
    expect(findKind("Event", {})).toMatchObject({ hint: 'write the group too, e.g. "events.k8s.io/Event"' });
    const certificate = findKind("cert-manager.io/Certificate", { "cert-manager.io/v1": { Certificate: { scope: "Namespaced" } } });
    if ("problem" in certificate) throw new Error(certificate.problem);
    expect(fieldPointer(certificate, "spec.renewBefore")).toEqual(["spec", "renewBefore"]);
    // metadata is every kind's: still checked, also where a CRD's schema leaves it untyped.
    expect(fieldPointer(certificate, "metadata.anotations.x")).toMatchObject({ hint: 'did you mean "metadata.annotations.x"?' });
    const externalSecret = findKind("external-secrets.io/ExternalSecret", {});
    if ("problem" in externalSecret) throw new Error(externalSecret.problem);
    expect(fieldPointer(externalSecret, "metadata.lables.x")).toMatchObject({ hint: 'did you mean "metadata.labels.x"?' });
    expect(fieldPointer(externalSecret, "spec.refreshInterval")).toEqual(["spec", "refreshInterval"]);
    expect(fieldPointer(externalSecret, "spec.refreshIntervall")).toMatchObject({ hint: 'did you mean "spec.refreshInterval"?' });
  });

  it("types: a misspelt built-in kind does not compile; a kind with its group does", () => {
    const withGroup: Settings = { ownedFields: [{ kind: "cert-manager.io/Certificate", paths: ["spec.renewBefore"] }] };
    // @ts-expect-error "Deploymnet" is not a kind Kubernetes serves, and has no group
    const misspelt: Settings = { ownedFields: [{ kind: "Deploymnet", paths: ["spec.replicas"] }] };
    expect([withGroup, misspelt]).toHaveLength(2);
    // The literal kinds are exactly the ones Kubernetes serves (src/k8s/builtin-kinds.ts, generated).
    const served = new Set(Object.values(BUILTIN_KINDS).flatMap((kinds) => Object.keys(kinds)));
    expect([...BUILTIN_KIND_NAMES]).toEqual([...served].sort());
  });

  it("types: a misspelt key of an owned field does not compile", () => {
    expectTypeOf<NonNullable<Settings["ownedFields"]>[number]>().toHaveProperty("paths");
    const ok: Settings = { ownedFields: [{ kind: "Deployment", paths: ["spec.replicas"] }] };
    // @ts-expect-error "pahts" is not a key of an owned field
    const misspelt: Settings = { ownedFields: [{ kind: "Deployment", pahts: ["spec.replicas"] }] };
    expect([ok, misspelt]).toHaveLength(2);
  });
});
