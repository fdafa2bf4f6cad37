/**
 * Where an app's pods run (`placement`) and the cloud identity they take
 * (`identity`), per environment and per cluster, as the pods and the
 * ServiceAccount carry them. Every object is also held to its strict schema
 * by the synth itself.
 */
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { plan } from "sluice";
import { exampleStacks, makeProject, type Project } from "./helpers/project.js";
import { edit, expectAt, lineOf, only, rejection } from "./helpers/stack-edit.js";

interface Obj {
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any;
}

async function objectsOf(p: Project, app: string, cluster: string): Promise<Obj[]> {
  const planned = await plan({ root: p.root, skipTypecheck: true });
  const file = planned.plan.files.find((f) => f.path === `apps/${app}/${cluster}/manifest.yaml`)!;
  return parseAllDocuments(file.content).map((d) => d.toJS() as Obj);
}
const kindOf = (objects: Obj[], kind: string) => objects.find((o) => o.kind === kind)!;

/** payments with an AWS role in prod, a Google account on the prod cluster in Europe, and placement in prod. */
function withIdentity(): Project {
  const p = makeProject(exampleStacks());
  edit(
    p,
    "stacks/payments.ts",
    "    prod: {\n      replicas: 4,",
    `    prod: {
      replicas: 4,
      identity: { aws: { roleArn: "arn:aws:iam::123456789012:role/payments" } },
      placement: {
        nodeSelector: { pool: "payments" },
        tolerations: [{ key: "dedicated", value: "payments", effect: "NoSchedule" }],
        spread: [{ topologyKey: "topology.kubernetes.io/zone" }],
        priorityClass: "business-critical",
      },`,
  );
  edit(
    p,
    "stacks/payments.ts",
    "  environments: {\n    dev: { replicas: 1 },",
    `  clusters: {
    "prod-eu-1": {
      identity: { gcp: { serviceAccount: "payments@acme-prod.iam.gserviceaccount.com" } },
      placement: { nodeSelector: { "topology.kubernetes.io/region": "europe-west1" } },
    },
  },
  environments: {
    dev: { replicas: 1 },`,
  );
  return p;
}

describe("identity", () => {
  it("annotates the app's ServiceAccount for the cloud of its cluster; a cluster in another cloud replaces the environment's", async () => {
    const p = withIdentity();
    const us = kindOf(await objectsOf(p, "payments", "prod-us-1"), "ServiceAccount");
    expect(us.metadata.annotations).toEqual({ "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/payments" });
    const eu = kindOf(await objectsOf(p, "payments", "prod-eu-1"), "ServiceAccount");
    expect(eu.metadata.annotations).toEqual({ "iam.gke.io/gcp-service-account": "payments@acme-prod.iam.gserviceaccount.com" });
    expect(kindOf(await objectsOf(p, "payments", "dev-1"), "ServiceAccount").metadata.annotations).toBeUndefined();
  });

  it("on Azure, also labels the pods, which is how the webhook knows to give them a token", async () => {
    const p = makeProject(exampleStacks());
    edit(
      p,
      "stacks/payments.ts",
      '  team: "payments",',
      '  team: "payments",\n  identity: { azure: { clientId: "6f1c2a9e-3b4d-4c5e-8f7a-9b0c1d2e3f4a" } },',
    );
    const objects = await objectsOf(p, "payments", "dev-1");
    expect(kindOf(objects, "ServiceAccount").metadata.annotations).toEqual({
      "azure.workload.identity/client-id": "6f1c2a9e-3b4d-4c5e-8f7a-9b0c1d2e3f4a",
    });
    expect(kindOf(objects, "Deployment").spec.template.metadata.labels["azure.workload.identity/use"]).toBe("true");
  });

  it("naming two clouds in one layer, or a malformed role, is an error at its line", async () => {
    const p = makeProject(exampleStacks());
    const text = edit(
      p,
      "stacks/payments.ts",
      '  team: "payments",',
      '  team: "payments",\n  identity: { aws: { roleArn: "arn:aws:iam::123456789012:role/x" }, gcp: { serviceAccount: "payments@acme-prod.iam.gserviceaccount.com" } },',
    );
    const d = only(await rejection(plan({ root: p.root, skipTypecheck: true })));
    expectAt(d, "stacks/payments.ts", lineOf(text, "identity:"));
    expect(d.message).toContain("more than one cloud");
    const q = makeProject(exampleStacks());
    const bad = edit(
      q,
      "stacks/payments.ts",
      '  team: "payments",',
      '  team: "payments",\n  identity: { aws: { roleArn: "payments-role" } },',
    );
    expectAt(only(await rejection(plan({ root: q.root, skipTypecheck: true }))), "stacks/payments.ts", lineOf(bad, "identity:"));
  });
});

