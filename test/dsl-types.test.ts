/**
 * The typed DSL turns a misspelt environment, cluster, wave or team into a
 * compile error at the line where it is written.
 *
 * Part one runs the real type-check on a temp project (as `sluice synth`
 * does), part two is type-level: its `@ts-expect-error` lines are checked by
 * `tsc -p tsconfig.json`, which covers test/ and runs in CI, and under
 * `npm test` by test/type-tests.test.ts. Each directive
 * sits directly above the property that is wrong, so it also proves that the
 * error is reported on that line and not somewhere else in the call.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, expectTypeOf, it } from "vitest";
import type { ConfigMap } from "kubernetes-types/core/v1";
import { definePlatform, externalSecret, plan, secret, type Platform } from "sluice";
import { service, type Blueprint } from "sluice/blueprints";
import { typecheckStacksAsync } from "../src/pipeline/load/typecheck.js";
import { exampleStacks, makeProject, type Project } from "./helpers/project.js";
import { edit, expectAt, lineOf, only, rejection } from "./helpers/stack-edit.js";

interface Misspelling {
  readonly what: string;
  readonly file: string;
  readonly from: string;
  readonly to: string;
  /** Text on exactly the line the error must point at, after the edit. */
  readonly marker: string;
}

const misspellings: Misspelling[] = [
  {
    what: "a cluster in an app's clusters override (prod-us1)",
    file: "stacks/checkout-web.ts",
    from: '"prod-us-1": { env:',
    to: '"prod-us1": { env:',
    marker: '"prod-us1"',
  },
  {
    what: "an environment in an app's environments",
    file: "stacks/payments.ts",
    from: "    prod: {\n      replicas: 4,",
    to: "    prd: {\n      replicas: 4,",
    marker: "prd: {",
  },
  {
    // The release is spread over lines so that the line tells the waves apart.
    what: "a wave in an app's release",
    file: "stacks/payments.ts",
    from: 'release: { dev: "1.7.0", staging: "1.6.3" },',
    to: 'release: {\n    dev: "1.7.0",\n    stagin: "1.6.3",\n  },',
    marker: "stagin:",
  },
  {
    what: "an app's team",
    file: "stacks/catalog-api.ts",
    from: 'team: "storefront",',
    to: 'team: "storefrnt",',
    marker: '"storefrnt"',
  },
  {
    what: "a cluster's environment",
    file: "stacks/platform.ts",
    from: '"prod-eu-1": {\n      environment: "prod",',
    to: '"prod-eu-1": {\n      environment: "production",',
    marker: '"production"',
  },
  {
    what: "a cluster a policy waiver names",
    file: "stacks/checkout-web.ts",
    from: "  ports: { http: 3000 },",
    to: '  ports: { http: 3000 },\n  waivers: {\n    "liveness-probe": {\n      reason: "no health route until 3.3 (WEB-88)",\n      clusters: ["prod-us1"],\n    },\n  },',
    marker: '"prod-us1"',
  },
  {
    what: "an analysis a canary step names",
    file: "stacks/checkout-web.ts",
    from: '{ analysis: "error-rate" }, { weight: 50',
    to: '{ analysis: "eror-rate" }, { weight: 50',
    marker: '"eror-rate"',
  },
  {
    what: "a canary step's pause that is no duration",
    file: "stacks/checkout-web.ts",
    from: '{ weight: 10, pause: "5m" }',
    to: '{ weight: 10, pause: "5 minutes" }',
    marker: '"5 minutes"',
  },
  {
    what: "a cluster in a wave's clusters",
    file: "stacks/platform.ts",
    from: 'clusters: ["prod-us-1", "prod-us-west-1", "prod-us-central-1", "prod-ap-1"]',
    to: 'clusters: ["prod-us1", "prod-us-west-1", "prod-us-central-1", "prod-ap-1"]',
    marker: '"prod-us1"',
  },
];

/** GIVEN the example stacks with one misspelling; returns the project and the line it is on. */
function misspelt(m: Misspelling): { p: Project; line: number } {
  const p = makeProject(exampleStacks());
  const text = edit(p, m.file, m.from, m.to);
  return { p, line: lineOf(text, m.marker) };
}

function stackFiles(p: Project): string[] {
  return fs
    .readdirSync(path.join(p.root, "stacks"))
    .filter((f) => f.endsWith(".ts"))
    .map((f) => `stacks/${f}`)
    .sort();
}

