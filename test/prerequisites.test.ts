/**
 * Issue 16, defect 2: everything the output relies on and does not install is
 * named in out/README.md's Prerequisites, per cluster, and apps wait for the
 * component that provides what their secrets need.
 */
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { BUILTIN_KINDS } from "../src/k8s/builtin-kinds.js";
import { plan, type KubernetesObject } from "sluice";
import { exampleStacks, makeProject, type Project } from "./helpers/project.js";
import { paymentsDbFromSops, sopsFile } from "./helpers/sops.js";
import { edit, withoutSpokes } from "./helpers/stack-edit.js";

type Obj = KubernetesObject & { spec?: any };

/** Every cluster's section of the README's Prerequisites, by cluster. */
function sections(readme: string): Map<string, string> {
  const part = readme.slice(readme.indexOf("## Prerequisites"), readme.indexOf("\n## ", readme.indexOf("## Prerequisites") + 1));
  const byCluster = new Map<string, string>();
  for (const block of part.split("\n### ").slice(1)) {
    const heading = block.slice(0, block.indexOf("\n"));
    for (const [, cluster] of heading.matchAll(/`([^`]+)`/g)) byCluster.set(cluster!, block);
  }
  return byCluster;
}

const rows = (section: string) => section.split("\n").filter((line) => line.startsWith("| ") && !line.startsWith("| what"));

/** The objects of one cluster: its directory, its components' and its app instances' manifests. */
function clusterObjects(files: ReadonlyMap<string, string>, cluster: string, hubOf: ReadonlyMap<string, string>): Obj[] {
  // What is applied to the cluster: its own directory, less a spoke's Argo CD objects (which its hub
  // holds) plus its spokes'; its app and component manifests.
  const appliedTo = (file: string) => {
    const [top, name, sub] = file.split("/");
    if (top !== "clusters") return undefined;
    const hub = hubOf.get(name!);
    return hub === undefined || sub === "spoke" ? name : hub;
  };
  return [...files]
    .filter(
      ([file]) =>
        file.endsWith(".yaml") && !file.endsWith("kustomization.yaml") && (appliedTo(file) === cluster || file.split("/")[2] === cluster),
    )
    .flatMap(([, content]) => parseAllDocuments(content).map((doc) => doc.toJS() as Obj))
    .filter((object) => object && typeof object.kind === "string");
}

/** Asserts the README's section for each cluster names what that cluster's objects rely on. */
async function expectCovered(p: Project): Promise<Map<string, string>> {
  const planned = await plan({ root: p.root, skipTypecheck: true });
  const files = new Map(planned.plan.files.map((f) => [f.path, f.content]));
  const bySection = sections(files.get("README.md")!);
  for (const cluster of planned.model.platform.clusters.map((c) => c.name)) {
    const section = bySection.get(cluster);
    expect(section, `no Prerequisites section for ${cluster}`).toBeDefined();
    const lines = rows(section!);
    const has = (what: string, ...parts: string[]) =>
      lines.some((line) => line.startsWith(`| ${what} |`) && parts.every((part) => line.includes(part)));
    const hubOf = new Map(planned.model.platform.clusters.flatMap((c) => (c.managedBy ? [[c.name, c.managedBy.hub] as const] : [])));
    for (const object of clusterObjects(files, cluster, hubOf)) {
      const where = `${cluster}: ${object.kind} ${object.metadata.name}`;
      if (!Object.hasOwn(BUILTIN_KINDS[object.apiVersion] ?? {}, object.kind)) {
        expect(has("CRDs", `\`${object.apiVersion}\``, object.kind), `${where}: its CRD is not listed`).toBe(true);
      }
      if (object.kind === "ExternalSecret") {
        expect(
          has("store", `${object.spec.secretStoreRef.kind} \`${object.spec.secretStoreRef.name}\``),
          `${where}: its store is not listed`,
        ).toBe(true);
        expect(has("controller", "External Secrets Operator"), where).toBe(true);
      }
      if (object.kind === "SealedSecret") expect(has("controller", "Sealed Secrets controller"), where).toBe(true);
      if (object.kind === "HorizontalPodAutoscaler") expect(has("controller", "metrics-server"), where).toBe(true);
      if (object.kind === "ValidatingAdmissionPolicy") expect(has("Kubernetes", "1.30"), where).toBe(true);
      if (object.kind === "ValidatingPolicy") expect(has("controller", "Kyverno"), where).toBe(true);
      if (object.kind === "GitRepository" && object.spec.secretRef) {
        expect(
          has("Secret", `\`${object.spec.secretRef.name}\``, `\`${object.metadata.namespace}\``),
          `${where}: its git Secret is not listed in its namespace`,
        ).toBe(true);
      }
      if (object.kind === "Kustomization" && object.spec.decryption) {
        expect(
          has("Secret", `\`${object.spec.decryption.secretRef.name}\``, `\`${object.metadata.namespace}\``),
          `${where}: its SOPS Secret is not listed in its namespace`,
        ).toBe(true);
      }
      if (object.kind === "Kustomization" && object.spec.serviceAccountName === "kustomize-controller") {
        expect(has("ServiceAccount", "`kustomize-controller`", `\`${object.metadata.namespace}\``), where).toBe(true);
      }
      if (object.kind === "Application" && Number(object.metadata.annotations?.["argocd.argoproj.io/sync-wave"] ?? 0) > 0) {
        expect(has("setting", "resource.customizations.health.argoproj.io_Application", "`argocd-cm`"), where).toBe(true);
      }
    }
  }
  return bySection;
}

