/**
 * Exposure (issue 20): an app's `expose` per environment and cluster, served
 * by what the platform names on each cluster — an HTTPRoute on its Gateway,
 * or an Ingress of its class — with the serving namespace let through the
 * app's network policy, hosts unique per cluster (a finding at both lines),
 * the Prerequisites, the diff's attention, and mistakes refused at their
 * line. Every object is held to its strict schema (Gateway API's CRD with its
 * CEL rules) by the synth itself.
 */
import { simpleGit } from "simple-git";
import { parseAllDocuments } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { checkPolicy, diff, plan } from "sluice";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { copyProject, exampleStacks, makeProject, type Project } from "./helpers/project.js";
import { edit, expectAt, failsAt, lineOf, only, rejection, withoutCanary } from "./helpers/stack-edit.js";

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  spec?: any;
}

async function objectsOf(p: Project, app: string, cluster: string): Promise<Obj[]> {
  const planned = await plan({ root: p.root, skipTypecheck: true });
  const file = planned.plan.files.find((f) => f.path === `apps/${app}/${cluster}/manifest.yaml`)!;
  return parseAllDocuments(file.content).map((d) => d.toJS() as Obj);
}
const kindOf = (objects: Obj[], kind: string) => objects.find((o) => o.kind === kind);

let base: Project;
beforeAll(() => {
  base = synthesizedExample();
});

describe("an exposed service", () => {
  it("gets an Ingress of the platform's class on an ingress cluster, with its certificate from the platform's issuer", async () => {
    const objects = await objectsOf(makeProject(exampleStacks()), "checkout-web", "prod-eu-1");
    const ingress = kindOf(objects, "Ingress")!;
    expect(ingress.metadata.annotations).toEqual({ "cert-manager.io/cluster-issuer": "letsencrypt" });
    expect(ingress.spec).toEqual({
      ingressClassName: "nginx",
      tls: [{ hosts: ["shop.example.com"], secretName: "checkout-web-tls" }],
      rules: [
        {
          host: "shop.example.com",
          http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "checkout-web", port: { name: "http" } } } }] },
        },
      ],
    });
    expect(kindOf(objects, "HTTPRoute")).toBeUndefined();
  });

  it("gets an HTTPRoute on the Gateway's https listener on a Gateway cluster, to its Service's port", async () => {
    // Without its canary: on prod-ap-1 Flagger would make the route (test/progressive.test.ts).
    const p = makeProject(exampleStacks());
    withoutCanary(p);
    const objects = await objectsOf(p, "checkout-web", "prod-ap-1");
    const route = kindOf(objects, "HTTPRoute")!;
    expect(route.apiVersion).toBe("gateway.networking.k8s.io/v1");
    expect(route.spec).toEqual({
      parentRefs: [
        { group: "gateway.networking.k8s.io", kind: "Gateway", name: "public", namespace: "gateway-system", sectionName: "https" },
      ],
      hostnames: ["shop.example.com"],
      rules: [
        {
          matches: [{ path: { type: "PathPrefix", value: "/" } }],
          backendRefs: [{ kind: "Service", name: "checkout-web", port: 3000 }],
        },
      ],
    });
    const service = kindOf(objects, "Service")!;
    expect(service.spec.ports).toContainEqual(expect.objectContaining({ name: "http", port: 3000 }));
    expect(kindOf(objects, "Ingress")).toBeUndefined();
  });

  it("lets in the namespace that serves it, on the exposed port only, without the app naming it in callers", async () => {
    const p = makeProject(exampleStacks());
    const policyOf = async (cluster: string) =>
      (await objectsOf(p, "checkout-web", cluster)).find((o) => o.kind === "NetworkPolicy" && o.metadata.name === "checkout-web-callers")!;
    const from = (policy: Obj) =>
      policy.spec.ingress.map((rule: any) => ({
        namespace: rule.from[0].namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"],
        ports: rule.ports.map((port: any) => port.port),
      }));
    expect(from(await policyOf("prod-eu-1"))).toContainEqual({ namespace: "ingress-nginx", ports: ["http"] });
    expect(from(await policyOf("prod-ap-1"))).toContainEqual({ namespace: "gateway-system", ports: ["http"] });
    expect(from(await policyOf("prod-ap-1"))).not.toContainEqual(expect.objectContaining({ namespace: "ingress-nginx" }));
  });

  it("takes the host, path and TLS per environment and cluster, and `false` stops it on one cluster", async () => {
    const p = makeProject(exampleStacks());
    edit(
      p,
      "stacks/checkout-web.ts",
      '    staging: { expose: { host: "shop.staging.example.com" } },',
      '    staging: { expose: { host: "shop.staging.example.com", path: "/beta", tls: false } },',
    );
    // Unexposed, its canary there would have nothing to shift traffic with (test/progressive.test.ts): it rolls out at once.
    edit(
      p,
      "stacks/checkout-web.ts",
      '  clusters: {\n    "prod-us-1": {',
      '  clusters: {\n    "prod-us-1": {\n      expose: false,\n      progressive: false,',
    );
    const staging = kindOf(await objectsOf(p, "checkout-web", "staging-1"), "Ingress")!;
    expect(staging.metadata.annotations).toBeUndefined();
    expect(staging.spec.tls).toBeUndefined();
    expect(staging.spec.rules[0]).toMatchObject({ host: "shop.staging.example.com", http: { paths: [{ path: "/beta" }] } });
    expect(kindOf(await objectsOf(p, "checkout-web", "prod-us-1"), "Ingress")).toBeUndefined();
    expect(kindOf(await objectsOf(p, "checkout-web", "prod-eu-1"), "Ingress")).toBeDefined();
  });
});

