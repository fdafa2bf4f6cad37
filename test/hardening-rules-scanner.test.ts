/**
 * Issue 18, items 19 and 20: team objects that walked past every rule (a
 * Service with externalIPs, a fixed load-balancer address, a wildcard or the
 * platform's own host, an ExternalSecret reading another team's keys, pods
 * made by a ReplicationController or a PodTemplate), and the plaintext
 * scanner's table of realistic credentials and ordinary values.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { checkPolicy, synth, type Finding } from "sluice";
import { emitted } from "./helpers/policies.js";
import { copyProject, exampleStacks, makeProject, type Project } from "./helpers/project.js";
import { edit, lineOf, policyFailure, rejection, show } from "./helpers/stack-edit.js";

let base: Project;
beforeAll(async () => {
  base = makeProject(exampleStacks());
  await synth({ root: base.root });
});

const copy = () => copyProject(base);
const check = (p: Project) => checkPolicy({ root: p.root, skipTypecheck: true });

/** Adds an object to an app's `objects` (creating the list if the app has none). */
function withObject(p: Project, app: string, source: string): void {
  const file = `stacks/${app}.ts`;
  const text = p.read(file);
  if (text.includes("  objects: [\n")) edit(p, file, "  objects: [\n", `  objects: [\n    ${source},\n`);
  else edit(p, file, "  team: ", `  objects: [\n    ${source},\n  ],\n  team: `);
}

function rules(findings: readonly Finding[]): string[] {
  return [...new Set(findings.map((f) => f.rule))].sort();
}

const SERVICE = (spec: string, annotations = "") =>
  `{ apiVersion: "v1", kind: "Service", metadata: { name: "feed"${annotations ? `, annotations: { ${annotations} }` : ""} }, spec: { selector: { "app.kubernetes.io/name": "price-sync" }, ports: [{ port: 80 }]${spec} } } as never`;

const INGRESS = (host: string) =>
  `{ apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: "feed" }, spec: { rules: [{ host: "${host}", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "feed", port: { number: 80 } } } }] } }] } } as never`;

/** A pod spec that breaks two rules: privileged, on the host's network. */
const HOSTILE_POD = `{ hostNetwork: true, securityContext: { runAsNonRoot: true }, containers: [{ name: "miner", image: "registry.example.com/storefront/miner:1.0.0", securityContext: { privileged: true }, resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "32Mi" } } }] }`;