describe("the type-check rejects a misspelt name at its line", () => {
  it.each(misspellings)("$what", async (m) => {
    const { p, line } = misspelt(m);

    // WHEN the stacks are compiled; THEN the type-check stops it, with one error at that line
    const d = only(await rejection(plan({ root: p.root })));

    expect(d.code).toMatch(/^typecheck\/TS\d+$/);
    expectAt(d, m.file, line);
  });

  it("the ts-morph engine reports the prod-us1 override at the same file:line as the native one", async () => {
    const m = misspellings[0]!;
    const { p, line } = misspelt(m);
    const files = stackFiles(p);

    const native = (await typecheckStacksAsync(p.root, files, "native")).diagnostics;
    const morph = (await typecheckStacksAsync(p.root, files, "ts-morph")).diagnostics;

    const where = (d: (typeof native)[number]) => ({ code: d.code, file: d.origin?.file, line: d.origin?.line });
    expect(native.map(where)).toEqual([{ code: expect.stringMatching(/^typecheck\/TS/), file: m.file, line }]);
    expect(morph.map(where)).toEqual(native.map(where));
  });
});

// ---------------------------------------------------------------------------
// Type level. A small platform, written inline: its names must be inferred as
// literal unions, not widened to string.

const platform = definePlatform({
  envRepo: { url: "https://git.example.com/env.git" },
  engine: "argocd",
  owners: ["@acme/platform"],
  environments: { dev: {}, prod: { replicas: 2 } },
  clusters: {
    "dev-1": { environment: "dev", server: "https://dev-1.example.com" },
    "prod-1": { environment: "prod", server: "https://prod-1.example.com" },
  },
  waves: [
    { name: "early", clusters: ["dev-1"] },
    { name: "late", clusters: ["prod-1"] },
  ],
  teams: {
    a: { owners: ["@acme/a"], namespaces: ["a"] },
    b: { owners: ["@acme/b"], namespaces: ["b"] },
  },
});

type Spec = Parameters<typeof platform.app>[1];
type Names = { environment: "dev" | "prod"; cluster: "dev-1" | "prod-1"; wave: "early" | "late"; team: "a" | "b" };

