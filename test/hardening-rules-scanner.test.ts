/**
 * Issue 18, items 19 and 20: team objects that walked past every rule (a
 * Service with externalIPs, a fixed load-balancer address, a wildcard or the
 * platform's own host, an ExternalSecret reading another team's keys, pods
 * made by a ReplicationController or a PodTemplate), and the plaintext
 * scanner's table of realistic credentials and ordinary values.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { checkPolicy, synth, type Finding } from "sluice";
import { scanArguments, scanLiteral } from "../src/secrets/scan.js";
import { emitted } from "./helpers/policies.js";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { copyProject, type Project } from "./helpers/project.js";
import { edit, lineOf, rejection, show } from "./helpers/stack-edit.js";

let base: Project;
beforeAll(() => {
  base = synthesizedExample();
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
      expect(findings.find((f) => f.rule === "no-host-access")!.origin.line).toBe(
        lineOf(p.read("stacks/price-sync.ts"), "hostNetwork: true"),
      );
    }
  });

  it("admission matches every kind with a pod template, and enforces the new object rules", async () => {
    const policies = emitted(base, "prod-eu-1");
    const resources = (rule: string) =>
      (policies.get(rule) ?? []).flatMap((o) =>
        (
          (o as { spec?: { matchConstraints?: { resourceRules?: { resources: string[] }[] } } }).spec?.matchConstraints?.resourceRules ?? []
        ).flatMap((r) => r.resources),
      );
    for (const rule of ["no-host-access", "no-privileged"]) {
      expect(resources(rule)).toEqual(
        expect.arrayContaining([
          "pods",
          "deployments",
          "statefulsets",
          "daemonsets",
          "replicasets",
          "replicationcontrollers",
          "jobs",
          "cronjobs",
          "podtemplates",
        ]),
      );
    }
    expect(resources("no-external-ips")).toEqual(["services"]);
    expect(resources("no-fixed-load-balancer-ip")).toEqual(["services"]);
    expect(resources("no-wildcard-host")).toEqual(["ingresses"]);
  });
});

// Credential-shaped values are built from pieces at run time, so that this
// file's own text carries none (the repository's files are scanned too).
// Every one is fake: the right shape, made-up characters.
const join = (...parts: string[]) => parts.join("");
const b64 = (text: string) => Buffer.from(text).toString("base64");
const chars = (n: number, alphabet = "aZ3kQ9xW7mB2vN5tR8yL4pC6") =>
  Array.from({ length: n }, (_, i) => alphabet[(i * 7 + 3) % alphabet.length]).join("");
const hex = (n: number) => Array.from({ length: n }, (_, i) => "0123456789abcdef"[(i * 5 + 1) % 16]).join("");
const UUID = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
const PEM = join("-----BEGIN ", "RSA PRIVATE", " KEY-----\n", "MIIEowIBAAKCAQEA", chars(64), "\n-----END RSA ", "PRIVATE KEY-----\n");

type Case =
  | readonly [label: string, kind: "literal", name: string, value: string]
  | readonly [label: string, kind: "args", args: readonly string[]];

/** Realistic credentials, each in the form it was missed in: all must be caught. */
const CREDENTIALS: readonly Case[] = [
  ["a base64-encoded PEM RSA private key in a ConfigMap", "literal", "bundle", b64(PEM)],
  [
    "a private key's DER, base64, without its PEM lines",
    "literal",
    "tls.key",
    join("MIIEvQIBADAN", "BgkqhkiG9w0BAQEFAASC", "BKcwggSjAgEAAoIBAQC", chars(40)),
  ],
  ["a PuTTY private key", "literal", "id.ppk", join("PuTTY-User-", "Key-File-3: ssh-ed25519\nEncryption: none\nComment: deploy\n")],
  ["a Stripe live secret key under a neutral name", "literal", "PAYMENTS_CONFIG", join("sk_", "live_", chars(24))],
  ["a Stripe restricted key", "literal", "STRIPE", join("rk_", "live_", chars(24))],
  ["a password under DATABASE_PW", "literal", "DATABASE_PW", join("Tr0ub4", "dor-x9")],
  ["a URL password containing #", "literal", "DATABASE_URL", join("postgres://app:", "pa#ss9", "Word@db.internal:5432/app")],
  ["a password in a component's Helm values (auth.password)", "literal", "password", join("R3dis", "-Pa55-x")],
  ["a Google API key", "literal", "MAPS", join("AI", "za", chars(35))],
  ["a SendGrid key", "literal", "MAILER", join("SG", ".", chars(22), ".", chars(43))],
  ["an npm token", "literal", "NPMRC", join("//npm.example.com/:_authToken=", "npm", "_", chars(36))],
  ["an OpenAI project key", "literal", "LLM", join("sk-", "proj-", chars(48))],
  [
    "an Azure storage connection string",
    "literal",
    "STORAGE",
    join("DefaultEndpointsProtocol=https;AccountName=shop;Account", "Key=", chars(86), "==;EndpointSuffix=core.windows.net"),
  ],
  ["a base64-encoded GitHub token in a values file", "literal", "config", b64(join("token: gh", "p_", chars(36), "\n"))],
  ["an AWS access key id", "literal", "S3", join("AK", "IA", "Q7ZX".repeat(4))],
  ["--db-password=… in args", "args", ["--port=8080", join("--db-password=", "Xk9mP2", "vQ8z")]],
  ["mysql -p… in a shell command", "args", ["sh", "-c", join("mysql -h db -u root -p", "S3cr3tP", "ass app < /seed.sql")]],
  ["--password followed by its value", "args", ["--user", "app", "--password", join("hunter2", "Xy9")]],
  ["PGPASSWORD=… before psql", "args", ["sh", "-c", join("PGPASSWORD=", "pg-Adm1n", "-77 psql -h db -c 'select 1'")]],
];

