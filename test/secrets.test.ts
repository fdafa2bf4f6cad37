/**
 * Secret references (issue 6): the safe way is the only easy way. A secret is
 * declared where it is kept and used by name; sluice renders references
 * (ExternalSecret, SealedSecret) and wires the workload to the Secret they
 * produce, and refuses every way a value could reach the env repo in plain
 * text, at the stack line that wrote it, leaving out/ as it was.
 */
import { service } from "../lib/blueprints/index.js";
import type { ResolvedApp } from "../src/sdk.js";
import { parseAllDocuments } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { plan, synth, type KubernetesObject } from "sluice";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { copyProject, type Project } from "./helpers/project.js";
import { edit, expectAt, failsAt, lineOf, rejection, show } from "./helpers/stack-edit.js";

let base: Project;
beforeAll(() => {
  base = synthesizedExample();
});

const copy = () => copyProject(base);

/** The objects of one rendered file. */
function objectsIn(p: Project, file: string): KubernetesObject[] {
  return parseAllDocuments(p.read(file)).map((d) => d.toJS() as KubernetesObject);
}

function find(objects: readonly KubernetesObject[], kind: string, name?: string): KubernetesObject & { spec: any } {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  expect(found, `no ${kind} ${name ?? ""} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(", ")}`).toBeDefined();
  return found as KubernetesObject & { spec: any };
}

// Credential-looking values are built from pieces, so that this file's own
// text carries none (the repository's fixtures are scanned too).
const PASSWORD = ["hunter2", "s3cr3t", "Xy9!"].join("-");
const AWS_KEY = `AKIA${"QX7Z".repeat(4)}`;

describe("references render as External Secrets and Sealed Secrets", () => {
  it("the Deployment's secretKeyRef names the Secret that the ExternalSecret targets", () => {
    const objects = objectsIn(base, "out/apps/payments/prod-eu-1/manifest.yaml");
    const external = find(objects, "ExternalSecret");
    const container = find(objects, "Deployment").spec.template.spec.containers[0];
    const refs = container.env.map((e: any) => e.valueFrom.secretKeyRef);
    expect(refs).toEqual([
      { name: external.spec.target.name, key: "password" },
      { name: external.spec.target.name, key: "username" },
    ]);
    expect(external.apiVersion).toBe("external-secrets.io/v1");
    expect(external.spec.secretStoreRef).toEqual({ name: "vault-prod", kind: "ClusterSecretStore" });
    expect(external.spec.data.map((d: any) => [d.secretKey, d.remoteRef])).toEqual([
      ["password", { key: "payments/db", property: "password" }],
      ["username", { key: "payments/db", property: "username" }],
    ]);
    // Synced before the workload that reads it.
    expect(external.metadata.annotations).toEqual({ "argocd.argoproj.io/sync-wave": "-1" });
    // Never in the ConfigMap.
    expect(Object.keys(find(objects, "ConfigMap").data as object)).not.toContain("DB_PASSWORD");
  });

  it("each environment reads its own store: staging's store in dev and staging, production's in production", () => {
    const store = (cluster: string) =>
      find(objectsIn(base, `out/apps/payments/${cluster}/manifest.yaml`), "ExternalSecret").spec.secretStoreRef.name;
    expect(["dev-1", "staging-1", "prod-eu-1", "prod-us-1"].map(store)).toEqual([
      "vault-staging",
      "vault-staging",
      "vault-prod",
      "vault-prod",
    ]);
  });

  it("a sealed secret declared per cluster is mounted as files from the Secret its SealedSecret unseals to", () => {
    const objects = objectsIn(base, "out/apps/price-sync/dev-1/manifest.yaml");
    const sealed = find(objects, "SealedSecret");
    const pod = find(objects, "Deployment").spec.template.spec;
    expect(sealed.spec.template.metadata).toMatchObject({ name: "price-sync-feed-client", namespace: "storefront-jobs" });
    expect(pod.volumes).toEqual([{ name: "price-sync-feed-client", secret: { secretName: sealed.spec.template.metadata.name } }]);
    expect(pod.containers[0].volumeMounts).toEqual([
      { name: "price-sync-feed-client", mountPath: "/etc/price-sync/feed-client", readOnly: true },
    ]);
    // Each cluster has its own ciphertext.
    const staging = find(objectsIn(base, "out/apps/price-sync/staging-1/manifest.yaml"), "SealedSecret");
    expect(staging.spec.encryptedData["client.pem"]).not.toBe(sealed.spec.encryptedData["client.pem"]);
  });

  it("a whole secret in envFrom is extracted whole, into a Secret of its own", async () => {
    const p = copy();
    edit(p, "stacks/search.ts", "  env: { INDEX_API_TOKEN", '  envFrom: [secret("index-api")],\n  env: { INDEX_API_TOKEN');
    await synth({ root: p.root, skipTypecheck: true });
    const objects = objectsIn(p, "out/apps/search/prod-us-1/manifest.yaml");
    const external = find(objects, "ExternalSecret");
    expect(external.spec.dataFrom).toEqual([{ extract: { key: "storefront/search/index-api" } }]);
    expect(external.spec.data).toBeUndefined();
    expect(external.spec.refreshInterval).toBe("15m");
    expect(find(objects, "Deployment").spec.template.spec.containers[0].envFrom).toEqual([
      { configMapRef: { name: "search" } },
      { secretRef: { name: "search-index-api" } },
    ]);
  });

  it("rotating a remote key changes exactly one file, and in it only the ExternalSecret", async () => {
    const p = copy();
    const before = objectsIn(p, "out/apps/search/prod-us-1/manifest.yaml");
    edit(p, "stacks/search.ts", 'key: "storefront/search/index-api"', 'key: "storefront/search/index-api-v2"');
    const result = await synth({ root: p.root, skipTypecheck: true });
    // search runs on seven clusters; the key is the same on each.
    expect(result.write?.written).toEqual(
      ["dev-1", "prod-ap-1", "prod-eu-1", "prod-us-1", "prod-us-central-1", "prod-us-west-1", "staging-1"].map(
        (c) => `apps/search/${c}/manifest.yaml`,
      ),
    );
    const after = objectsIn(p, "out/apps/search/prod-us-1/manifest.yaml");
    const changed = after.filter((object, i) => JSON.stringify(object) !== JSON.stringify(before[i]));
    expect(changed.map((o) => o.kind)).toEqual(["ExternalSecret"]);
  });

  it("rotating the key in an environment's override changes that environment's files alone", async () => {
    const p = copy();
    edit(
      p,
      "stacks/payments.ts",
      "    prod: {\n      replicas: 4,",
      '    prod: {\n      secrets: { db: externalSecret({ key: "payments/db-prod" }) },\n      replicas: 4,',
    );
    await synth({ root: p.root, skipTypecheck: true });
    edit(p, "stacks/payments.ts", '"payments/db-prod"', '"payments/db-prod-2"');
    const result = await synth({ root: p.root, skipTypecheck: true });
    expect(result.write?.written).toEqual([
      "apps/payments/prod-ap-1/manifest.yaml",
      "apps/payments/prod-eu-1/manifest.yaml",
      "apps/payments/prod-us-1/manifest.yaml",
      "apps/payments/prod-us-central-1/manifest.yaml",
      "apps/payments/prod-us-west-1/manifest.yaml",
    ]);
  });
});