describe("the DSL's types", () => {
  it("infer every name as a literal union", () => {
    expectTypeOf(platform).toEqualTypeOf<Platform<Names>>();
    expectTypeOf<Spec["team"]>().toEqualTypeOf<"a" | "b">();
    expectTypeOf<keyof Spec["release"]>().toEqualTypeOf<"early" | "late">();
    expectTypeOf<keyof NonNullable<Spec["environments"]>>().toEqualTypeOf<"dev" | "prod">();
    expectTypeOf<keyof NonNullable<Spec["clusters"]>>().toEqualTypeOf<"dev-1" | "prod-1">();
    expectTypeOf<string>().not.toExtend<Spec["team"]>();
  });

  it("accept an app that uses only declared names", () => {
    const app = platform.app("ok", {
      team: "b",
      image: "registry.example.com/b/ok",
      release: { early: "1.0.0", late: "1.0.0" },
      environments: { prod: { replicas: 3 } },
      clusters: { "prod-1": { env: { REGION: "eu" } } },
    });
    expectTypeOf(app.spec.team).toEqualTypeOf<"a" | "b">();
    expect(app.name).toBe("ok");
  });

  it("reject misspelt names in an app, on the line of the misspelling", () => {
    // Declaring apps has no effect beyond this platform object; the calls are
    // here for the compiler.
    platform.app("team-typo", {
      // @ts-expect-error "c" is not a team
      team: "c",
      image: "registry.example.com/a/x",
      release: { early: "1.0.0" },
    });
    platform.app("wave-typo", {
      team: "a",
      image: "registry.example.com/a/x",
      release: {
        early: "1.0.0",
        // @ts-expect-error "lat" is not a wave
        lat: "1.0.0",
      },
    });
    platform.app("environment-typo", {
      team: "a",
      image: "registry.example.com/a/x",
      release: { early: "1.0.0" },
      environments: {
        // @ts-expect-error "prd" is not an environment
        prd: { replicas: 1 },
      },
    });
    platform.app("cluster-typo", {
      team: "a",
      image: "registry.example.com/a/x",
      release: { early: "1.0.0" },
      clusters: {
        // @ts-expect-error "prod-2" is not a cluster
        "prod-2": { replicas: 1 },
      },
    });
    platform.app("waiver-cluster-typo", {
      team: "a",
      image: "registry.example.com/a/x",
      release: { early: "1.0.0" },
      waivers: {
        "liveness-probe": {
          reason: "the service answers no health checks until 2.0",
          // @ts-expect-error "prod-2" is not a cluster
          clusters: ["prod-2"],
        },
      },
    });
    expect(platform.apps.map((a) => a.name)).toContain("cluster-typo");
  });

  it("reject a misspelt environment in a cluster and a misspelt cluster in a wave, without widening the names", () => {
    const envTypo = definePlatform({
      envRepo: { url: "https://git.example.com/env.git" },
      engine: "argocd",
      owners: ["@acme/platform"],
      environments: { dev: {} },
      clusters: {
        "dev-1": {
          // @ts-expect-error "dve" is not an environment
          environment: "dve",
          server: "https://dev-1.example.com",
        },
      },
      waves: [{ name: "only", clusters: ["dev-1"] }],
      teams: { a: { owners: ["@acme/a"], namespaces: ["a"] } },
    });
    const engineTypo = definePlatform({
      envRepo: { url: "https://git.example.com/env.git" },
      // @ts-expect-error "argo" is not an engine sluice knows
      engine: "argo",
      owners: ["@acme/platform"],
      environments: { dev: {} },
      clusters: {
        "dev-1": {
          environment: "dev",
          // @ts-expect-error "fluxcd" is not an engine either
          engine: "fluxcd",
          server: "https://dev-1.example.com",
        },
      },
      waves: [{ name: "only", clusters: ["dev-1"] }],
      teams: { a: { owners: ["@acme/a"], namespaces: ["a"] } },
    });
    expect(engineTypo.spec.engine).toBe("argo");
    // Each engine's settings are typed by its declaration (src/engines/<engine>/declaration.ts), under its name.
    const settingsTypo = definePlatform({
      envRepo: { url: "https://git.example.com/env.git" },
      engine: "flux",
      flux: {
        gitSecret: "env-repo-auth",
        // @ts-expect-error decryptionSecret names a Secret
        decryptionSecret: 1,
      },
      argocd: {
        // @ts-expect-error "nmespace" is not an Argo CD setting
        nmespace: "argo",
      },
      owners: ["@acme/platform"],
      environments: { dev: {} },
      clusters: { "dev-1": { environment: "dev", server: "https://dev-1.example.com" } },
      waves: [{ name: "only", clusters: ["dev-1"] }],
      teams: { a: { owners: ["@acme/a"], namespaces: ["a"] } },
    });
    expect(settingsTypo.spec.flux?.gitSecret).toBe("env-repo-auth");
    const clusterTypo = definePlatform({
      envRepo: { url: "https://git.example.com/env.git" },
      engine: "argocd",
      owners: ["@acme/platform"],
      environments: { dev: {} },
      clusters: { "dev-1": { environment: "dev", server: "https://dev-1.example.com" } },
      waves: [
        {
          name: "only",
          clusters: [
            "dev-1",
            // @ts-expect-error "dev-2" is not a cluster
            "dev-2",
          ],
        },
      ],
      teams: { a: { owners: ["@acme/a"], namespaces: ["a"] } },
    });
    // The typo did not become a name: the unions come from where names are declared.
    type Only = { environment: "dev"; cluster: "dev-1"; wave: "only"; team: "a" };
    expectTypeOf(envTypo).toEqualTypeOf<Platform<Only>>();
    expectTypeOf(clusterTypo).toEqualTypeOf<Platform<Only>>();
    expect(clusterTypo.spec.waves[0]!.clusters).toEqual(["dev-1", "dev-2"]);
  });
});

