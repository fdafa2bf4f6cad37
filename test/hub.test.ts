/**
 * Hub and spokes (issue 21): the example's prod-us-west-1 and prod-us-central-1 have no
 * Argo CD of their own; prod-us-1's manages them. Their roots and
 * Applications are in the hub's Argo CD namespace, named per cluster and
 * unique there, deploying to exactly the spoke's API server; the hub's
 * projects cover exactly the teams' namespaces on the hub and its spokes;
 * what the spoke itself holds is applied to the spoke; the registration
 * comes from a reference, never inline; clusters outside the hub do not
 * change by a byte; mistakes are refused at their line.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { definePlatform, synth } from "sluice";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { exampleStacks, makeProject, type Project } from "./helpers/project.js";
import { edit, failsAt, withoutSpokes } from "./helpers/stack-edit.js";

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

const HUB = "prod-us-1";
const SPOKES = ["prod-us-central-1", "prod-us-west-1"];
const SPOKE_SERVER: Record<string, string> = {
  "prod-us-west-1": "https://prod-us-west-1.k8s.example.com",
  "prod-us-central-1": "https://prod-us-central-1.k8s.example.com",
};
const IN_CLUSTER = "https://kubernetes.default.svc";

/** What `kubectl kustomize out/<dir>` builds: what an Application (or a bootstrap) whose source is that directory applies. */
function build(p: Project, dir: string): Obj[] {
  const run = spawnSync("kubectl", ["kustomize", path.join(p.root, "out", dir)], { encoding: "utf8" });
  expect(run.status, `kubectl kustomize out/${dir} failed:\n${run.stderr}`).toBe(0);
  return parseAllDocuments(run.stdout).map((d) => d.toJS() as Obj);
}
const names = (objects: Obj[], kind: string) =>
  objects
    .filter((o) => o.kind === kind)
    .map((o) => o.metadata.name)
    .sort();

let example: Project;
beforeAll(() => {
  example = synthesizedExample();
});

