/**
 * Secret rotation (issue 20): a changed secret reaches the pods that read it
 * as environment variables. Secrets whose value the env repo holds (Sealed
 * Secrets, SOPS) roll the pods by their hash; refreshed ones (External
 * Secrets) are watched by Stakater Reloader where the environment says
 * `secretRotation: "reloader"`, with Argo CD told to leave Reloader's pod
 * template annotation alone; `secretRotation: "files"` refuses secrets read
 * as environment variables at their line.
 */
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { plan } from "sluice";
import { exampleStacks, makeProject, type Project } from "./helpers/project.js";
import { edit, lineOf, rejection } from "./helpers/stack-edit.js";

interface Obj {
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  spec?: any;
}

async function filesOf(p: Project): Promise<Map<string, string>> {
  const planned = await plan({ root: p.root, skipTypecheck: true });
  return new Map(planned.plan.files.map((f) => [f.path, f.content]));
}
const docs = (text: string | undefined) => parseAllDocuments(text ?? "").map((d) => d.toJS() as Obj);
const workloadOf = (files: Map<string, string>, app: string, cluster: string, kind = "Deployment") =>
  docs(files.get(`apps/${app}/${cluster}/manifest.yaml`)).find((o) => o.kind === kind)!;

describe('secretRotation: "reloader"', () => {
  it("names the refreshed Secrets a workload reads as env vars for Reloader, only in that environment", async () => {
    const files = await filesOf(makeProject(exampleStacks()));
    expect(workloadOf(files, "payments", "prod-eu-1").metadata.annotations).toEqual({
      "secret.reloader.stakater.com/reload": "payments-db",
    });
    expect(workloadOf(files, "search", "prod-ap-1").metadata.annotations).toEqual({
      "secret.reloader.stakater.com/reload": "search-index-api",
    });
    // staging has no secretRotation: nothing to watch.
    expect(workloadOf(files, "payments", "staging-1").metadata.annotations).toBeUndefined();
  });

  it("leaves jobs alone: their next run reads the new value", async () => {
    const files = await filesOf(makeProject(exampleStacks()));
    const job = docs(files.get("apps/payments-migrate/prod-eu-1/manifest.yaml")).find((o) => o.kind === "Job")!;
    expect(job.metadata.annotations).toBeUndefined();
    const application = docs(files.get("clusters/prod-eu-1/apps/payments-migrate.yaml"))[0]!;
    expect(application.spec.ignoreDifferences).toBeUndefined();
  });

  it("tells Argo CD to ignore Reloader's pod template annotation, next to the autoscaler's replicas", async () => {
    const files = await filesOf(makeProject(exampleStacks()));
    const payments = docs(files.get("clusters/prod-eu-1/apps/payments.yaml"))[0]!;
    expect(payments.spec.ignoreDifferences).toEqual([
      {
        group: "apps",
        kind: "Deployment",
        name: "payments",
        namespace: "payments",
        jsonPointers: ["/spec/template/metadata/annotations/reloader.stakater.com~1last-reloaded-from"],
      },
    ]);
    expect(payments.spec.syncPolicy.syncOptions).toContain("RespectIgnoreDifferences=true");
    const search = docs(files.get("clusters/prod-eu-1/apps/search.yaml"))[0]!;
    expect(search.spec.ignoreDifferences[0].jsonPointers).toEqual([
      "/spec/replicas",
      "/spec/template/metadata/annotations/reloader.stakater.com~1last-reloaded-from",
    ]);
  });

  it("names Reloader, its annotations strategy and the component that installs it in the Prerequisites, where apps need it", async () => {
    const readme = (await filesOf(makeProject(exampleStacks()))).get("README.md")!;
    expect(readme).toMatch(
      /\| controller \| Stakater Reloader, with `--reload-strategy=annotations`.*\| `reloader` \| it restarts the pods of payments, search .*\| reloader \|/,
    );
    const staging = readme.split("\n### ").find((part) => part.split("\n")[0]!.includes("`staging-1`"))!;
    expect(staging).not.toContain("Reloader");
  });
});

describe("secrets the env repo holds", () => {
  it("roll the pods by their hash when read as env vars: a new ciphertext is a new hash", async () => {
    const p = makeProject(exampleStacks());
    edit(
      p,
      "stacks/price-sync.ts",
      '  secretFiles: { "/etc/price-sync/feed-client": secret("feed-client") },',
      '  envFrom: [secret("feed-client")],',
    );
    const hash = async () =>
      workloadOf(await filesOf(p), "price-sync", "dev-1").spec.template.metadata.annotations["sluice.dev/secrets-sha256"];
    const before = await hash();
    expect(before).toMatch(/^[0-9a-f]{16}$/);
    edit(p, "stacks/price-sync.ts", '"AgBdLGgNgIa2PqBm', '"AgBdLGgNgIa2PqBn');
    const after = await hash();
    expect(after).toMatch(/^[0-9a-f]{16}$/);
    expect(after).not.toBe(before);
  });

  it("mounted as files, change in place and roll nothing", async () => {
    const files = await filesOf(makeProject(exampleStacks()));
    expect(workloadOf(files, "price-sync", "dev-1").spec.template.metadata.annotations ?? {}).not.toHaveProperty(
      "sluice.dev/secrets-sha256",
    );
  });
});

describe('secretRotation: "files"', () => {
  it("refuses a secret read as an environment variable, at its line, and writes nothing", async () => {
    const p = makeProject(exampleStacks());
    edit(p, "stacks/platform.ts", '      env: { LOG_LEVEL: "info" },', '      env: { LOG_LEVEL: "info" },\n      secretRotation: "files",');
    const before = p.tree();
    const diagnostics = (await rejection(plan({ root: p.root, skipTypecheck: true }))).filter((d) => d.code === "resolve/secret-as-env");
    // Each secret a long-running app reads as an env var on a staging cluster, once, at its line;
    // not the migration job's, whose next run reads the new value.
    expect(diagnostics.map((d) => `${d.origin!.file}:${d.origin!.line}`).sort()).toEqual(
      [
        `stacks/payments.ts:${lineOf(p.read("stacks/payments.ts"), "DB_PASSWORD")}`,
        `stacks/payments.ts:${lineOf(p.read("stacks/payments.ts"), "DB_USER")}`,
        `stacks/search.ts:${lineOf(p.read("stacks/search.ts"), "INDEX_API_TOKEN")}`,
      ].sort(),
    );
    const search = diagnostics.find((d) => d.origin!.file === "stacks/search.ts")!;
    expect(search.message).toBe(
      'INDEX_API_TOKEN reads a secret as an environment variable, but environment staging has secretRotation "files": a rotated secret never reaches a running process\'s environment on cluster staging-1',
    );
    expect(search.hint).toContain("secretFiles");
    expect(p.tree()).toEqual(before);
  });
});