describe("blueprints are chosen by the names the platform registers", () => {
  const quiet: Blueprint = { ...service, name: "quiet", render: (app) => service.render(app).filter((o) => o.kind !== "Service") };
  const withQuiet = definePlatform({
    envRepo: { url: "https://git.example.com/env.git" },
    engine: "argocd",
    owners: ["@acme/platform"],
    environments: { dev: {} },
    clusters: { "dev-1": { environment: "dev", server: "https://dev-1.example.com" } },
    waves: [{ name: "only", clusters: ["dev-1"] }],
    teams: { a: { owners: ["@acme/a"], namespaces: ["a"] } },
    blueprints: { quiet },
  });
  const base = { team: "a" as const, image: "registry.example.com/a/x", release: { only: "1.0.0" } };

  it("offer the built-in and the registered names, and only the built-in without registrations", () => {
    expectTypeOf<NonNullable<Parameters<typeof withQuiet.app>[1]["blueprint"]>>().toEqualTypeOf<
      "quiet" | "service" | "worker" | "cronJob" | "job" | "statefulService"
    >();
    expectTypeOf<NonNullable<Spec["blueprint"]>>().toEqualTypeOf<"service" | "worker" | "cronJob" | "job" | "statefulService">();
    expect(withQuiet.app("w", { ...base, blueprint: "quiet" }).spec.blueprint).toBe("quiet");
  });

  it("reject an unregistered blueprint, on its line", () => {
    withQuiet.app("blueprint-typo", {
      ...base,
      // @ts-expect-error "qiuet" is not a registered blueprint
      blueprint: "qiuet",
    });
    platform.app("blueprint-elsewhere", {
      team: "a",
      image: "registry.example.com/a/x",
      release: { early: "1.0.0" },
      // @ts-expect-error this platform registers no "quiet"
      blueprint: "quiet",
    });
  });
});

describe("secret references are their own type", () => {
  const base = { team: "a" as const, image: "registry.example.com/a/x", release: { early: "1.0.0" } };

  it("accept references where secrets go", () => {
    const app = platform.app("secrets-ok", {
      ...base,
      env: { LOG_LEVEL: "info", DB_PASSWORD: secret("db", "password") },
      envFrom: [secret("api")],
      secretFiles: { "/etc/tls": secret("tls") },
      secrets: { db: externalSecret({ key: "a/db" }), api: externalSecret({ key: "a/api" }), tls: externalSecret({ key: "a/tls" }) },
      environments: { prod: { secrets: { db: externalSecret({ key: "a/db", store: "vault-prod" }) } } },
    });
    expect(app.spec.env?.DB_PASSWORD).toEqual({ $sluice: "secret-key", secret: "db", key: "password" });
  });

  it("reject a plain string where a secret is required, on its line", () => {
    platform.app("string-for-secret", {
      ...base,
      // @ts-expect-error a secret's name is not a secret: envFrom takes secret("api")
      envFrom: ["api"],
      secretFiles: {
        // @ts-expect-error a path is not a secret
        "/etc/tls": "tls",
      },
      secrets: {
        // @ts-expect-error a store path is not a declaration: externalSecret({ key })
        db: "a/db",
      },
    });
  });

  it("reject a reference where a literal goes, on its line", () => {
    platform.app("secret-for-string", {
      ...base,
      // @ts-expect-error command lines are literals, never secrets
      command: [secret("db", "password")],
      env: {
        // @ts-expect-error an env var reads one key, not a whole secret
        WHOLE: secret("db"),
      },
      objects: [
        {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: {
            name: "c",
            // @ts-expect-error annotations are strings
            annotations: { token: secret("db", "password") },
          },
          // @ts-expect-error a ConfigMap holds literals
          data: { token: secret("db", "password") },
        } satisfies ConfigMap,
      ],
    });
  });
});

describe("sidecars and init containers are typed", () => {
  const base = { team: "a" as const, image: "registry.example.com/a/x", release: { early: "1.0.0" } };

  it("accept a sidecar on the app's image, a pinned one, and an init container", () => {
    const app = platform.app("containers-ok", {
      ...base,
      sidecars: {
        proxy: {
          args: ["proxy"],
          ports: { admin: 9901 },
          env: { TOKEN: secret("db", "password") },
          probes: { readiness: { http: "/ready" } },
        },
        shipper: { image: `registry.example.com/a/shipper:1.0.0@sha256:${"a".repeat(64)}` },
      },
      initContainers: { "wait-db": { command: ["/bin/wait-for", "db:5432"] } },
      secrets: { db: externalSecret({ key: "a/db" }) },
    });
    expect(Object.keys(app.spec.sidecars ?? {})).toEqual(["proxy", "shipper"]);
  });

  it("reject probes on an init container, a misspelt container field and a hostPath volume, on their lines", () => {
    platform.app("containers-bad", {
      ...base,
      initContainers: {
        "wait-db": {
          // @ts-expect-error an init container runs to completion: it has no probes
          probes: { readiness: { http: "/ready" } },
        },
      },
      sidecars: {
        proxy: {
          // @ts-expect-error "resource" is not a field: resources
          resource: { limits: { cpu: "1" } },
        },
      },
      volumes: {
        node: {
          // @ts-expect-error no hostPath, ever: a scratch directory or an existing claim
          hostPath: "/var/run",
          mountPath: "/host",
        },
      },
    });
  });
});