describe("merging replaces a reference whole", () => {
  it("an environment override that switches the store replaces the whole declaration, refresh interval included", async () => {
    const p = copy();
    edit(
      p,
      "stacks/search.ts",
      "    prod: { autoscaling: { min: 4, max: 20 } },",
      '    prod: { autoscaling: { min: 4, max: 20 }, secrets: { "index-api": externalSecret({ key: "storefront/search/index-api", store: "vault-staging" }) } },',
    );
    const { resolved } = await plan({ root: p.root, skipTypecheck: true });
    const prod = resolved.find((a) => a.name === "search" && a.cluster.name === "prod-us-1")!;
    const dev = resolved.find((a) => a.name === "search" && a.cluster.name === "dev-1")!;
    expect(prod.secrets[0]!.source).toEqual({
      $sluice: "secret-source",
      provider: "external-secrets",
      key: "storefront/search/index-api",
      store: { name: "vault-staging", kind: "ClusterSecretStore" },
      // Not the app-level 15m: the override is one value, not a patch.
      refreshInterval: "1h",
    });
    expect(dev.secrets[0]!.source).toMatchObject({ key: "storefront/search/index-api", refreshInterval: "15m" });
  });

  it("a cluster override of an env var replaces the secret use whole", async () => {
    const p = copy();
    edit(
      p,
      "stacks/payments.ts",
      "    dev: { replicas: 1 },",
      '    dev: { replicas: 1, env: { DB_PASSWORD: secret("dev-db", "pw") }, secrets: { "dev-db": externalSecret({ key: "payments/dev/db" }) } },',
    );
    const { resolved } = await plan({ root: p.root, skipTypecheck: true });
    const dev = resolved.find((a) => a.name === "payments" && a.cluster.name === "dev-1")!;
    expect(dev.spec.secretEnv.DB_PASSWORD).toEqual({ secretName: "payments-dev-db", key: "pw" });
    expect(dev.secrets.map((s) => s.name)).toEqual(["db", "dev-db"]);
  });
});