describe("item 19: team objects that passed every rule", () => {
  it("a Service with externalIPs is refused (CVE-2020-8554), and the rule cannot be waived", async () => {
    const p = copy();
    withObject(p, "price-sync", SERVICE(`, externalIPs: ["10.0.0.53"]`));
    const findings = (await check(p)).findings;
    expect(rules(findings)).toEqual(["no-external-ips"]);
    const [f] = findings;
    expect(f!.origin.line).toBe(lineOf(p.read("stacks/price-sync.ts"), "externalIPs"));
    expect(f!.origin.path).toEqual(["objects", 0, "spec", "externalIPs"]);
    edit(p, "stacks/price-sync.ts", "  team: ", `  waivers: { "no-external-ips": { reason: "we need it" } },\n  team: `);
    const diagnostics = await rejection(synth({ root: p.root, skipTypecheck: true }));
    expect(show(diagnostics)).toContain("no-external-ips");
  });

  it("a LoadBalancer Service asking for a fixed address, by field or by annotation, is refused", async () => {
    for (const [spec, annotations] of [
      [`, type: "LoadBalancer", loadBalancerIP: "203.0.113.10"`, ""],
      [`, type: "LoadBalancer"`, `"metallb.io/loadBalancerIPs": "203.0.113.10"`],
      [`, type: "LoadBalancer"`, `"metallb.universe.tf/loadBalancerIPs": "203.0.113.10"`],
    ] as const) {
      const p = copy();
      withObject(p, "price-sync", SERVICE(spec, annotations));
      expect(rules((await check(p)).findings)).toEqual(["no-fixed-load-balancer-ip"]);
    }
    const plain = copy();
    withObject(plain, "price-sync", SERVICE(`, type: "LoadBalancer"`));
    expect((await check(plain)).findings).toEqual([]);
  });

  it("an Ingress with a wildcard host, or a rule that names no host, is refused; one naming its host is not", async () => {
    const wildcard = copy();
    withObject(wildcard, "price-sync", INGRESS("*.example.com"));
    expect(rules((await check(wildcard)).findings)).toEqual(["no-wildcard-host"]);
    const hostless = copy();
    withObject(hostless, "price-sync", INGRESS("x").replace(`host: "x", `, ""));
    expect(rules((await check(hostless)).findings)).toEqual(["no-wildcard-host"]);
    const named = copy();
    withObject(named, "price-sync", INGRESS("prices.example.com"));
    expect((await check(named)).findings).toEqual([]);
  });

  it("an Ingress for the host of the platform's own Argo CD is refused, whatever its case or trailing dot", async () => {
    const p = copy();
    edit(
      p,
      "stacks/platform.ts",
      "  teams: {",
      `  objects: [{ apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: "argocd-server", namespace: "argocd" }, spec: { rules: [{ host: "argocd.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "argocd-server", port: { number: 80 } } } }] } }] } }],\n  teams: {`,
    );
    withObject(p, "price-sync", INGRESS("ArgoCD.example.com."));
    const findings = (await check(p)).findings;
    expect(rules(findings)).toEqual(["no-platform-hosts"]);
    expect(findings[0]!.message).toContain("argocd.example.com is the platform's (Ingress argocd-server)");
    expect(findings[0]!.origin.line).toBe(lineOf(p.read("stacks/price-sync.ts"), "ArgoCD.example.com."));
  });

  it("a raw ExternalSecret against the platform's ClusterSecretStore reading another team's keys is refused, each way of naming a key", async () => {
    const secret = (spec: string) =>
      `{ apiVersion: "external-secrets.io/v1", kind: "ExternalSecret", metadata: { name: "stolen" }, spec: { refreshInterval: "1h", secretStoreRef: { kind: "ClusterSecretStore", name: "vault-prod" }, target: { name: "stolen" }, ${spec} } } as never`;
    for (const [spec, marker] of [
      [`dataFrom: [{ extract: { key: "payments/db" } }]`, "payments/db"],
      [`data: [{ secretKey: "password", remoteRef: { key: "payments/stripe", property: "key" } }]`, "payments/stripe"],
      [`dataFrom: [{ find: { path: "payments", name: { regexp: ".*" } } }]`, "find:"],
    ] as const) {
      const p = copy();
      withObject(p, "price-sync", secret(spec));
      const diagnostics = await rejection(synth({ root: p.root, skipTypecheck: true }));
      const found = diagnostics.filter((d) => d.code === "validate/external-secret-key");
      expect(found, show(diagnostics)).toHaveLength(1);
      expect(found[0]!.origin?.line).toBe(lineOf(p.read("stacks/price-sync.ts"), marker));
    }
  });

  it("a raw PushSecret writing another team's key of the platform's ClusterSecretStore is refused", async () => {
    const p = copy();
    withObject(
      p,
      "price-sync",
      `{ apiVersion: "external-secrets.io/v1alpha1", kind: "PushSecret", metadata: { name: "overwrite" }, spec: { secretStoreRefs: [{ kind: "ClusterSecretStore", name: "vault-prod" }], selector: { secret: { name: "mine" } }, data: [{ match: { secretKey: "password", remoteRef: { remoteKey: "payments/db" } } }] } } as never`,
    );
    const diagnostics = await rejection(synth({ root: p.root, skipTypecheck: true }));
    const found = diagnostics.filter((d) => d.code === "validate/external-secret-key");
    expect(found, show(diagnostics)).toHaveLength(1);
    expect(found[0]!.message).toContain('PushSecret overwrite writes key "payments/db" of store vault-prod');
  });

  it("a ReplicationController and a PodTemplate with a privileged host-network pod are seen by the pod and container rules", async () => {
    for (const source of [
      `{ apiVersion: "v1", kind: "ReplicationController", metadata: { name: "miner" }, spec: { replicas: 1, selector: { app: "miner" }, template: { metadata: { labels: { app: "miner" } }, spec: ${HOSTILE_POD} } } } as never`,
      `{ apiVersion: "v1", kind: "PodTemplate", metadata: { name: "miner" }, template: { metadata: { labels: { app: "miner" } }, spec: ${HOSTILE_POD} } } as never`,
    ]) {
      const p = copy();
      withObject(p, "price-sync", source);
      const findings = (await check(p)).findings;
      expect(rules(findings), source).toEqual(["no-host-access", "no-privileged"]);
      expect(findings.find((f) => f.rule === "no-host-access")!.origin.line).toBe(lineOf(p.read("stacks/price-sync.ts"), "hostNetwork: true"));
    }
  });

  it("admission matches every kind with a pod template, and enforces the new object rules", async () => {
    const policies = emitted(base, "prod-eu-1");
    const resources = (rule: string) =>
      (policies.get(rule) ?? []).flatMap((o) => ((o as { spec?: { matchConstraints?: { resourceRules?: { resources: string[] }[] } } }).spec?.matchConstraints?.resourceRules ?? []).flatMap((r) => r.resources));
    for (const rule of ["no-host-access", "no-privileged"]) {
      expect(resources(rule)).toEqual(expect.arrayContaining(["pods", "deployments", "statefulsets", "daemonsets", "replicasets", "replicationcontrollers", "jobs", "cronjobs", "podtemplates"]));
    }
    expect(resources("no-external-ips")).toEqual(["services"]);
    expect(resources("no-fixed-load-balancer-ip")).toEqual(["services"]);
    expect(resources("no-wildcard-host")).toEqual(["ingresses"]);
  });
});

void policyFailure;
