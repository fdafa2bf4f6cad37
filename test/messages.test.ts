/**
 * Messages that teach (issue 11): the three misleading messages a new user
 * met are gone; each replacement names the file, the line, the property and
 * a fix that exists. Exact text, as a snapshot would hold it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { checkPolicy, formatDiagnostic, synth, type Diagnostic } from "sluice";
import { runCli } from "./helpers/cli.js";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { copyProject, type Project } from "./helpers/project.js";
import { setReleases } from "./helpers/releases.js";
import { edit, lineOf, only, rejection, withoutSpokes } from "./helpers/stack-edit.js";

let base: Project;
beforeAll(() => {
  base = synthesizedExample();
});

describe("messages that teach", () => {
  it("an invalid environment variable name gets the rule for environment variable names, not for object names", async () => {
    const p = copyProject(base);
    const text = edit(p, "stacks/payments.ts", 'DB_HOST: "payments-db.payments.svc"', '"1DB HOST": "payments-db.payments.svc"');
    const [d] = await rejection(synth({ root: p.root, skipTypecheck: true }));
    expect(formatDiagnostic(d!)).toBe(
      `stacks/payments.ts:${lineOf(text, '"1DB HOST"')}:5 env["1DB HOST"]: environment variable name "1DB HOST": may hold only letters, digits, "_", "-" and ".", and must not start with a digit\n` +
        '  hint: environment variable names are letters, digits, "_", "-" and ".", not starting with a digit, e.g. LOG_LEVEL or DB_HOST',
    );
    expect(formatDiagnostic(d!)).not.toContain("directory and object names");
  });

  it("a bad port name and label key get their own rules", async () => {
    const p = copyProject(base);
    edit(p, "stacks/payments.ts", "ports: { http: 8080, metrics: 9090 }", 'ports: { http: 8080, "metrics-endpoint-v2": 9090 }');
    const [port] = await rejection(synth({ root: p.root, skipTypecheck: true }));
    expect(port!.hint).toBe('port names are at most 15 lower-case letters, digits and "-", with a letter, e.g. http or metrics');
    expect(port!.origin?.path).toEqual(["ports", "metrics-endpoint-v2"]);
  });

  it("an unknown property in a platform environment names the property and what is allowed there, not a 369-character type", async () => {
    const p = copyProject(base);
    const text = edit(
      p,
      "stacks/platform.ts",
      '      env: { LOG_LEVEL: "debug" },',
      '      env: { LOG_LEVEL: "debug" },\n      replica: 2,',
    );
    const [d] = await rejection(synth({ root: p.root }));
    expect(d!.code).toMatch(/^typecheck\/TS(2353|2561)$/);
    expect(formatDiagnostic(d!)).toBe(
      `stacks/platform.ts:${lineOf(text, "replica: 2")}:7 environments.dev.replica: unknown property "replica" in environments.dev; did you mean "replicas"?\n` +
        "  hint: allowed here: replicas, autoscaling, ports, env, envFrom, files, secretFiles, secrets, secretStore, resources, probes, command, args, sidecars, initContainers, securityContext, placement, identity, schedule, timeZone, concurrencyPolicy, historyLimits, suspend, activeDeadlineSeconds, backoffLimit, volumes, volumeClaims, podManagementPolicy, podSecurity, quota, sync, revision, production, exposure, secretRotation, freeze, progressiveDelivery",
    );
    expect(d!.message.length).toBeLessThan(120);
  });

  it("an unknown property in an app's probe says where, with a suggestion of its own", async () => {
    const p = copyProject(base);
    edit(
      p,
      "stacks/payments.ts",
      'liveness: { http: "/healthz", port: "http", initialDelaySeconds: 10 }',
      'liveness: { http: "/healthz", port: "http", initialDelay: 10 }',
    );
    const [d] = await rejection(synth({ root: p.root }));
    expect(d!.message).toBe('unknown property "initialDelay" in probes.liveness; did you mean "initialDelaySeconds"?');
    expect(d!.hint).toBe("allowed here: exec, http, tcp, port, initialDelaySeconds, periodSeconds, timeoutSeconds, failureThreshold");
  });

  it("a cluster-scoped object points at a feature that exists: the platform's grant to the team", async () => {
    const p = copyProject(base);
    edit(
      p,
      "stacks/price-sync.ts",
      "  objects: [\n",
      '  objects: [\n    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "reader" }, rules: [] } as never,\n',
    );
    const [finding] = (await checkPolicy({ root: p.root, skipTypecheck: true })).findings;
    expect(finding!.rule).toBe("no-cluster-scoped-objects");
    expect(finding!.hint).toBe(
      'ask the platform team to grant the kind to your team in teams.<team>.clusterResources ("<group>/<Kind>"), or to add the object to the platform\'s own objects (platform objects); or use a namespaced kind',
    );
    expect(finding!.hint).not.toContain("add cluster-wide objects to the platform");
  });

  /** WHEN synth runs with the type-check THEN it fails with exactly one diagnostic, and out/ is as it was. */
  async function theOneError(p: Project, options: { skipTypecheck?: boolean } = {}): Promise<Diagnostic> {
    const before = p.tree();
    const d = only(await rejection(synth({ root: p.root, ...options })));
    expect(p.tree()).toEqual(before);
    return d;
  }

  it("an app without its image is told which required property is missing, not TypeScript's whole app type", async () => {
    const p = copyProject(base);
    const text = edit(p, "stacks/payments.ts", '  image: "registry.example.com/payments/api",\n', "");
    const d = await theOneError(p);
    expect(d.code).toMatch(/^typecheck\/TS(2345|2741)$/);
    expect(formatDiagnostic(d)).toBe(
      `stacks/payments.ts:${lineOf(text, 'platform.app("payments"')}:41 missing required property "image" in the app\n` +
        "  hint: required here: team, image, release",
    );
  });

  it("a platform without owners, and a cluster without its server, name the property and the object that lacks it", async () => {
    const p = copyProject(base);
    const text = edit(p, "stacks/platform.ts", '  owners: ["@acme/platform"],\n', "");
    expect(formatDiagnostic(await theOneError(p))).toBe(
      `stacks/platform.ts:${lineOf(text, "definePlatform({")}:40 missing required property "owners" in the platform\n` +
        "  hint: required here: envRepo, engine, owners, environments, clusters, waves, teams",
    );
    const q = copyProject(base);
    const cluster = edit(q, "stacks/platform.ts", 'server: "https://dev-1.k8s.example.com", ', "");
    expect(formatDiagnostic(await theOneError(q))).toBe(
      `stacks/platform.ts:${lineOf(cluster, '"dev-1": {')}:5 clusters["dev-1"]: missing required property "server" in clusters["dev-1"]\n` +
        "  hint: required here: environment, server",
    );
  });

  it("a misspelt cluster in an app's clusters is an unknown cluster, with the platform's cluster names", async () => {
    const p = copyProject(base);
    const text = edit(p, "stacks/checkout-web.ts", '"prod-us-1": { env:', '"prod-us-2": { env:');
    expect(formatDiagnostic(await theOneError(p))).toBe(
      `stacks/checkout-web.ts:${lineOf(text, '"prod-us-2"')}:5 clusters["prod-us-2"]: unknown cluster "prod-us-2" in clusters; did you mean "prod-us-1"?\n` +
        "  hint: the platform's clusters: dev-1, staging-1, prod-eu-1, prod-us-1, prod-us-west-1, prod-us-central-1, prod-ap-1",
    );
  });

  it("a misspelt environment in an app's environments, and a misspelt wave in its release, are unknown names too", async () => {
    const p = copyProject(base);
    const catalog = edit(p, "stacks/catalog-api.ts", "    staging: { env: { ENV_NAME", "    stagin: { env: { ENV_NAME");
    const checkout = edit(p, "stacks/checkout-web.ts", 'release: { dev: "3.2.0", staging:', 'release: { dev: "3.2.0", stagng:');
    const before = p.tree();
    const [environment, wave, ...rest] = await rejection(synth({ root: p.root }));
    expect(rest).toEqual([]);
    expect(formatDiagnostic(environment!)).toBe(
      `stacks/catalog-api.ts:${lineOf(catalog, "stagin:")}:5 environments.stagin: unknown environment "stagin" in environments; did you mean "staging"?\n` +
        "  hint: the platform's environments: dev, staging, prod",
    );
    expect(formatDiagnostic(wave!)).toBe(
      `stacks/checkout-web.ts:${lineOf(checkout, "stagng:")}:28 release.stagng: unknown wave "stagng" in release; did you mean "staging"?\n` +
        "  hint: the platform's waves: dev, staging, prod-canary, prod",
    );
    expect(p.tree()).toEqual(before);
  });

  it("in a fleet too large for TypeScript to print, the unknown cluster still gets every cluster name, from the platform", async () => {
    const p = copyProject(base);
    const extra = Array.from({ length: 12 }, (_, i) => `dev-${i + 2}`);
    edit(
      p,
      "stacks/platform.ts",
      "  clusters: {\n",
      `  clusters: {\n${extra.map((name) => `    "${name}": { environment: "dev", server: "https://${name}.k8s.example.com" },\n`).join("")}`,
    );
    edit(
      p,
      "stacks/platform.ts",
      '{ name: "dev", clusters: ["dev-1"] }',
      `{ name: "dev", clusters: ["dev-1", ${extra.map((name) => `"${name}"`).join(", ")}] }`,
    );
    edit(p, "stacks/checkout-web.ts", '"prod-us-1": { env:', '"prod-us-2": { env:');
    const d = await theOneError(p);
    expect(d.message).toBe('unknown cluster "prod-us-2" in clusters; did you mean "prod-us-1"?');
    expect(d.hint).toBe(
      `the platform's clusters: ${[...extra, "dev-1", "staging-1", "prod-eu-1", "prod-us-1", "prod-us-west-1", "prod-us-central-1", "prod-ap-1"].join(", ")}`,
    );
  });

  it("when the stacks cannot be run, the cluster names come from TypeScript's message", async () => {
    const p = copyProject(base);
    // Five clusters, few enough for TypeScript to print the whole type: the example without prod-us-1's two spokes.
    withoutSpokes(p);
    p.write("stacks/unfinished.ts", 'throw new Error("not written yet");\n');
    edit(p, "stacks/checkout-web.ts", '"prod-us-1": { env:', '"prod-us-2": { env:');
    const d = await theOneError(p);
    expect(d.message).toBe('unknown cluster "prod-us-2" in clusters; did you mean "prod-us-1"?');
    expect(d.hint).toBe("the platform's clusters: dev-1, prod-ap-1, prod-eu-1, prod-us-1, staging-1");
  });

  it("when the stacks cannot be run and TypeScript cut the type short, no partial list of names stands in for the platform's", async () => {
    const p = copyProject(base);
    p.write("stacks/unfinished.ts", 'throw new Error("not written yet");\n');
    edit(p, "stacks/checkout-web.ts", '"prod-us-1": { env:', '"prod-us-2": { env:');
    const d = await theOneError(p);
    // Seven clusters: TypeScript ends the printed type with "...", which may have hidden the name that was meant.
    expect(d.message).toBe('unknown cluster "prod-us-2" in clusters');
    expect(d.hint).toBeUndefined();
  });
});