/** Ordinary configuration, much of it secret-adjacent: none may be flagged. */
const ORDINARY: readonly Case[] = [
  ["a URL without a password", "literal", "DATABASE_URL", "postgres://app@db.internal:5432/app"],
  ["a URL whose password Kubernetes fills in", "literal", "DATABASE_URL", "postgres://app:$(DB_PASSWORD)@db:5432/app"],
  ["a URL whose password the shell fills in", "literal", "REDIS_URL", "redis://:${REDIS_PASSWORD}@redis:6379/0"],
  ["a URL with a fragment", "literal", "DOCS_URL", "https://docs.example.com/setup#step-2"],
  ["a URL with a query and a fragment", "literal", "CALLBACK_URL", "https://shop.example.com/cb?next=/cart#top"],
  ["an image by digest", "literal", "IMAGE", `registry.example.com/payments@sha256:${hex(64)}`],
  ["a config digest", "literal", "CONFIG_CHECKSUM", `sha256:${hex(64)}`],
  ["a git commit", "literal", "GIT_SHA", hex(40)],
  ["a tenant UUID", "literal", "TENANT_ID", UUID],
  ["a correlation UUID", "literal", "CORRELATION_ID", UUID],
  ["a feature flag", "literal", "FEATURE_NEW_CHECKOUT", "true"],
  ["a feature flag list", "literal", "FEATURE_FLAGS", "new-checkout=on,fast-search=off"],
  ["an auth switch", "literal", "ENABLE_AUTH", "false"],
  ["an auth provider", "literal", "AUTH_PROVIDER", "oidc"],
  ["a token lifetime", "literal", "TOKEN_TTL", "15m"],
  ["a password policy number", "literal", "PASSWORD_MIN_LENGTH", "12"],
  ["a Secret's name", "literal", "SECRET_NAME", "payments-db"],
  ["a Stripe publishable key (public by design)", "literal", "STRIPE_PUBLISHABLE_KEY", join("pk_", "live_", chars(24))],
  [
    "a base64 CA certificate",
    "literal",
    "CA_BUNDLE",
    b64(join("-----BEGIN CERTIFICATE-----\nMIIDxzCCAq+gAwIBAgIU", chars(40), "\n-----END CERTIFICATE-----\n")),
  ],
  ["base64 text that is no secret", "literal", "GREETING_B64", b64("hello from the payments team, have a nice day")],
  [
    "ciphertext (a sealed value)",
    "literal",
    "client.pem",
    Buffer.from(Array.from({ length: 96 }, (_, i) => (i * 151 + 7) % 256)).toString("base64"),
  ],
  ["JVM options", "literal", "JAVA_OPTS", "-Xmx512m -XX:+UseG1GC -Dfile.encoding=UTF-8"],
  ["a Slack channel", "literal", "SLACK_CHANNEL", "#payments-alerts"],
  ["a cron schedule", "literal", "SCHEDULE", "0 */6 * * *"],
  ["an e-mail address", "literal", "ADMIN_EMAIL", "ops@example.com"],
  ["an OpenTelemetry attribute list", "literal", "OTEL_RESOURCE_ATTRIBUTES", "service.name=payments,deployment.environment=prod"],
  ["a certificate ARN", "literal", "CERT_ARN", `arn:aws:acm:eu-west-1:123456789012:certificate/${UUID}`],
  ["a service account e-mail", "literal", "GCP_SERVICE_ACCOUNT", "payments@shop-prod.iam.gserviceaccount.com"],
  ["a SKU prefix", "literal", "SKU_PREFIX", "SK-2024-"],
  ["a password read from a file, in args", "args", ["--port=8080", "--log-level=debug", "--db-password-file=/run/secrets/db/password"]],
  ["a password Kubernetes fills in, in args", "args", ["--password=$(DB_PASSWORD)"]],
  ["mysql with its password from the environment", "args", ["sh", "-c", 'mysql -h db -P 3306 -u app -p"$MYSQL_PWD" app']],
  ["docker login reading the password from stdin", "args", ["docker", "login", "--password-stdin", "registry.example.com"]],
  ["a token audience flag", "args", ["--token-audience", "payments-api", "--secret-store=vault-prod"]],
  ["-p as a port, not mysql", "args", ["serve", "-p", "8080", "-pfast"]],
  ["environment assignments that are configuration", "args", ["sh", "-c", "PGHOST=db PGPORT=5432 AUTH_MODE=oidc ./run.sh"]],
];

