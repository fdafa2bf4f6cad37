/**
 * The strict schemas every emitted object is checked against, judged by what
 * the real consumer does: the API server's strict field validation (unknown
 * fields refused, required fields enforced), server-side apply's map lists,
 * and the CRDs' CEL validation rules.
 */
import { describe, expect, it } from "vitest";
import { isSluiceError } from "sluice";
import { BUILTIN_KINDS, KUBERNETES_VERSION } from "../../src/k8s/builtin-kinds.js";
import { pluralOf, scopeInGroup } from "../../src/k8s/kinds.js";
import { schemaCheck } from "../../src/k8s/schemas.js";
import { inspectObjects as checkRendered } from "../../src/pipeline/inspect/objects.js";
import { validate } from "../../src/pipeline/validate/validate.js";
import { appSpec, loaded, platformSpec } from "../helpers/model.js";
import { planModel } from "../helpers/pipeline.js";
import { located } from "../../src/locate/index.js";

const problems = (object: { apiVersion: string; kind: string; [field: string]: unknown }) =>
  schemaCheck(object.apiVersion, object.kind)!(object);

function diagnosticsOf(run: () => void) {
  try {
    run();
    return [];
  } catch (error) {
    if (!isSluiceError(error)) throw error;
    // As the API reports it: at lines, one per line (src/locate/located.ts).
    return located("/nowhere", error).diagnostics;
  }
}

function inspectObjects(objects: readonly object[]) {
  return diagnosticsOf(() => {
    const model = validate("/nowhere", loaded(platformSpec(), { web: appSpec({ objects }) }));
    planModel(model);
  });
}

const policy = (validation: Record<string, unknown>) => ({
  apiVersion: "admissionregistration.k8s.io/v1",
  kind: "ValidatingAdmissionPolicy",
  metadata: { name: "sluice-required-labels" },
  spec: { failurePolicy: "Fail", matchConstraints: { resourceRules: [] }, validations: [validation] },
});

describe(`Kubernetes ${KUBERNETES_VERSION} kinds, strictly`, () => {
  it("refuse a ValidatingAdmissionPolicy validation with fieldPath, as the API server does (it has expression, message, reason, messageExpression)", () => {
    expect(problems(policy({ expression: "true", message: "m", reason: "Invalid" }))).toEqual([]);
    expect(problems(policy({ expression: "true", message: "m", reason: "Invalid", fieldPath: ".metadata.labels" }))).toEqual([
      { instancePath: "/spec/validations/0", message: 'has unknown field "fieldPath"' },
    ]);
  });

  it("refuse unknown fields at any depth and enforce required fields", () => {
    const deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", labelz: {} },
      spec: { template: { spec: { containers: [{ name: "web", image: "x", resource: {} }] } } },
    };
    expect(problems(deployment)).toEqual(
      expect.arrayContaining([
        { instancePath: "/metadata", message: 'has unknown field "labelz"' },
        { instancePath: "/spec", message: 'is missing the required field "selector"' },
        { instancePath: "/spec/template/spec/containers/0", message: 'has unknown field "resource"' },
      ]),
    );
    expect(problems({ apiVersion: "v1", kind: "Service", metadata: { name: "s" }, spec: { ports: [{ name: "http" }] } })).toContainEqual({
      instancePath: "/spec/ports/0",
      message: 'is missing the required field "port"',
    });
  });

  it("take quantities and int-or-string as Kubernetes does: numbers or strings", () => {
    const pod = (resources: object, port: unknown) => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p" },
      spec: { containers: [{ name: "c", image: "x", resources, readinessProbe: { httpGet: { path: "/", port } } }] },
    });
    expect(problems(pod({ limits: { cpu: 1, memory: "64Mi" } }, "http"))).toEqual([]);
    expect(problems(pod({ limits: { cpu: "500m" } }, 8080))).toEqual([]);
    expect(problems(pod({ limits: { cpu: true } }, 8080)).length).toBeGreaterThan(0);
  });

  it("refuse two entries with the same keys in a map list (server-side apply refuses them; client-side apply keeps one)", () => {
    const deployment = (env: object[], ports: object[]) => ({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web" },
      spec: { selector: {}, template: { spec: { containers: [{ name: "web", image: "x", env, ports }] } } },
    });
    expect(
      problems(
        deployment(
          [
            { name: "A", value: "1" },
            { name: "B", value: "2" },
          ],
          [{ containerPort: 80 }, { containerPort: 80, protocol: "UDP" }],
        ),
      ),
    ).toEqual([]);
    expect(
      problems(
        deployment(
          [
            { name: "A", value: "1" },
            { name: "A", value: "2" },
          ],
          [],
        ),
      ),
    ).toEqual([
      { instancePath: "/spec/template/spec/containers/0/env", message: 'has two entries with name="A"; each entry needs keys of its own' },
    ]);
    expect(problems(deployment([], [{ containerPort: 80 }, { containerPort: 80 }]))).toEqual([
      {
        instancePath: "/spec/template/spec/containers/0/ports",
        message: "has two entries with containerPort=80, protocol=(default); each entry needs keys of its own",
      },
    ]);
  });

  it("know each kind's plural and scope from the API paths, not from a guess", () => {
    expect(pluralOf("", "Endpoints", {})).toBe("endpoints");
    expect(pluralOf("networking.k8s.io", "Ingress", {})).toBe("ingresses");
    expect(pluralOf("", "ComponentStatus", {})).toBeUndefined(); // read-only: nobody creates one
    expect(scopeInGroup("networking.k8s.io", "IPAddress", {})).toBe("Cluster");
    expect(scopeInGroup("networking.k8s.io", "ServiceCIDR", {})).toBe("Cluster");
    expect(BUILTIN_KINDS["v1"]!["Pod"]!.subresources).toContain("ephemeralcontainers");
    expect(pluralOf("cert-manager.io", "ClusterIssuer", { "cert-manager.io/v1": { ClusterIssuer: { scope: "Cluster" } } })).toBeUndefined();
    expect(
      pluralOf("cert-manager.io", "ClusterIssuer", {
        "cert-manager.io/v1": { ClusterIssuer: { scope: "Cluster", plural: "clusterissuers" } },
      }),
    ).toBe("clusterissuers");
  });

  it("refuse apiVersions the pinned Kubernetes no longer serves, naming the one it does", () => {
    const [problem] = diagnosticsOf(() =>
      validate(
        "/nowhere",
        loaded(platformSpec(), {
          web: appSpec({ objects: [{ apiVersion: "extensions/v1beta1", kind: "Ingress", metadata: { name: "i" } }] }),
        }),
      ),
    );
    expect(problem?.message).toBe(`Kubernetes ${KUBERNETES_VERSION} serves Ingress as networking.k8s.io/v1, not extensions/v1beta1`);
    expect(problem?.hint).toBe('write apiVersion: "networking.k8s.io/v1"');
  });
});