describe("hosts", () => {
  it("one host exposed by two apps on one cluster is a finding at both apps' lines, on that cluster only", async () => {
    const p = copyProject(base);
    const text = edit(
      p,
      "stacks/catalog-api.ts",
      '    staging: { env: { ENV_NAME: "staging" } },',
      '    staging: { env: { ENV_NAME: "staging" }, expose: { host: "shop.staging.example.com", path: "/catalog" } },',
    );
    const findings = (await checkPolicy({ root: p.root, skipTypecheck: true })).findings.filter((f) => f.rule === "unique-hosts");
    expect(findings.map((f) => `${f.app} on ${f.clusters.join(",")}: ${f.message}`)).toEqual([
      "catalog-api on staging-1: host shop.staging.example.com is also claimed by checkout-web",
      "checkout-web on staging-1: host shop.staging.example.com is also claimed by catalog-api",
    ]);
    expect(findings.every((f) => f.severity === "error")).toBe(true);
    expect(findings[0]!.origin).toMatchObject({ file: "stacks/catalog-api.ts", line: lineOf(text, "expose:") });
    expect(findings[1]!.origin).toMatchObject({
      file: "stacks/checkout-web.ts",
      line: lineOf(p.read("stacks/checkout-web.ts"), "shop.staging.example.com"),
    });
  });

  it("an exposed host that an app's own Ingress also claims is a finding too", async () => {
    const p = copyProject(base);
    edit(
      p,
      "stacks/catalog-api.ts",
      '  callers: ["checkout-web"],',
      '  callers: ["checkout-web"],\n  objects: [{ apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: "catalog" }, spec: { rules: [{ host: "shop.dev.example.com" }] } } as never],',
    );
    const findings = (await checkPolicy({ root: p.root, skipTypecheck: true })).findings.filter((f) => f.rule === "unique-hosts");
    expect(findings.map((f) => `${f.app} on ${f.clusters.join(",")}`)).toEqual(["catalog-api on dev-1", "checkout-web on dev-1"]);
  });

  it("the same host on different clusters is no finding", async () => {
    const findings = (await checkPolicy({ root: copyProject(base).root, skipTypecheck: true })).findings;
    expect(findings.filter((f) => f.rule === "unique-hosts")).toEqual([]);
  });
});