describe("plaintext never reaches the env repo", () => {
  it("a secret-looking literal in env fails, naming the file, line and property path", async () => {
    const p = copy();
    edit(p, "stacks/payments.ts", '    FEATURE_3DS: "true",', `    FEATURE_3DS: "true",\n    ADMIN_PASSWORD: "${PASSWORD}",`);
    const d = await failsAt(p, "secrets/plaintext", "stacks/payments.ts", "ADMIN_PASSWORD");
    expect(d.message).toMatch(/^env\.ADMIN_PASSWORD looks like a credential/);
    expect(d.message).not.toContain(PASSWORD);
    expect(d.hint).toContain('secret("<name>", "<key>")');
    expect(d.hint).toContain('allowLiterals: { "env.ADMIN_PASSWORD"');
  });

  it("a weak default password fails too, in env and in a ConfigMap, and allowLiterals still lets one through", async () => {
    const weak = ["change", "me"].join("");
    const p = copy();
    edit(p, "stacks/payments.ts", '    FEATURE_3DS: "true",', `    FEATURE_3DS: "true",\n    DB_PASSWORD_DEFAULT: "${weak}",`);
    const d = await failsAt(p, "secrets/plaintext", "stacks/payments.ts", "DB_PASSWORD_DEFAULT");
    expect(d.message).toBe(
      'env.DB_PASSWORD_DEFAULT looks like a credential written in plain text: a well-known default or weak password under "DB_PASSWORD_DEFAULT" (8 characters) (weak-secret)',
    );
    edit(
      p,
      "stacks/payments.ts",
      '  team: "payments",',
      '  team: "payments",\n  allowLiterals: { "env.DB_PASSWORD_DEFAULT": "the local emulator\'s fixed password, never a real one" },',
    );
    await synth({ root: p.root, skipTypecheck: true });

    const q = copy();
    edit(
      q,
      "stacks/price-sync.ts",
      "  objects: [\n",
      `  objects: [\n    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "feed" }, data: { "feed.password": "${["hunter", "2"].join("")}" } },\n`,
    );
    const found = await failsAt(q, "secrets/plaintext", "stacks/price-sync.ts", '"feed.password"');
    expect(found.message).toContain("(named-secret)");
  });

  it("a literal in a platform environment's env is found too", async () => {
    const p = copy();
    edit(p, "stacks/platform.ts", 'env: { LOG_LEVEL: "debug" },', `env: { LOG_LEVEL: "debug", CLOUD_KEY: "${AWS_KEY}" },`);
    const d = await failsAt(p, "secrets/plaintext", "stacks/platform.ts", "CLOUD_KEY");
    expect(d.message).toMatch(/^environments\.dev\.env\.CLOUD_KEY/);
  });

  it("a waiver with a reason lets one literal through, and the env repo's README lists it", async () => {
    const p = copy();
    edit(p, "stacks/payments.ts", '    FEATURE_3DS: "true",', `    FEATURE_3DS: "true",\n    ADMIN_PASSWORD: "${PASSWORD}",`);
    edit(
      p,
      "stacks/payments.ts",
      '  team: "payments",',
      '  team: "payments",\n  allowLiterals: { "env.ADMIN_PASSWORD": "a throwaway default that the service rotates on first start" },',
    );
    await synth({ root: p.root, skipTypecheck: true });
    expect(p.read("out/README.md")).toContain(
      "| app payments | `env.ADMIN_PASSWORD` | a throwaway default that the service rotates on first start |",
    );
  });

  it("a raw Secret with data in objects fails at its data", async () => {
    const p = copy();
    edit(
      p,
      "stacks/price-sync.ts",
      "  objects: [\n",
      '  objects: [\n    { apiVersion: "v1", kind: "Secret", metadata: { name: "feed" }, data: { token: "c2VjcmV0" } },\n',
    );
    const d = await failsAt(p, "secrets/plaintext-secret", "stacks/price-sync.ts", 'kind: "Secret"');
    expect(d.message).toMatch(/base64 is not encryption/);
    expect(d.hint).toContain('allowSecrets: { "price-sync/feed"');
  });

  it("the platform can allow one named Secret with data, with a reason", async () => {
    const p = copy();
    edit(
      p,
      "stacks/price-sync.ts",
      "  objects: [\n",
      '  objects: [\n    { apiVersion: "v1", kind: "Secret", metadata: { name: "public-ca" }, data: { "ca.crt": "LS0tLQ==" } },\n',
    );
    edit(
      p,
      "stacks/platform.ts",
      "  secretStores: {",
      '  allowSecrets: { "price-sync/public-ca": "the public CA bundle of the price feed; nothing secret" },\n  secretStores: {',
    );
    await synth({ root: p.root, skipTypecheck: true });
    expect(p.read("out/apps/price-sync/dev-1/manifest.yaml")).toContain("kind: Secret");
  });

  it("a credential in a custom resource (an escape hatch) is found in the stacks", async () => {
    const p = copy();
    edit(
      p,
      "stacks/platform.ts",
      "  secretStores: {",
      '  customResources: { "example.com/v1": { Feed: "Namespaced" } },\n  secretStores: {',
    );
    edit(
      p,
      "stacks/price-sync.ts",
      "  objects: [\n",
      `  objects: [\n    { apiVersion: "example.com/v1", kind: "Feed", metadata: { name: "feed" }, spec: { auth: "${AWS_KEY}" } },\n`,
    );
    const d = await failsAt(p, "secrets/plaintext", "stacks/price-sync.ts", 'kind: "Feed"');
    expect(d.message).toMatch(/^objects\[0\]\.spec\.auth/);
  });

  it("a credential a blueprint writes is caught in the rendered bytes", async () => {
    const p = copy();
    // The built-in service's objects (progressive delivery needs its Deployment), and one that leaks.
    const leaky = {
      name: "leaky",
      render: (app: ResolvedApp) => [
        ...service.render(app),
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "leaky" }, data: { note: `key ${AWS_KEY}` } },
      ],
    };
    const before = p.tree();
    const diagnostics = await rejection(synth({ root: p.root, skipTypecheck: true, blueprint: leaky }));
    const found = diagnostics.filter((d) => d.code === "secrets/plaintext-output");
    expect(found.length, show(diagnostics)).toBeGreaterThan(0);
    expect(found[0]!.message).toMatch(/^apps\/\S+\/manifest\.yaml line \d+ \(ConfigMap leaky\)/);
    expect(p.tree()).toEqual(before);
  });

  it("a secret reference inside a raw object is an error at its line", async () => {
    const p = copy();
    edit(
      p,
      "stacks/price-sync.ts",
      "  objects: [\n",
      '  objects: [\n    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { token: secret("feed-client", "client.pem") as never } },\n',
    );
    const d = await failsAt(p, "validate/not-data", "stacks/price-sync.ts", 'kind: "ConfigMap"');
    expect(d.message).toMatch(/secret reference inside a raw object/);
  });
});