describe("the Prerequisites section names what each cluster's objects rely on", () => {
  it("the example: Argo CD and Flux clusters, sealed and external secrets, autoscalers, ValidatingAdmissionPolicies", async () => {
    const bySection = await expectCovered(makeProject(exampleStacks()));
    // Derived, not a static text: a store only where an app reads it, metrics-server only where an HPA is.
    expect(bySection.get("dev-1")).toContain("ClusterSecretStore `vault-staging`");
    expect(bySection.get("dev-1")).not.toContain("vault-prod");
    expect(bySection.get("dev-1")).not.toContain("metrics-server");
    expect(bySection.get("prod-us-1")).not.toContain("Sealed Secrets");
    expect(bySection.get("prod-ap-1")).toContain("--no-cross-namespace-refs=true");
    expect(bySection.get("prod-us-1")).not.toContain("--no-cross-namespace-refs");
  });

  it("a Flux fleet in Kyverno mode, with git credentials, a SOPS file and a custom resource", async () => {
    const p = makeProject(exampleStacks());
    withoutSpokes(p);
    edit(
      p,
      "stacks/platform.ts",
      '  engine: "argocd",',
      '  engine: "flux",\n  flux: { gitSecret: "env-repo-auth" },\n  customResources: { "cert-manager.io/v1": { Certificate: "Namespaced" } },',
    );
    edit(p, "stacks/platform.ts", 'admission: "kubernetes",', 'admission: "kyverno",');
    p.write("secrets/payments-db.enc.yaml", sopsFile({ name: "payments-db", namespace: "payments" }));
    paymentsDbFromSops(p);
    edit(
      p,
      "stacks/price-sync.ts",
      "  objects: [\n",
      '  objects: [\n    { apiVersion: "cert-manager.io/v1", kind: "Certificate", metadata: { name: "feed" }, spec: { secretName: "feed-cert", dnsNames: ["feed.example.com"], issuerRef: { name: "acme", kind: "ClusterIssuer" } } },\n',
    );
    const bySection = await expectCovered(p);
    const prodAp = bySection.get("prod-ap-1")!;
    expect(prodAp).toContain("| Secret | `sops-age` (the team's own SOPS key) | `payments` |");
    expect(prodAp).toContain("| Secret | `env-repo-auth` (git credentials) | `flux-system` |");
    expect(prodAp).toContain("Kyverno 1.17 or later");
    expect(prodAp).not.toContain("1.30 or later");
    expect(bySection.get("dev-1")).toContain("`cert-manager.io/v1`: Certificate");
    // Only where an app decrypts a SOPS file.
    expect(bySection.get("dev-1")).not.toContain("sops-age");
  });
});

