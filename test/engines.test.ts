/**
 * Argo CD and Flux (issue 10): the same workload manifests under either
 * engine, Flux's objects and tenancy, platform components from pinned charts,
 * and the order the declared dependencies give both engines.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { synth, type KubernetesObject } from "sluice";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { copyProject, readTree, type Project } from "./helpers/project.js";
import { schemaFor } from "./helpers/schemas.js";
import { paymentsDbFromSops, sopsFile } from "./helpers/sops.js";
import { edit, grantPaymentsPriorityClass, lineOf, rejection } from "./helpers/stack-edit.js";

let base: Project;
beforeAll(() => {
  base = synthesizedExample();
});

const copy = () => copyProject(base);

function objects(p: Project, file: string): any[] {
  return parseAllDocuments(p.read(file)).map((doc) => doc.toJS());
}

describe("one app, two engines", () => {
  it("renders byte-identical workload manifests under Argo CD and Flux: only the GitOps objects differ", async () => {
    const argo = copy();
    const fluxed = copy();
    edit(argo, "stacks/platform.ts", '      engine: "flux",\n', "");
    edit(fluxed, "stacks/platform.ts", '  engine: "argocd",', '  engine: "flux",');
    // prod-us-1 stays the Argo CD hub of its two spokes.
    edit(
      fluxed,
      "stacks/platform.ts",
      '"prod-us-1": {\n      environment: "prod",',
      '"prod-us-1": {\n      environment: "prod",\n      engine: "argocd",',
    );
    // Fleets declared so from the start: no env repo yet that runs a cluster on the other engine.
    argo.remove("out");
    fluxed.remove("out");
    await synth({ root: argo.root, skipTypecheck: true });
    await synth({ root: fluxed.root, skipTypecheck: true });
    const apps = (p: Project) =>
      Object.fromEntries(Object.entries(readTree(path.join(p.root, "out"))).filter(([file]) => file.startsWith("apps/")));
    const argoApps = apps(argo);
    expect(Object.keys(argoApps).length).toBeGreaterThan(20);
    expect(apps(fluxed)).toEqual(argoApps);
    // The GitOps objects differ: an Application under Argo CD, a Kustomization under Flux.
    expect(objects(argo, "out/clusters/dev-1/apps/payments.yaml")[0].kind).toBe("Application");
    expect(objects(fluxed, "out/clusters/dev-1/apps/payments.yaml")[0].kind).toBe("Kustomization");
  });

  it("a mixed fleet: prod-ap-1 runs Flux, prod-us-1 Argo CD, the README says which", () => {
    expect(objects(base, "out/clusters/prod-ap-1/apps/payments.yaml")[0]).toMatchObject({
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
    });
    expect(objects(base, "out/clusters/prod-us-1/apps/payments.yaml")[0]).toMatchObject({
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Application",
    });
    expect(base.read("out/README.md")).toContain("| `prod-ap-1` | prod | prod | https://prod-ap-1.k8s.example.com | its own Flux |");
  });
});

describe("Flux", () => {
  it("every object on the Flux cluster validates against its schema, and kubectl kustomize builds the cluster", () => {
    const tree = readTree(path.join(base.root, "out"));
    const files = Object.keys(tree).filter(
      (f) => (f.startsWith("clusters/prod-ap-1/") || f.includes("/prod-ap-1/")) && !f.endsWith("kustomization.yaml"),
    );
    const kinds = new Set<string>();
    for (const file of files) {
      for (const object of objects(base, `out/${file}`) as KubernetesObject[]) {
        const validate = schemaFor(object.apiVersion, object.kind);
        expect(validate, `${file}: no schema for ${object.apiVersion} ${object.kind}`).toBeDefined();
        expect(() => validate!(object), `${file}: ${object.kind} ${object.metadata.name}`).not.toThrow();
        kinds.add(`${object.apiVersion} ${object.kind}`);
      }
    }
    for (const kind of [
      "source.toolkit.fluxcd.io/v1 GitRepository",
      "kustomize.toolkit.fluxcd.io/v1 Kustomization",
      "helm.toolkit.fluxcd.io/v2 HelmRelease",
      "source.toolkit.fluxcd.io/v1 HelmRepository",
    ]) {
      expect(kinds).toContain(kind);
    }
    const built = spawnSync("kubectl", ["kustomize", path.join(base.root, "out/clusters/prod-ap-1")], { encoding: "utf8" });
    expect(built.status, built.stderr).toBe(0);
  });

  it("the root: the env repo and a pruned Kustomization of the cluster's directory, as the controller's account", () => {
    const [source, root] = objects(base, "out/clusters/prod-ap-1/root.yaml");
    expect(source).toMatchObject({
      kind: "GitRepository",
      metadata: { name: "env-repo", namespace: "flux-system" },
      spec: { url: "https://git.example.com/platform/env-repo.git", ref: { branch: "main" } },
    });
    expect(root.spec).toMatchObject({
      path: "./clusters/prod-ap-1",
      prune: true,
      sourceRef: { kind: "GitRepository", name: "env-repo" },
      serviceAccountName: "kustomize-controller",
    });
  });

  it("an app's Kustomization: its rendered directory, its team's account and namespace, prune from the environment, waiting", () => {
    const [kustomization] = objects(base, "out/clusters/prod-ap-1/apps/payments.yaml");
    expect(kustomization.metadata).toMatchObject({ name: "payments", namespace: "payments" });
    expect(kustomization.spec).toEqual({
      interval: "10m",
      retryInterval: "2m",
      timeout: "5m",
      path: "./apps/payments/prod-ap-1",
      prune: false,
      wait: true,
      sourceRef: { kind: "GitRepository", name: "env-repo" },
      targetNamespace: "payments",
      serviceAccountName: "flux-payments",
      dependsOn: [
        { name: "payments-migrate", namespace: "payments" },
        { name: "component-external-secrets", namespace: "flux-system" },
      ],
    });
  });

  it("a team's Kustomizations all use the team's account, and its RoleBindings grant nothing outside its namespaces", () => {
    const teams = { payments: ["payments"], storefront: ["storefront", "storefront-jobs"] } as const;
    const apps = { payments: "payments", "catalog-api": "storefront", "checkout-web": "storefront", search: "storefront" } as const;
    for (const [app, team] of Object.entries(apps)) {
      const [k] = objects(base, `out/clusters/prod-ap-1/apps/${app}.yaml`);
      expect([k.metadata.namespace, k.spec.serviceAccountName, k.spec.sourceRef], app).toEqual([
        teams[team][0],
        `flux-${team}`,
        { kind: "GitRepository", name: "env-repo" },
      ]);
    }
    for (const [team, namespaces] of Object.entries(teams)) {
      // The team's SSO groups' own objects are test/team-access.test.ts's.
      const tenant = objects(base, `out/clusters/prod-ap-1/tenants/${team}.yaml`).filter(
        (o) => o.metadata.labels["app.kubernetes.io/name"] !== "sluice-team-access",
      );
      const bindings = tenant.filter((o) => o.kind === "RoleBinding");
      expect(bindings.map((b) => b.metadata.namespace)).toEqual([...namespaces]);
      for (const binding of bindings) {
        expect(binding.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "admin" });
        expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: `flux-${team}`, namespace: namespaces[0] }]);
      }
      // No cluster-wide grant unless the platform grants a kind.
      expect(tenant.map((o) => o.kind).sort()).toEqual(["GitRepository", ...bindings.map(() => "RoleBinding"), "ServiceAccount"].sort());
    }
  });

  it("a granted cluster-scoped kind gets a ClusterRole for that kind alone", async () => {
    const p = copy();
    grantPaymentsPriorityClass(p);
    await synth({ root: p.root, skipTypecheck: true });
    const tenant = objects(p, "out/clusters/prod-ap-1/tenants/payments.yaml");
    expect(tenant.find((o) => o.kind === "ClusterRole").rules).toEqual([
      { apiGroups: ["scheduling.k8s.io"], resources: ["priorityclasses"], verbs: ["*"] },
    ]);
    expect(tenant.find((o) => o.kind === "ClusterRoleBinding").roleRef.name).toBe("flux-payments");
  });

  it("Flux never prunes a team namespace, and Argo CD annotations stay off the Flux cluster's own objects", () => {
    const [namespace, ...guards] = objects(base, "out/clusters/prod-ap-1/namespaces/payments.yaml");
    expect(namespace.metadata.annotations).toEqual({ "kustomize.toolkit.fluxcd.io/prune": "disabled" });
    for (const guard of guards) expect(guard.metadata.annotations).toBeUndefined();
  });
});

describe("the platform's own objects", () => {
  it("go to every cluster, owned by the platform, and the root's project may apply them; a team's namespace is refused", async () => {
    const p = copy();
    edit(
      p,
      "stacks/platform.ts",
      '  owners: ["@acme/platform"],\n',
      '  owners: ["@acme/platform"],\n  objects: [\n    { apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name: "critical-apps" }, value: 100000 },\n    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "fleet-info", namespace: "platform-info" }, data: { owner: "platform" } },\n  ],\n',
    );
    await synth({ root: p.root, skipTypecheck: true });
    for (const cluster of ["dev-1", "prod-ap-1"]) {
      const [priority, config] = objects(p, `out/clusters/${cluster}/platform/objects.yaml`);
      expect(priority).toMatchObject({
        kind: "PriorityClass",
        metadata: { name: "critical-apps", labels: { "app.kubernetes.io/part-of": "sluice-platform" } },
      });
      expect(config.metadata.namespace).toBe("platform-info");
    }
    const [project] = objects(p, "out/clusters/dev-1/projects/sluice-platform.yaml");
    expect(project.spec.clusterResourceWhitelist).toContainEqual({ group: "scheduling.k8s.io", kind: "PriorityClass" });
    expect(project.spec.namespaceResourceWhitelist).toContainEqual({ group: "", kind: "ConfigMap" });
    expect(project.spec.destinations).toContainEqual({ server: "https://kubernetes.default.svc", namespace: "platform-info" });
    expect(p.read("out/CODEOWNERS")).toContain("/clusters/ @acme/platform");
    edit(p, "stacks/platform.ts", 'namespace: "platform-info"', 'namespace: "payments"');
    const [d] = await rejection(synth({ root: p.root, skipTypecheck: true }));
    expect(d!.message).toBe("ConfigMap fleet-info is in namespace payments, which belongs to team payments");
  });
});

describe("SOPS on Flux", () => {
  it("delivers the file byte for byte beside the manifest, and the Kustomization decrypts it", async () => {
    const p = copy();
    const file = sopsFile({ name: "payments-db", namespace: "payments" });
    p.write("secrets/payments-db.enc.yaml", file);
    paymentsDbFromSops(p);
    await synth({ root: p.root, skipTypecheck: true });
    expect(p.read("out/apps/payments/prod-ap-1/payments-db.sops.yaml")).toBe(file);
    expect(p.read("out/apps/payments/prod-ap-1/manifest.yaml")).not.toContain("kind: ExternalSecret");
    expect(objects(p, "out/clusters/prod-ap-1/apps/payments.yaml")[0].spec.decryption).toEqual({
      provider: "sops",
      secretRef: { name: "sops-age" },
    });
    // A new ciphertext is a new file, through the caches, and a new hash in the pod template of
    // the Deployment that reads it as env vars, so its pods restart with the new value.
    const hashOf = () => /sluice\.dev\/secrets-sha256: "?([0-9a-f]{16})/.exec(p.read("out/apps/payments/prod-ap-1/manifest.yaml"))?.[1];
    const before = hashOf();
    expect(before).toBeDefined();
    const rotated = file.replace("QUJDQUJD", "WFlaWFla");
    p.write("secrets/payments-db.enc.yaml", rotated);
    const result = await synth({ root: p.root, skipTypecheck: true });
    expect(result.write?.written).toEqual(["apps/payments/prod-ap-1/manifest.yaml", "apps/payments/prod-ap-1/payments-db.sops.yaml"]);
    expect(p.read("out/apps/payments/prod-ap-1/payments-db.sops.yaml")).toBe(rotated);
    expect(hashOf()).not.toBe(before);
  });

  it("a file whose Secret is not the one the app reads is refused: sops signed it as written", async () => {
    const p = copy();
    p.write("secrets/payments-db.enc.yaml", sopsFile({ name: "db", namespace: "payments" }));
    paymentsDbFromSops(p);
    const [d] = await rejection(synth({ root: p.root, skipTypecheck: true }));
    expect(d!.code).toBe("resolve/sops-identity");
    expect(d!.message).toBe("secrets/payments-db.enc.yaml holds Secret payments/db, but the app reads payments/payments-db");
  });

  it("is refused on an Argo CD cluster, which cannot decrypt it", async () => {
    const p = copy();
    p.write("secrets/payments-db.enc.yaml", sopsFile({ name: "payments-db", namespace: "payments" }));
    paymentsDbFromSops(p);
    edit(p, "stacks/payments.ts", '{ "prod-ap-1": { secrets', '{ "prod-us-1": { secrets');
    const [d] = await rejection(synth({ root: p.root, skipTypecheck: true }));
    expect(d!.code).toBe("resolve/sops-on-argocd");
  });
});

describe("platform components", () => {
  it("Argo CD: an Application with a Helm source at the exact version, values per environment", () => {
    const [app] = objects(base, "out/clusters/prod-eu-1/components/external-secrets.yaml");
    expect(app.spec).toMatchObject({
      project: "sluice-components",
      source: {
        repoURL: "https://charts.external-secrets.io",
        chart: "external-secrets",
        targetRevision: "0.19.2",
        helm: { releaseName: "external-secrets", valuesObject: { installCRDs: true, replicaCount: 2 } },
      },
      destination: { namespace: "external-secrets" },
    });
    expect(objects(base, "out/clusters/dev-1/components/external-secrets.yaml")[0].spec.source.helm.valuesObject).toEqual({
      installCRDs: true,
    });
  });

  it("Flux: a HelmRepository and HelmRelease applied by a Kustomization that waits for them", () => {
    const [repository, release] = objects(base, "out/components/external-secrets/prod-ap-1/manifest.yaml");
    expect(repository).toMatchObject({ kind: "HelmRepository", spec: { url: "https://charts.external-secrets.io" } });
    expect(release.spec).toMatchObject({
      targetNamespace: "external-secrets",
      chart: { spec: { chart: "external-secrets", version: "0.19.2", sourceRef: { kind: "HelmRepository", name: "external-secrets" } } },
      values: { installCRDs: true, replicaCount: 2 },
    });
    const [kustomization] = objects(base, "out/clusters/prod-ap-1/components/external-secrets.yaml");
    expect(kustomization.metadata.name).toBe("component-external-secrets");
    expect(kustomization.spec).toMatchObject({ path: "./components/external-secrets/prod-ap-1", wait: true });
  });

  it("an OCI chart is pinned by digest on Flux and by version on Argo CD", async () => {
    const p = copy();
    const digest = `sha256:${"ab".repeat(32)}`;
    edit(
      p,
      "stacks/platform.ts",
      'chart: { repository: "https://kubernetes.github.io/ingress-nginx", name: "ingress-nginx", version: "4.13.0" },',
      `chart: { oci: "oci://ghcr.io/acme/charts/ingress-nginx", version: "4.13.0", digest: "${digest}" },`,
    );
    await synth({ root: p.root, skipTypecheck: true });
    const [source, release] = objects(p, "out/components/ingress-nginx/prod-ap-1/manifest.yaml");
    expect(source).toMatchObject({ kind: "OCIRepository", spec: { url: "oci://ghcr.io/acme/charts/ingress-nginx", ref: { digest } } });
    expect(release.spec.chartRef).toEqual({ kind: "OCIRepository", name: "ingress-nginx" });
    const [app] = objects(p, "out/clusters/dev-1/components/ingress-nginx.yaml");
    expect(app.spec.source).toMatchObject({ repoURL: "ghcr.io/acme/charts", chart: "ingress-nginx", targetRevision: "4.13.0" });
    expect(app.metadata.annotations["sluice.dev/chart-digest"]).toBe(digest);
  });

  it.each(["^4.13.0", "4.x", "latest", "*", "4.13"])("a chart version %s floats and is refused at its line", async (version) => {
    const p = copy();
    edit(p, "stacks/platform.ts", 'name: "ingress-nginx", version: "4.13.0"', `name: "ingress-nginx", version: "${version}"`);
    const [d] = await rejection(synth({ root: p.root, skipTypecheck: true }));
    expect(d!.message).toMatch(/exact chart version/);
    expect(d!.origin?.line).toBe(lineOf(p.read("stacks/platform.ts"), `version: "${version}"`));
  });

  it("an OCI chart without a digest is refused", async () => {
    const p = copy();
    edit(
      p,
      "stacks/platform.ts",
      'chart: { repository: "https://kubernetes.github.io/ingress-nginx", name: "ingress-nginx", version: "4.13.0" },',
      'chart: { oci: "oci://ghcr.io/acme/charts/ingress-nginx", version: "4.13.0" },',
    );
    await rejection(synth({ root: p.root, skipTypecheck: true }));
  });
});

describe("ordering", () => {
  it("Argo CD sync waves and Flux dependsOn follow the declared graph", () => {
    // external-secrets, ingress-nginx: wave 0; payments-migrate → external-secrets: 1; payments → payments-migrate: 2;
    // search → external-secrets, catalog-api: 1; checkout-web → ingress-nginx, payments: 3.
    const wave = (file: string) => objects(base, file)[0].metadata.annotations?.["argocd.argoproj.io/sync-wave"];
    expect(wave("out/clusters/prod-us-1/components/external-secrets.yaml")).toBeUndefined();
    expect(wave("out/clusters/prod-us-1/apps/catalog-api.yaml")).toBeUndefined();
    expect(wave("out/clusters/prod-us-1/apps/payments-migrate.yaml")).toBe("1");
    expect(wave("out/clusters/prod-us-1/apps/payments.yaml")).toBe("2");
    expect(wave("out/clusters/prod-us-1/apps/search.yaml")).toBe("1");
    expect(wave("out/clusters/prod-us-1/apps/checkout-web.yaml")).toBe("3");
    const dependsOn = (app: string) => objects(base, `out/clusters/prod-ap-1/apps/${app}.yaml`)[0].spec.dependsOn;
    // Its Canary waits for the component that installs Flagger's CRDs (capabilities: "flagger").
    expect(dependsOn("checkout-web")).toEqual([
      { name: "payments", namespace: "payments" },
      { name: "component-flagger", namespace: "flux-system" },
      { name: "component-ingress-nginx", namespace: "flux-system" },
    ]);
    expect(dependsOn("search")).toEqual([
      { name: "catalog-api", namespace: "storefront" },
      { name: "component-external-secrets", namespace: "flux-system" },
    ]);
    expect(dependsOn("catalog-api")).toBeUndefined();
  });

  it("a cycle fails naming its members, at the line that closes it", async () => {
    const p = copy();
    edit(p, "stacks/catalog-api.ts", '  callers: ["checkout-web"],', '  callers: ["checkout-web"],\n  dependsOn: ["search"],');
    const [d] = await rejection(synth({ root: p.root, skipTypecheck: true }));
    expect(d!.code).toBe("validate/dependency-cycle");
    expect(d!.message).toBe("dependency cycle: catalog-api → search → catalog-api");
    expect([d!.origin?.file, d!.origin?.line]).toEqual(["stacks/search.ts", lineOf(p.read("stacks/search.ts"), "dependsOn:")]);
  });

  it("a dependency that does not run on a cluster, or does not exist, is refused at its line", async () => {
    const p = copy();
    edit(p, "stacks/platform.ts", '      namespace: "ingress-nginx",\n', '      namespace: "ingress-nginx",\n      clusters: ["dev-1"],\n');
    const found = await rejection(synth({ root: p.root, skipTypecheck: true }));
    expect(found.map((d) => d.message)).toContain(
      "app checkout-web depends on component ingress-nginx, which does not run on clusters prod-ap-1, prod-eu-1, prod-us-1, prod-us-central-1, prod-us-west-1, staging-1",
    );
    expect(found[0]!.origin?.file).toBe("stacks/checkout-web.ts");
    const q = copy();
    edit(
      q,
      "stacks/payments.ts",
      'dependsOn: ["external-secrets", "payments-migrate"]',
      'dependsOn: ["external-secret", "payments-migrate"]',
    );
    const [d] = await rejection(synth({ root: q.root, skipTypecheck: true }));
    expect([d!.code, d!.origin?.line]).toEqual(["validate/unknown-dependency", lineOf(q.read("stacks/payments.ts"), '"external-secret"')]);
    expect(d!.hint).toBe('did you mean "external-secrets"?');
  });
});