describe("bad references are errors at their line", () => {
  it("a secret used but not declared", async () => {
    const p = copy();
    edit(p, "stacks/search.ts", 'secret("index-api", "token")', 'secret("index-apii", "token")');
    const d = await failsAt(p, "resolve/undeclared-secret", "stacks/search.ts", "index-apii");
    expect(d.message).toContain('"index-apii"');
  });

  it("a store the platform does not declare", async () => {
    const p = copy();
    edit(p, "stacks/search.ts", 'refreshInterval: "15m" })', 'refreshInterval: "15m", store: "vault-qa" })');
    const d = await failsAt(p, "resolve/secret-store", "stacks/search.ts", "vault-qa");
    expect(d.hint).toContain("vault-prod, vault-staging");
  });

  it("a sealed secret without the key the app reads", async () => {
    const p = copy();
    edit(
      p,
      "stacks/price-sync.ts",
      '  secretFiles: { "/etc/price-sync/feed-client": secret("feed-client") },',
      '  env: { FEED_KEY: secret("feed-client", "key.pem") },',
    );
    const diagnostics = await rejection(synth({ root: p.root, skipTypecheck: true }));
    expect(show(diagnostics)).toMatch(/sealed secret "feed-client" has no "key\.pem" on cluster dev-1/);
  });

  it("plaintext pasted where sealed ciphertext belongs", async () => {
    const p = copy();
    const text = p.read("stacks/price-sync.ts");
    const cipher = /"(Ag[A-Za-z0-9+/=]{300,})"/.exec(text)![1]!;
    edit(p, "stacks/price-sync.ts", `"client.pem":\n            "${cipher}"`, '"client.pem": "-----BEGIN CERTIFICATE----- not sealed"');
    const d = await failsAt(p, "validate/invalid", "stacks/price-sync.ts", "not sealed");
    expect(d.message).toMatch(/kubeseal --raw/);
  });
});