describe("placement", () => {
  it("puts node selectors (merged from the environment and the cluster), tolerations, zone spread and priority on the pods", async () => {
    const p = withIdentity();
    const pod = kindOf(await objectsOf(p, "payments", "prod-eu-1"), "Deployment").spec.template.spec;
    expect(pod.nodeSelector).toEqual({ pool: "payments", "topology.kubernetes.io/region": "europe-west1" });
    expect(pod.tolerations).toEqual([{ key: "dedicated", value: "payments", effect: "NoSchedule" }]);
    expect(pod.topologySpreadConstraints).toEqual([
      {
        topologyKey: "topology.kubernetes.io/zone",
        maxSkew: 1,
        whenUnsatisfiable: "DoNotSchedule",
        labelSelector: { matchLabels: { "app.kubernetes.io/instance": "payments", "app.kubernetes.io/name": "payments" } },
      },
    ]);
    expect(pod.priorityClassName).toBe("business-critical");
    const dev = kindOf(await objectsOf(p, "payments", "dev-1"), "Deployment").spec.template.spec;
    expect(dev).not.toHaveProperty("nodeSelector");
    expect(dev).not.toHaveProperty("priorityClassName");
  });

  it("reaches the pods of every kind: a cron job's too", async () => {
    const p = makeProject(exampleStacks());
    edit(
      p,
      "stacks/price-report.ts",
      '  timeZone: "Europe/Berlin",',
      '  timeZone: "Europe/Berlin",\n  placement: { nodeSelector: { pool: "batch" } },',
    );
    const cron = kindOf(await objectsOf(p, "price-report", "staging-1"), "CronJob");
    expect(cron.spec.jobTemplate.spec.template.spec.nodeSelector).toEqual({ pool: "batch" });
  });

  it("refuses Kubernetes' own priority classes at the line", async () => {
    const p = makeProject(exampleStacks());
    const text = edit(
      p,
      "stacks/payments.ts",
      '  team: "payments",',
      '  team: "payments",\n  placement: { priorityClass: "system-cluster-critical" },',
    );
    const d = only(await rejection(plan({ root: p.root, skipTypecheck: true })));
    expectAt(d, "stacks/payments.ts", lineOf(text, "placement:"));
    expect(d.message).toContain("kube-system");
  });
});

describe("the env repo's Prerequisites", () => {
  const readmeOf = async (p: Project) =>
    (await plan({ root: p.root, skipTypecheck: true })).plan.files.find((f) => f.path === "README.md")!.content;
  /** The Prerequisites rows of one cluster's section. */
  const section = (readme: string, cluster: string) =>
    readme.split("\n### ").find((part) => part.split("\n")[0]!.includes(`\`${cluster}\``)) ?? "";

  it("name each cloud's identity setup, the priority classes and the storage the apps ask for, where they ask", async () => {
    const p = withIdentity();
    const readme = await readmeOf(p);
    expect(readme).toMatch(/\| setting \| EKS IAM roles for service accounts.*\| payments take a cloud identity/);
    expect(readme).toMatch(/\| setting \| GKE Workload Identity.*\| payments take a cloud identity/);
    expect(readme).toMatch(/\| PriorityClass \| `business-critical` \|.*payments/);
    expect(readme).toMatch(/\| StorageClass \| a default StorageClass .*search-index/);
    // Only where the apps are: dev-1 has no payments identity, prod-us-1 no search-index.
    expect(section(readme, "prod-us-1")).toContain("EKS IAM roles");
    expect(section(readme, "dev-1")).not.toContain("EKS IAM roles");
    expect(section(readme, "prod-us-1")).not.toContain("StorageClass");
  });

  it("name a StorageClass a claim chooses instead of the default", async () => {
    const p = makeProject(exampleStacks());
    edit(p, "stacks/search-index.ts", 'size: "10Gi",', 'size: "10Gi", storageClass: "fast-ssd",');
    const readme = await readmeOf(p);
    expect(readme).toMatch(/\| StorageClass \| `fast-ssd` \|/);
    expect(readme).not.toContain("a default StorageClass");
  });
});
