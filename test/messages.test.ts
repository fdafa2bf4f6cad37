/**
 * Messages that teach (issue 11): the three misleading messages a new user
 * met are gone; each replacement names the file, the line, the property and
 * a fix that exists. Exact text, as a snapshot would hold it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { checkPolicy, formatDiagnostic, synth } from "sluice";
import { copyProject, exampleStacks, makeProject, type Project } from "./helpers/project.js";
import { edit, lineOf, rejection } from "./helpers/stack-edit.js";

let base: Project;
beforeAll(async () => {
  base = makeProject(exampleStacks());
  await synth({ root: base.root });
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
    const text = edit(p, "stacks/platform.ts", '      env: { LOG_LEVEL: "debug" },', '      env: { LOG_LEVEL: "debug" },\n      replica: 2,');
    const [d] = await rejection(synth({ root: p.root }));
    expect(d!.code).toMatch(/^typecheck\/TS(2353|2561)$/);
    expect(formatDiagnostic(d!)).toBe(
      `stacks/platform.ts:${lineOf(text, "replica: 2")}:7 environments.dev.replica: unknown property "replica" in environments.dev; did you mean "replicas"?\n` +
        "  hint: allowed here: replicas, autoscaling, ports, env, envFrom, secretFiles, secrets, secretStore, resources, probes, command, args, podSecurity, quota, sync, revision, production",
    );
    expect(d!.message.length).toBeLessThan(120);
  });

  it("an unknown property in an app's probe says where, with a suggestion of its own", async () => {
    const p = copyProject(base);
    edit(p, "stacks/payments.ts", 'liveness: { http: "/healthz", port: "http", initialDelaySeconds: 10 }', 'liveness: { http: "/healthz", port: "http", initialDelay: 10 }');
    const [d] = await rejection(synth({ root: p.root }));
    expect(d!.message).toBe('unknown property "initialDelay" in probes.liveness; did you mean "initialDelaySeconds"?');
    expect(d!.hint).toBe("allowed here: http, tcp, port, initialDelaySeconds, periodSeconds, timeoutSeconds, failureThreshold");
  });

  it("a cluster-scoped object points at a feature that exists: the platform's grant to the team", async () => {
    const p = copyProject(base);
    edit(p, "stacks/price-sync.ts", "  objects: [\n", '  objects: [\n    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "reader" }, rules: [] } as never,\n');
    const [finding] = (await checkPolicy({ root: p.root, skipTypecheck: true })).findings;
    expect(finding!.rule).toBe("no-cluster-scoped-objects");
    expect(finding!.hint).toBe(
      'ask the platform team to grant the kind to your team in teams.<team>.clusterResources ("<group>/<Kind>"), or to add the object to the platform\'s own objects (platform objects); or use a namespaced kind',
    );
    expect(finding!.hint).not.toContain("add cluster-wide objects to the platform");
  });
});