/** A file shaped as sops writes one: metadata readable, every value ENC[…], a MAC. */
function sopsFile(values: Record<string, string>): string {
  const enc = (n: number) =>
    `ENC[AES256_GCM,data:${"QUJD".repeat(n)},iv:${"SVZJVklWSVZJVklWSVZJVg=="},tag:${"VEFHVEFHVEFHVEFHVEFHVA=="},type:str]`;
  return [
    "apiVersion: v1",
    "kind: Secret",
    "metadata:",
    "  name: feed-tls",
    "data:",
    ...Object.keys(values).map((key, i) => `  ${key}: ${values[key] === "" ? enc(i + 2) : values[key]}`),
    "sops:",
    "  age:",
    "    - recipient: age1examplerecipient",
    `  lastmodified: "2026-01-01T00:00:00Z"`,
    `  mac: ${enc(8)}`,
    "  version: 3.9.0",
    "",
  ].join("\n");
}

describe("the type-check", () => {
  it("stops a secret reference where a literal goes, at its line", async () => {
    const p = copy();
    edit(
      p,
      "stacks/payments.ts",
      "  ports: { http: 8080, metrics: 9090 },",
      '  ports: { http: 8080, metrics: 9090 },\n  args: ["--password", secret("db", "password")],',
    );
    const diagnostics = await rejection(plan({ root: p.root }));
    expect(diagnostics.map((d) => d.code)).toEqual([expect.stringMatching(/^typecheck\/TS\d+$/)]);
    expectAt(diagnostics[0]!, "stacks/payments.ts", lineOf(p.read("stacks/payments.ts"), "--password"));
  });

  it("stops a plain string where a secret is required, at its line", async () => {
    const p = copy();
    edit(p, "stacks/search.ts", "  env: { INDEX_API_TOKEN", '  envFrom: ["index-api"],\n  env: { INDEX_API_TOKEN');
    const diagnostics = await rejection(plan({ root: p.root }));
    expect(diagnostics.map((d) => d.code)).toEqual([expect.stringMatching(/^typecheck\/TS\d+$/)]);
    expectAt(diagnostics[0]!, "stacks/search.ts", lineOf(p.read("stacks/search.ts"), "envFrom"));
  });
});

describe("SOPS files", () => {
  const useSops = (p: Project, file: string) =>
    edit(
      p,
      "stacks/price-sync.ts",
      '  secretFiles: { "/etc/price-sync/feed-client": secret("feed-client") },',
      `  secretFiles: { "/etc/price-sync/feed-client": secret("feed-client"), "/etc/price-sync/tls": secret("feed-tls") },\n  secrets: { "feed-tls": sopsSecret("${file}") },`,
    );
  const importSops = (p: Project) =>
    edit(
      p,
      "stacks/price-sync.ts",
      'import { sealedSecret, secret } from "sluice";',
      'import { sealedSecret, secret, sopsSecret } from "sluice";',
    );

  it("a file that is not SOPS ciphertext is refused, naming the file", async () => {
    const p = copy();
    importSops(p);
    useSops(p, "secrets/feed-tls.yaml");
    p.write("secrets/feed-tls.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: feed-tls\nstringData:\n  tls.key: plain\n");
    const d = await failsAt(p, "validate/not-sops", "stacks/price-sync.ts", "sopsSecret(");
    expect(d.message).toBe("secrets/feed-tls.yaml has no sops metadata block: it is not encrypted with sops");
  });

  it("a SOPS file with one value left in plaintext is refused", async () => {
    const p = copy();
    importSops(p);
    useSops(p, "secrets/feed-tls.enc.yaml");
    p.write("secrets/feed-tls.enc.yaml", sopsFile({ "tls.crt": "", "tls.key": "plaintext" }));
    const d = await failsAt(p, "validate/not-sops", "stacks/price-sync.ts", "sopsSecret(");
    expect(d.message).toContain("plaintext value at data.tls.key");
  });

  it("a genuine SOPS file on an Argo CD cluster is refused with the External Secrets suggestion", async () => {
    const p = copy();
    importSops(p);
    useSops(p, "secrets/feed-tls.enc.yaml");
    p.write("secrets/feed-tls.enc.yaml", sopsFile({ "tls.crt": "", "tls.key": "" }));
    const d = await failsAt(p, "resolve/sops-on-argocd", "stacks/price-sync.ts", "sopsSecret(");
    expect(d.message).toBe('secret "feed-tls" is a SOPS file, which Argo CD cannot decrypt on clusters dev-1, staging-1');
    expect(d.hint).toContain("externalSecret(");
  });
});