describe("a hub's Argo CD", () => {
  it("applies with its own root each spoke's root, in its Argo CD namespace, following the spoke's revision at clusters/<spoke>", () => {
    const hub = build(example, `clusters/${HUB}`);
    // The hub's own root applies its spokes' roots (and a registration), never a spoke's app Applications.
    expect(names(hub, "Application").filter((n) => SPOKES.some((spoke) => n.endsWith(`-${spoke}`)))).toEqual(
      SPOKES.map((spoke) => `root-${spoke}`),
    );
    for (const spoke of SPOKES) {
      const root = hub.find((o) => o.kind === "Application" && o.metadata.name === `root-${spoke}`)!;
      expect(root.metadata.namespace).toBe("argocd");
      expect(root.metadata.labels?.["sluice.dev/cluster"]).toBe(spoke);
      expect(root.spec.source.path).toBe(`clusters/${spoke}`);
      expect(root.spec.destination).toEqual({ server: IN_CLUSTER, namespace: "argocd" });
      expect(root.spec.project).toBe("sluice-platform");
    }
  });

  it("names every Application of a spoke <name>-<spoke>, unique in the hub, deploying to exactly the spoke's server", () => {
    const inHub = [HUB, ...SPOKES].flatMap((cluster) => build(example, `clusters/${cluster}`));
    const applications = inHub.filter((o) => o.kind === "Application");
    const all = applications.map((o) => o.metadata.name);
    expect(new Set(all).size, `duplicate Application names in the hub: ${all.join(", ")}`).toBe(all.length);
    for (const spoke of SPOKES) {
      const own = build(example, `clusters/${spoke}`).filter((o) => o.kind === "Application");
      expect(own.map((o) => o.metadata.name).sort()).toEqual(
        [
          "catalog-api",
          "checkout-web",
          "external-secrets",
          "ingress-nginx",
          "payments",
          "payments-migrate",
          "platform",
          "reloader",
          "search",
        ]
          .map((name) => `${name}-${spoke}`)
          .sort(),
      );
      for (const application of own) {
        expect(application.metadata.namespace, application.metadata.name).toBe("argocd");
        expect(application.metadata.labels?.["sluice.dev/cluster"], application.metadata.name).toBe(spoke);
        expect(application.spec.destination.server, application.metadata.name).toBe(SPOKE_SERVER[spoke]);
      }
      // The app's Application points at the app's directory for the spoke.
      const payments = own.find((o) => o.metadata.name === `payments-${spoke}`)!;
      expect(payments.spec.source.path).toBe(`apps/payments/${spoke}`);
      expect(payments.spec.destination).toEqual({ server: SPOKE_SERVER[spoke], namespace: "payments" });
      expect(payments.spec.project).toBe("payments");
    }
    // The hub's own Applications are unchanged: their plain names, in-cluster.
    const hubPayments = applications.find((o) => o.metadata.name === "payments")!;
    expect(hubPayments.spec.destination).toEqual({ server: IN_CLUSTER, namespace: "payments" });
  });

  it("restricts each team's project to exactly the team's namespaces on the hub and its spokes", () => {
    const projects = build(example, `clusters/${HUB}`).filter((o) => o.kind === "AppProject");
    const destinations = (name: string) => projects.find((o) => o.metadata.name === name)!.spec.destinations;
    const servers = [IN_CLUSTER, ...SPOKES.map((s) => SPOKE_SERVER[s])];
    expect(destinations("payments")).toEqual(servers.map((server) => ({ server, namespace: "payments" })));
    expect(destinations("storefront")).toEqual(
      servers.flatMap((server) => ["storefront", "storefront-jobs"].map((namespace) => ({ server, namespace }))),
    );
    // The environment's freeze window holds each cluster's Applications, matched by destination server.
    const payments = projects.find((o) => o.metadata.name === "payments")!;
    expect(payments.spec.syncWindows.map((w: { clusters: string[] }) => w.clusters)).toEqual(servers.map((server) => [server]));
    expect(new Set(payments.spec.syncWindows.map((w: { schedule: string }) => w.schedule)).size).toBe(1);
    // No project anywhere else holds a spoke's destinations; a spoke has no projects of its own.
    for (const spoke of SPOKES) expect(Object.keys(example.tree()).filter((f) => f.startsWith(`clusters/${spoke}/projects/`))).toEqual([]);
    const elsewhere = ["dev-1", "staging-1", "prod-eu-1"].flatMap((c) =>
      build(example, `clusters/${c}`).filter((o) => o.kind === "AppProject"),
    );
    for (const project of elsewhere) {
      for (const destination of project.spec.destinations ?? []) expect(destination.server).toBe(IN_CLUSTER);
    }
  });

  it("applies what a spoke holds itself (namespaces, guards, admission policies) to the spoke, before its apps", () => {
    const spoke = "prod-us-west-1";
    const platformApp = build(example, `clusters/${spoke}`).find((o) => o.metadata.name === `platform-${spoke}`)!;
    expect(platformApp.spec.source.path).toBe(`clusters/${spoke}/spoke`);
    expect(platformApp.spec.destination.server).toBe(SPOKE_SERVER[spoke]);
    expect(platformApp.metadata.annotations?.["argocd.argoproj.io/sync-wave"]).toBe("-1");
    const onSpoke = build(example, `clusters/${spoke}/spoke`);
    expect(names(onSpoke, "Namespace")).toEqual(["payments", "storefront", "storefront-jobs"]);
    expect(onSpoke.some((o) => o.kind === "ValidatingAdmissionPolicy")).toBe(true);
    // Nothing of Argo CD's lands on the spoke, and nothing of the spoke's lands in the hub.
    expect(onSpoke.filter((o) => o.apiVersion.startsWith("argoproj.io/"))).toEqual([]);
    expect(build(example, `clusters/${spoke}`).filter((o) => !o.apiVersion.startsWith("argoproj.io/"))).toEqual([]);
  });

  it("registers a spoke from a store key through an ExternalSecret, or leaves a Secret the platform names to the platform: never credentials inline", () => {
    const registration = build(example, `clusters/${HUB}`).filter((o) => o.kind === "ExternalSecret");
    expect(registration).toHaveLength(1);
    const [secret] = registration;
    expect(secret!.metadata.name).toBe("cluster-prod-us-west-1");
    expect(secret!.spec.target.template.metadata.labels["argocd.argoproj.io/secret-type"]).toBe("cluster");
    expect(secret!.spec.target.template.data).toEqual({
      name: "prod-us-west-1",
      server: SPOKE_SERVER["prod-us-west-1"],
      config: "{{ .config }}",
    });
    expect(secret!.spec.data).toEqual([
      { secretKey: "config", remoteRef: { key: "platform/clusters/prod-us-west-1", property: "config" } },
    ]);
    // No Secret anywhere in the hub's objects: prod-us-central-1's is the platform's own, listed as a prerequisite with its shard.
    const inHub = [HUB, ...SPOKES].flatMap((cluster) => build(example, `clusters/${cluster}`));
    expect(inHub.filter((o) => o.kind === "Secret")).toEqual([]);
    const readme = example.read("out/README.md");
    expect(readme).toContain("`cluster-prod-us-central-1` on prod-us-1, labelled `argocd.argoproj.io/secret-type: cluster`");
    expect(readme).toContain('`shard: "1"`');
    expect(readme).toContain("| `prod-us-west-1` | prod | prod | https://prod-us-west-1.k8s.example.com | Argo CD of `prod-us-1` |");
    expect(readme).toContain("| `prod-eu-1` | prod | prod-canary | https://prod-eu-1.k8s.example.com | its own Argo CD |");
    expect(readme).toContain("| `prod-ap-1` | prod | prod | https://prod-ap-1.k8s.example.com | its own Flux |");
  });
});