describe("apps wait for the component that provides what their secrets need", () => {
  const sealedComponent =
    '    "sealed-secrets": {\n      chart: { repository: "https://bitnami-labs.github.io/sealed-secrets", name: "sealed-secrets", version: "2.18.5" },\n      namespace: "kube-system",\n    },\n';
  const withSealedComponent = (p: Project, extra = "") =>
    edit(
      p,
      "stacks/platform.ts",
      "  components: {\n",
      `  components: {\n${sealedComponent.replace('namespace: "kube-system",\n', `namespace: "kube-system",\n${extra}`)}`,
    );

  it("on Argo CD: the app with a SealedSecret syncs in a wave after the component, which the README names", async () => {
    const p = makeProject(exampleStacks());
    withSealedComponent(p);
    const planned = await plan({ root: p.root, skipTypecheck: true });
    const files = new Map(planned.plan.files.map((f) => [f.path, f.content]));
    const app = parseAllDocuments(files.get("clusters/dev-1/apps/price-sync.yaml")!)[0]!.toJS() as Obj;
    expect(app.metadata.annotations?.["argocd.argoproj.io/sync-wave"]).toBe("1");
    const readme = files.get("README.md")!;
    expect(readme).toMatch(/\| sealed-secrets \| .* \| price-sync \|/);
    expect(sections(readme).get("dev-1")).toMatch(/\| controller \| Sealed Secrets controller \| `kube-system` \|.*\| sealed-secrets \|/);
    // payments and its migration declare their wait for external-secrets; search reads the store too and would wait anyway.
    expect(readme).toMatch(/\| external-secrets \| .* \| payments, payments-migrate, search \|/);
  });

  it("on Flux: the app's Kustomization dependsOn the component's Kustomization; `provides: []` opts out", async () => {
    const p = makeProject(exampleStacks());
    withoutSpokes(p);
    edit(p, "stacks/platform.ts", '  engine: "argocd",', '  engine: "flux",');
    withSealedComponent(p);
    const planned = await plan({ root: p.root, skipTypecheck: true });
    const app = parseAllDocuments(
      planned.plan.files.find((f) => f.path === "clusters/dev-1/apps/price-sync.yaml")!.content,
    )[0]!.toJS() as Obj;
    expect(app.spec.dependsOn).toEqual([{ name: "component-sealed-secrets", namespace: "flux-system" }]);

    const off = makeProject(exampleStacks());
    withoutSpokes(off);
    edit(off, "stacks/platform.ts", '  engine: "argocd",', '  engine: "flux",');
    withSealedComponent(off, "      provides: [],\n");
    const without = await plan({ root: off.root, skipTypecheck: true });
    const plain = parseAllDocuments(
      without.plan.files.find((f) => f.path === "clusters/dev-1/apps/price-sync.yaml")!.content,
    )[0]!.toJS() as Obj;
    expect(plain.spec.dependsOn).toBeUndefined();
  });

  it("a component whose chart has another name provides what it declares; an app without external secrets does not wait for it", async () => {
    const p = makeProject(exampleStacks());
    edit(p, "stacks/payments.ts", '  dependsOn: ["external-secrets", "payments-migrate"],\n', '  dependsOn: ["payments-migrate"],\n');
    edit(p, "stacks/payments-migrate.ts", '  dependsOn: ["external-secrets"],\n', "");
    edit(
      p,
      "stacks/platform.ts",
      'name: "external-secrets", version: "0.19.2" },',
      'name: "eso-fork", version: "0.19.2" },\n      provides: ["external-secrets"],',
    );
    const planned = await plan({ root: p.root, skipTypecheck: true });
    const wave = (app: string) =>
      (parseAllDocuments(planned.plan.files.find((f) => f.path === `clusters/prod-us-1/apps/${app}.yaml`)!.content)[0]!.toJS() as Obj)
        .metadata.annotations?.["argocd.argoproj.io/sync-wave"];
    // Both read the store: the migration waits for the fork, and payments for the migration.
    expect(wave("payments-migrate")).toBe("1");
    expect(wave("payments")).toBe("2");
    expect(wave("catalog-api")).toBeUndefined();
  });
});

describe("out/README.md's layout", () => {
  it("names each path once, in a fleet that mixes engines: root.yaml says what it holds on each", async () => {
    const planned = await plan({ root: makeProject(exampleStacks()).root, skipTypecheck: true });
    const readme = planned.plan.files.find((f) => f.path === "README.md")!.content;
    const layout = readme
      .slice(readme.indexOf("## Layout"))
      .split("\n")
      .filter((line) => line.startsWith("- `"));
    const paths = layout.map((line) => line.slice(0, line.indexOf(" — ")));
    expect(paths).toEqual([...new Set(paths)]);
    const root = layout.find((line) => line.startsWith("- `clusters/<cluster>/root.yaml`"))!;
    expect(root).toContain("on an Argo CD cluster");
    expect(root).toContain("on a Flux cluster");
  });
});