describe("the inspect stage", () => {
  it("points a wrong field of a raw object at its stack field", () => {
    const found = inspectObjects([
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { a: "b" } },
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "d" },
        spec: { selector: {}, template: { spec: { containers: [{ name: "c", image: "x", imagePullPolicy: "Always", envv: [] }] } } },
      },
    ]);
    expect(found.map((d) => [d.code, d.origin?.path])).toEqual([
      ["check/schema", ["objects", 1, "spec", "template", "spec", "containers", 0]],
    ]);
    expect(found[0]!.message).toMatch(
      /Deployment d \(apps\/web\/.*\/manifest\.yaml\): \/spec\/template\/spec\/containers\/0 has unknown field "envv"/,
    );
  });

  it("runs a CRD's CEL validation rules on what a team writes", () => {
    const store = (provider: object) => ({
      apiVersion: "external-secrets.io/v1",
      kind: "SecretStore",
      metadata: { name: "s" },
      spec: { provider },
    });
    const openBao = { server: "https://bao.example.com", auth: { tokenSecretRef: { name: "t", key: "k" } }, caBundle: "Y2E=" };
    expect(problems(store({ openBao }))).toEqual([]);
    expect(problems(store({ openBao: { ...openBao, caProvider: { type: "Secret", name: "ca" } } }))).toEqual([
      { instancePath: "/spec/provider/openBao", message: "at most one of the fields in [caBundle caProvider] may be set" },
    ]);
    const found = inspectObjects([store({ openBao: { ...openBao, caProvider: { type: "Secret", name: "ca" } } })]);
    expect(found.map((d) => [d.code, d.origin?.path])).toEqual([["check/schema", ["objects", 0, "spec", "provider", "openBao"]]]);
  });

  it("checks Argo CD's objects against its CRDs strictly", () => {
    const application = {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Application",
      metadata: { name: "a" },
      spec: { project: "p", destination: {}, source: { repoURL: "r", path: "p" } },
    };
    expect(problems(application)).toEqual([]);
    expect(problems({ ...application, spec: { ...application.spec, syncPolicy: { automatic: { prune: true } } } })).toEqual([
      { instancePath: "/spec/syncPolicy", message: 'has unknown field "automatic"' },
    ]);
  });
});