describe("clusters outside the hub", () => {
  it("are byte for byte what they were without the hub's spokes", async () => {
    const without = makeProject(exampleStacks());
    // The platform without its two spokes: prod-us-1 is a plain in-cluster Argo CD again.
    withoutSpokes(without);
    await synth({ root: without.root, skipTypecheck: true });
    const before = without.tree();
    const after = example.tree();
    const outside = (file: string) =>
      ["dev-1", "staging-1", "prod-eu-1", "prod-ap-1"].some((c) => file.startsWith(`clusters/${c}/`) || file.includes(`/${c}/`));
    const files = Object.keys(after).filter(outside).sort();
    expect(files.length).toBeGreaterThan(50);
    expect(Object.keys(before).filter(outside).sort()).toEqual(files);
    for (const file of files) expect(after[file], file).toBe(before[file]);
    // The hub's own apps' Applications and manifests too: only its projects and kustomization gained the spokes.
    const hubChanged = Object.keys(after)
      .filter((f) => f.startsWith(`clusters/${HUB}/`) || f.includes(`/${HUB}/`))
      .filter((f) => after[f] !== before[f])
      .sort();
    expect(hubChanged).toEqual([
      `clusters/${HUB}/kustomization.yaml`,
      `clusters/${HUB}/projects/payments.yaml`,
      `clusters/${HUB}/projects/sluice-components.yaml`,
      `clusters/${HUB}/projects/sluice-platform.yaml`,
      `clusters/${HUB}/projects/storefront.yaml`,
      `clusters/${HUB}/spokes/kustomization.yaml`,
      `clusters/${HUB}/spokes/prod-us-central-1.yaml`,
      `clusters/${HUB}/spokes/prod-us-west-1.yaml`,
    ]);
  });
});

describe("a hub declared wrong", () => {
  const marker = 'managedBy: { hub: "prod-us-1", credentials: { key: "platform/clusters/prod-us-west-1" } },';
  const withSpoke = (to: string) => {
    const p = makeProject(exampleStacks());
    edit(p, "stacks/platform.ts", marker, to);
    return p;
  };

  it("that is not a cluster is refused at its line, with the cluster it probably meant", async () => {
    const p = withSpoke('managedBy: { hub: "prod-us-l", credentials: { key: "platform/clusters/prod-us-west-1" } },');
    const found = await failsAt(p, "validate/unknown-hub", "stacks/platform.ts", 'hub: "prod-us-l"');
    expect(found.hint).toContain("prod-us-1");
  });

  it("that is itself a spoke, or runs Flux, is refused at its line", async () => {
    await failsAt(
      withSpoke('managedBy: { hub: "prod-us-central-1", credentials: { key: "platform/clusters/prod-us-west-1" } },'),
      "validate/hub-managed",
      "stacks/platform.ts",
      'hub: "prod-us-central-1"',
    );
    await failsAt(
      withSpoke('managedBy: { hub: "prod-ap-1", credentials: { key: "platform/clusters/prod-us-west-1" } },'),
      "validate/hub-engine",
      "stacks/platform.ts",
      'hub: "prod-ap-1"',
    );
  });

  it("for a spoke on Flux is refused at its line", async () => {
    const p = withSpoke(`engine: "flux", ${marker}`);
    await failsAt(p, "validate/spoke-engine", "stacks/platform.ts", 'engine: "flux", managedBy');
  });

  it("with credentials from a store that does not exist is refused at its line", async () => {
    const p = withSpoke('managedBy: { hub: "prod-us-1", credentials: { key: "platform/clusters/prod-us-west-1", store: "vault-prd" } },');
    const found = await failsAt(p, "validate/hub-credentials-store", "stacks/platform.ts", 'store: "vault-prd"');
    expect(found.hint).toContain("vault-prod");
  });

  it("where a spoke's Application would take another's name is refused at the line that makes the second", async () => {
    const p = makeProject(exampleStacks());
    // A component on the hub named like the payments app's Application for prod-us-west-1.
    edit(
      p,
      "stacks/platform.ts",
      '    "ingress-nginx": {',
      '    "payments-prod-us-west-1": {\n      chart: { repository: "https://charts.example.com", name: "thing", version: "1.0.0" },\n      namespace: "thing",\n      clusters: ["prod-us-1"],\n    },\n    "ingress-nginx": {',
    );
    const found = await failsAt(p, "validate/hub-name-clash", "stacks/payments.ts", 'export default platform.app("payments"');
    expect(found.message).toContain("payments-prod-us-west-1");
  });
});

// Type level (checked by tsc: test/type-tests.test.ts): a hub is one of the platform's clusters.
definePlatform({
  envRepo: { url: "https://git.example.com/env.git" },
  engine: "argocd",
  owners: ["@acme/platform"],
  environments: { prod: {} },
  clusters: {
    "hub-1": { environment: "prod", server: "https://hub-1.example.com" },
    "spoke-1": {
      environment: "prod",
      server: "https://spoke-1.example.com",
      // @ts-expect-error "hub-l" is not a cluster of this platform
      managedBy: { hub: "hub-l", credentials: { secret: "cluster-spoke-1" } },
    },
  },
  waves: [{ name: "prod", clusters: ["hub-1", "spoke-1"] }],
  teams: { a: { owners: ["@acme/a"], namespaces: ["a"] } },
});