describe("mistakes are refused at their line", () => {
  it("a host that is a wildcard, an IP address or not lower case", async () => {
    for (const host of ["*.example.com", "10.0.0.1", "Shop.Example.com", "localhost"]) {
      const p = makeProject(exampleStacks());
      const text = edit(p, "stacks/checkout-web.ts", '  expose: { host: "shop.example.com" },', `  expose: { host: "${host}" },`);
      const d = only(await rejection(plan({ root: p.root, skipTypecheck: true })));
      expectAt(d, "stacks/checkout-web.ts", lineOf(text, `expose: { host: "${host}"`));
      expect(d.message).toContain(JSON.stringify(host));
    }
  });

  it("a path with '..' or '%'", async () => {
    for (const path of ["/a/../b", "/a%2Fb", "shop"]) {
      const p = makeProject(exampleStacks());
      const text = edit(
        p,
        "stacks/checkout-web.ts",
        '  expose: { host: "shop.example.com" },',
        `  expose: { host: "shop.example.com", path: "${path}" },`,
      );
      expectAt(
        only(await rejection(plan({ root: p.root, skipTypecheck: true }))),
        "stacks/checkout-web.ts",
        lineOf(text, `path: "${path}"`),
      );
    }
  });

  it("a port the app does not declare", async () => {
    const p = makeProject(exampleStacks());
    edit(p, "stacks/checkout-web.ts", '  expose: { host: "shop.example.com" },', '  expose: { host: "shop.example.com", port: "admin" },');
    const d = await failsAt(p, "resolve/expose-port", "stacks/checkout-web.ts", 'port: "admin"');
    expect(d.message).toContain('"admin"');
  });

  it("an exposed app on a cluster where the platform names nothing to serve it", async () => {
    const p = makeProject(exampleStacks());
    edit(
      p,
      "stacks/platform.ts",
      '      sync: { automated: true, prune: true, selfHeal: true },\n      // Apps\' `expose` is served by the ingress-nginx component, with a certificate from cert-manager.\n      exposure: { ingress: { className: "nginx", namespace: "ingress-nginx", tlsIssuer: "letsencrypt" } },\n',
      "      sync: { automated: true, prune: true, selfHeal: true },\n",
    );
    const d = await failsAt(p, "resolve/expose-unserved", "stacks/checkout-web.ts", "shop.dev.example.com");
    expect(d.message).toContain("dev-1");
    expect(d.hint).toContain("expose: false");
  });

  it("plain HTTP on a Gateway that names only an https listener", async () => {
    const p = makeProject(exampleStacks());
    edit(p, "stacks/checkout-web.ts", '  expose: { host: "shop.example.com" },', '  expose: { host: "shop.example.com", tls: false },');
    const d = await failsAt(p, "resolve/expose-listener", "stacks/checkout-web.ts", "tls: false");
    expect(d.message).toMatch(/Gateway gateway-system\/public names no http listener on cluster prod-ap-1/);
  });

  it("expose in the platform's defaults: a host is one app's", async () => {
    const p = makeProject(exampleStacks());
    edit(
      p,
      "stacks/platform.ts",
      '      env: { LOG_LEVEL: "debug" },',
      '      env: { LOG_LEVEL: "debug" },\n      expose: { tls: false },',
    );
    await failsAt(p, "validate/expose-in-platform", "stacks/platform.ts", "expose: { tls: false }");
  });

  it("expose on a cron job does not compile, at its line", async () => {
    const p = makeProject(exampleStacks());
    const text = edit(
      p,
      "stacks/price-report.ts",
      '  timeZone: "Europe/Berlin",',
      '  timeZone: "Europe/Berlin",\n  expose: { host: "report.example.com" },',
    );
    const d = only(await rejection(plan({ root: p.root })));
    expect(d.code).toMatch(/^typecheck\/TS\d+$/);
    expectAt(d, "stacks/price-report.ts", lineOf(text, "expose:"));
  });

  it("expose on a kind that serves no traffic, without the type-check", async () => {
    const p = makeProject(exampleStacks());
    edit(
      p,
      "stacks/price-report.ts",
      '  timeZone: "Europe/Berlin",',
      '  timeZone: "Europe/Berlin",\n  expose: { host: "report.example.com" },',
    );
    await failsAt(p, "validate/kind-setting", "stacks/price-report.ts", "expose:");
  });
});