describe("one mistake, one message, however many clusters it is on", () => {
  /** `sluice synth` as a user runs it: its exit status and what it printed. */
  async function cli(p: Project): Promise<{ status: number; stderr: string }> {
    const result = await runCli(["synth", "--root", p.root], { env: { NO_COLOR: "1" } });
    return { status: result.status, stderr: result.stderr };
  }

  it("a dependency that runs on none of six of the app's clusters is one error naming the six", async () => {
    const p = copyProject(base);
    setReleases(p, "payments", { dev: "1.7.0" });
    const before = p.tree();
    const { status, stderr } = await cli(p);
    expect(status).toBe(2);
    const line = lineOf(p.read("stacks/checkout-web.ts"), "dependsOn:");
    expect(stderr).toBe(
      "sluice: The dependencies between apps and components are invalid; nothing was written.\n" +
        `stacks/checkout-web.ts:${line}:32: error: dependsOn[1]: app checkout-web depends on app payments, which does not run on clusters prod-ap-1, prod-eu-1, prod-us-1, prod-us-central-1, prod-us-west-1, staging-1\n` +
        "  hint: release payments to the waves of those clusters first, or drop the dependency\n",
    );
    expect(p.tree()).toEqual(before);
  });

  it("an app on seven clusters with autoscaling min above max is told once, naming the seven clusters", async () => {
    const p = copyProject(base);
    const text = edit(
      p,
      "stacks/catalog-api.ts",
      "  ports: { http: 8080 },",
      "  ports: { http: 8080 },\n  autoscaling: { min: 5, max: 2 },",
    );
    const before = p.tree();
    const { status, stderr } = await cli(p);
    expect(status).toBe(2);
    const at = `stacks/catalog-api.ts:${lineOf(text, "autoscaling:")}:`;
    // Once: the text before it and the text after it.
    expect(stderr.split(at)).toHaveLength(2);
    expect(stderr).toContain(
      "autoscaling.min: autoscaling min (5) is above max (2) on clusters dev-1, prod-ap-1, prod-eu-1, prod-us-1, prod-us-central-1, prod-us-west-1, staging-1\n",
    );
    expect(p.tree()).toEqual(before);
  });

  it("a bad environment variable name and a bad quantity in an app on seven clusters are each told once", async () => {
    const p = copyProject(base);
    const text = edit(
      p,
      "stacks/catalog-api.ts",
      '  env: { CACHE_TTL_SECONDS: "300" },',
      '  env: { "CACHE TTL": "300" },\n  resources: { requests: { cpu: "lots" } },',
    );
    const before = p.tree();
    const { status, stderr } = await cli(p);
    expect(status).toBe(2);
    const errors = stderr.split("\n").filter((line) => line.includes(": error: "));
    expect(errors).toEqual([
      `stacks/catalog-api.ts:${lineOf(text, '"CACHE TTL"')}:10: error: env["CACHE TTL"]: environment variable name "CACHE TTL": may hold only letters, digits, "_", "-" and ".", and must not start with a digit`,
      `stacks/catalog-api.ts:${lineOf(text, '"lots"')}:28: error: resources.requests.cpu: must be a Kubernetes quantity such as "250m", "1", "128Mi" or "2Gi"`,
    ]);
    expect(p.tree()).toEqual(before);
  });
});