describe("kinds named by the platform", () => {
  const platformWith = (extra: Record<string, unknown>) => ({ ...platformSpec(), ...extra });
  const invalid = (platform: Record<string, unknown>) => diagnosticsOf(() => validate("/nowhere", loaded(platform, {})));

  it("a grant of a namespaced kind, an unknown kind, or (with Flux) a custom kind without its plural is refused at its line", () => {
    const teams = (clusterResources: string[]) => ({ teams: { shop: { owners: ["@acme/shop"], namespaces: ["shop"], clusterResources } } });
    const found = invalid(
      platformWith({
        ...teams(["networking.k8s.io/NetworkPolicy", "rbac.authorization.k8s.io/ClusterRol", "networking.k8s.io/IPAddress"]),
      }),
    );
    expect(found.map((d) => [d.code, d.origin?.path, d.message])).toEqual([
      [
        "validate/cluster-resource",
        ["teams", "shop", "clusterResources", 0],
        "networking.k8s.io/NetworkPolicy is namespaced: a team may add it to its apps without a grant",
      ],
      [
        "validate/cluster-resource",
        ["teams", "shop", "clusterResources", 1],
        `"rbac.authorization.k8s.io/ClusterRol" is neither a Kubernetes ${KUBERNETES_VERSION} kind nor a declared custom resource`,
      ],
    ]);
    const custom = { customResources: { "cert-manager.io/v1": { ClusterIssuer: "Cluster" } } };
    expect(invalid(platformWith({ ...custom, ...teams(["cert-manager.io/ClusterIssuer"]) }))).toEqual([]);
    const flux = invalid(platformWith({ ...custom, ...teams(["cert-manager.io/ClusterIssuer"]), engine: "flux" }));
    expect(flux.map((d) => d.message)).toEqual([
      "cert-manager.io/ClusterIssuer is a custom resource whose plural is not declared, so the Flux tenant's RBAC rule cannot name it",
    ]);
    const declared = { customResources: { "cert-manager.io/v1": { ClusterIssuer: { scope: "Cluster", plural: "clusterissuers" } } } };
    expect(invalid(platformWith({ ...declared, ...teams(["cert-manager.io/ClusterIssuer"]), engine: "flux" }))).toEqual([]);
  });

  it("a policy rule on a custom kind needs its plural, or admission would match nothing", () => {
    const rule = {
      id: "issuer-labels",
      description: "d",
      severity: "error",
      on: "object",
      kinds: ["cert-manager.io/Certificate"],
      check: "true",
      message: "m",
    };
    const found = invalid(
      platformWith({ customResources: { "cert-manager.io/v1": { Certificate: "Namespaced" } }, policy: { rules: [rule] } }),
    );
    expect(found.map((d) => [d.code, d.origin?.path])).toEqual([["validate/rule", ["policy", "rules", 0, "kinds"]]]);
    expect(found[0]!.message).toMatch(/does not serve and customResources does not declare with its plural/);
    expect(
      invalid(
        platformWith({
          customResources: { "cert-manager.io/v1": { Certificate: { scope: "Namespaced", plural: "certificates" } } },
          policy: { rules: [rule] },
        }),
      ),
    ).toEqual([]);
  });

  it("a custom resource's hint asks for the scope and plural its CRD declares, not always Namespaced", () => {
    const [problem] = diagnosticsOf(() =>
      validate(
        "/nowhere",
        loaded(platformSpec(), {
          web: appSpec({ objects: [{ apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", metadata: { name: "ca" } }] }),
        }),
      ),
    );
    expect(problem?.hint).toContain('ClusterIssuer: { scope: "Namespaced" or "Cluster", plural: "<its spec.names.plural>" }');
  });
});

describe("the schema memory of the cluster-wide objects", () => {
  const origin = { file: "stacks/platform.ts", line: 1, column: 1 };
  const configMap = (data: Record<string, unknown>) => ({
    path: "clusters/c/platform/objects.yaml",
    origin,
    sources: [],
    object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, ...data },
  });
  function memory() {
    const passed = new Set<string>();
    let asked = 0;
    return {
      passed,
      asked: () => asked,
      schemaChecked: (digest: string) => {
        asked++;
        return passed.has(digest);
      },
      passedSchema: (digest: string) => void passed.add(digest),
    };
  }

  it("skips an object that passed with the same content, and checks a changed one again", () => {
    const known = memory();
    const good = configMap({ data: { a: "b" } });
    checkRendered([good], { known, of: new Set([good]) });
    expect(known.passed.size).toBe(1);
    const again = configMap({ data: { a: "b" } });
    checkRendered([again], { known, of: new Set([again]) });
    expect(known.passed.size).toBe(1);
    const bad = configMap({ data: { a: "b" }, spec: {} });
    const found = checkRendered([bad], { known, of: new Set([bad]) });
    expect(found.map((d) => d.message)).toEqual([expect.stringContaining('has unknown field "spec"')]);
    expect(known.passed.size).toBe(1);
  });
});