describe("raw HTTPRoutes", () => {
  it("need no customResources declaration, and are held to Gateway API's rules, the CEL ones with the CRD's defaults", async () => {
    const route = (backend: string) =>
      `{ apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata: { name: "catalog-extra" }, spec: { parentRefs: [{ name: "internal", namespace: "gateway-system" }], hostnames: ["catalog.internal.example.com"], rules: [{ matches: [{ path: { type: "PathPrefix", value: "/v2" } }], filters: [{ type: "URLRewrite", urlRewrite: { path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/" } } }], backendRefs: [${backend}] }] } } as never`;
    const good = makeProject(exampleStacks());
    edit(
      good,
      "stacks/catalog-api.ts",
      '  callers: ["checkout-web"],',
      `  callers: ["checkout-web"],\n  objects: [${route('{ name: "catalog-api", port: 8080 }')}],`,
    );
    await plan({ root: good.root, skipTypecheck: true });
    // A Service backend without a port: the rule reads `group`, which only the CRD's default sets.
    const bad = makeProject(exampleStacks());
    const text = edit(
      bad,
      "stacks/catalog-api.ts",
      '  callers: ["checkout-web"],',
      `  callers: ["checkout-web"],\n  objects: [${route('{ name: "catalog-api" }')}],`,
    );
    const diagnostics = await rejection(plan({ root: bad.root, skipTypecheck: true }));
    expect(diagnostics.map((d) => d.message).join("\n")).toContain("Must have port for Service reference");
    expect(diagnostics[0]!.origin).toMatchObject({ file: "stacks/catalog-api.ts", line: lineOf(text, "objects:") });
  });
});

describe("the env repo's Prerequisites", () => {
  it("name the Gateway with its listener, the namespaces and hosts it must take, the IngressClass and issuer, and DNS", async () => {
    const readme = (await plan({ root: makeProject(exampleStacks()).root, skipTypecheck: true })).plan.files.find(
      (f) => f.path === "README.md",
    )!.content;
    expect(readme).toContain(
      "| Gateway | `public` with listener `https`, taking routes from namespace `storefront` (`allowedRoutes.namespaces`) for `shop.example.com` | `gateway-system` |",
    );
    expect(readme).toContain("| CRDs | `gateway.networking.k8s.io/v1`: HTTPRoute |");
    expect(readme).toContain("| IngressClass | `nginx`, with its controller's pods in namespace `ingress-nginx` | — |");
    expect(readme).toMatch(/\| IngressClass \| `nginx`.*\| ingress-nginx \|\n/);
    expect(readme).toContain("| controller | cert-manager, with the ClusterIssuer `letsencrypt` |");
    expect(readme).toContain("| DNS | `shop.dev.example.com` |");
  });
});

describe("sluice diff", () => {
  it("calls out a host that changes, and a route that starts serving", async () => {
    const p = copyProject(base);
    p.write(".gitignore", "node_modules/\n");
    const git = simpleGit(p.root);
    await git.init(["--initial-branch=main"]);
    await git.addConfig("user.email", "ci@example.com").addConfig("user.name", "CI");
    await git.add(".").commit("env repo");
    edit(p, "stacks/checkout-web.ts", '  expose: { host: "shop.example.com" },', '  expose: { host: "store.example.com" },');
    edit(
      p,
      "stacks/catalog-api.ts",
      '    staging: { env: { ENV_NAME: "staging" } },',
      '    staging: { env: { ENV_NAME: "staging" }, expose: { host: "catalog.staging.example.com" } },',
    );
    const result = await diff({ root: p.root, skipTypecheck: true });
    const notes = result.attention.filter((n) => n.kind === "exposure").map((n) => n.message);
    expect(notes).toEqual(
      expect.arrayContaining([
        "Ingress storefront/checkout-web starts serving store.example.com on prod-eu-1",
        "Ingress storefront/checkout-web stops serving shop.example.com on prod-eu-1",
        // Flagger makes the route on prod-ap-1 from the Canary's hosts.
        "Canary storefront/checkout-web starts serving store.example.com on prod-ap-1",
        "Ingress storefront/catalog-api starts serving catalog.staging.example.com on staging-1",
      ]),
    );
    expect(notes.filter((n) => n.endsWith("on dev-1"))).toEqual([]);
  });
});