const flagged = (c: Case) => (c[1] === "literal" ? scanLiteral(c[2], c[3]) : scanArguments(c[2])[0]?.finding);

describe("item 20: the plaintext scanner's table", () => {
  it("has at least 17 realistic credentials and 31 ordinary values", () => {
    expect(CREDENTIALS.length).toBeGreaterThanOrEqual(17);
    expect(ORDINARY.length).toBeGreaterThanOrEqual(31);
  });

  it.each(CREDENTIALS.map((c) => [c[0], c] as const))("catches %s", (_, c) => {
    const finding = flagged(c);
    expect(finding).toBeDefined();
    // Never the value itself: findings end up in CI logs.
    const value = c[1] === "literal" ? c[3] : c[2].join(" ");
    expect(finding!.what).not.toContain(value.slice(0, 16));
  });

  it.each(ORDINARY.map((c) => [c[0], c] as const))("lets %s through", (_, c) => {
    expect(flagged(c)).toBeUndefined();
  });
});

describe("item 20: every string that reaches out/ is scanned", () => {
  it("the platform's objects and Helm values, app args, DATABASE_PW and base64 keys are refused at their lines; out/ is unchanged", async () => {
    const p = copy();
    const password = join("Adm1n", "-Pa55", "-x7");
    edit(
      p,
      "stacks/platform.ts",
      "  teams: {",
      [
        "  objects: [",
        `    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "grafana", namespace: "monitoring" }, data: { GF_SECURITY_ADMIN_PASSWORD: "${password}" } },`,
        `    { apiVersion: "v1", kind: "Secret", metadata: { name: "grafana-admin", namespace: "monitoring" }, stringData: { password: "x" } },`,
        "  ],",
        "  teams: {",
      ].join("\n"),
    );
    edit(
      p,
      "stacks/platform.ts",
      "values: { controller: { replicaCount: 2 } },",
      `values: { controller: { replicaCount: 2 }, auth: { password: "${join("R3dis", "-Pa55-x")}" } },`,
    );
    edit(p, "stacks/payments.ts", "  env: {\n", `  env: {\n    DATABASE_PW: "${join("Tr0ub4", "dor-x9")}",\n`);
    withObject(
      p,
      "price-sync",
      `{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "keys" }, data: { bundle: "${b64(PEM)}" } } as never`,
    );
    withObject(
      p,
      "price-sync",
      `{ apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "seed" }, spec: { schedule: "0 * * * *", jobTemplate: { spec: { template: { spec: { restartPolicy: "OnFailure", containers: [{ name: "seed", image: "registry.example.com/storefront/seed:1.0.0",\n      args: ["--db-host=db", "${join("--db-password=", "Xk9mP2", "vQ8z")}",\n        "${join("--github-token=", "gh", "p_", chars(36))}"] }] } } } } } } as never`,
    );
    const before = p.tree();
    const diagnostics = await rejection(synth({ root: p.root, skipTypecheck: true }));
    const at = (code: string, file: string, marker: string) => {
      const line = lineOf(p.read(file), marker);
      expect(
        diagnostics.some((d) => d.code === code && d.origin?.file === file && d.origin.line === line),
        `${code} at ${file}:${line}\n${show(diagnostics)}`,
      ).toBe(true);
    };
    at("secrets/plaintext", "stacks/platform.ts", "GF_SECURITY_ADMIN_PASSWORD");
    at("secrets/plaintext-secret", "stacks/platform.ts", "stringData");
    at("secrets/plaintext", "stacks/platform.ts", "auth: { password");
    at("secrets/plaintext", "stacks/payments.ts", "DATABASE_PW");
    at("secrets/plaintext", "stacks/price-sync.ts", "bundle:");
    at("secrets/plaintext", "stacks/price-sync.ts", "--db-password=");
    at("secrets/plaintext", "stacks/price-sync.ts", "--github-token=");
    // One finding per place, though an argument is judged as a string and on its command line.
    const places = diagnostics.map((d) => JSON.stringify([d.origin?.file, d.origin?.line, d.origin?.path]));
    expect(new Set(places).size, show(diagnostics)).toBe(places.length);
    expect(diagnostics.every((d) => !d.message.includes(password))).toBe(true);
    expect(p.tree()).toEqual(before);
  });

  it("ordinary values in env and args pass synth, and the example stacks stay clean", async () => {
    const p = copy();
    const env = ORDINARY.filter((c) => c[1] === "literal" && /^[A-Z_]+$/.test(c[2])).map((c) => `${c[2]}: ${JSON.stringify(c[3])}`);
    const unique = [...new Map(env.map((line) => [line.split(":")[0], line])).values()];
    edit(p, "stacks/payments.ts", "  env: {\n", `  env: {\n    ${unique.join(",\n    ")},\n`);
    const args = ORDINARY.filter((c) => c[1] === "args").flatMap((c) => c[2] as readonly string[]);
    edit(p, "stacks/payments.ts", "  team: ", `  args: ${JSON.stringify(args)},\n  team: `);
    await synth({ root: p.root, skipTypecheck: true });
  });
});
