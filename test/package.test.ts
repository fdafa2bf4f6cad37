/**
 * The package as a team adopts it (issue 11): `npm pack`, installed into an
 * empty directory, `npx sluice init`, synth, synth --check and check, and a
 * stack typed with `satisfies NetworkPolicy` — nothing but the install
 * touches the network (npm's cache, filled by `npm ci`, serves it).
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO } from "./helpers/project.js";

const work = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-package-"));
const project = path.join(work, "project");
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** The environment without what `npm test` sets for its own run. */
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith("npm_") && key !== "INIT_CWD"));

function run(cwd: string, command: string, ...args: string[]): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, encoding: "utf8", env: { ...env, NO_COLOR: "1", CI: "1" }, timeout: 240_000 });
}

function ok(result: SpawnSyncReturns<string>): string {
  expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
  return result.stdout;
}

let tarball = "";
beforeAll(() => {
  // dist/ is built by pretest; packing runs no scripts.
  const packed = ok(run(REPO, "npm", "pack", "--ignore-scripts", "--json", "--pack-destination", work));
  tarball = path.join(work, (JSON.parse(packed) as { filename: string }[])[0]!.filename);
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, "package.json"), '{ "name": "adopter", "private": true }\n');
  ok(run(project, "npm", "install", "--no-audit", "--no-fund", "--prefer-offline", tarball));
}, 300_000);

describe("the packed package", () => {
  it("holds the compiled code and types, the command and the README, and no sources or tests", () => {
    const listing = ok(run(work, "tar", "tzf", tarball)).split("\n");
    expect(listing).toContain("package/bin/sluice.js");
    expect(listing).toContain("package/dist/src/index.js");
    expect(listing).toContain("package/dist/src/index.d.ts");
    expect(listing).toContain("package/dist/src/testing.d.ts");
    // The README links to the field reference: it ships beside it.
    expect(listing).toContain("package/docs/reference.md");
    expect(listing.some((f) => f.startsWith("package/src/") || f.startsWith("package/test/") || f.startsWith("package/stacks/"))).toBe(
      false,
    );
  });

  it("npx sluice init scaffolds a project whose first synth, synth --check and check pass", () => {
    const initialised = ok(run(project, "npx", "sluice", "init", "--ci", "github"));
    expect(initialised).toMatch(/Created a sluice project in \.\//);
    expect(initialised).toMatch(/Wrote the first env repo: out\//);
    for (const file of [
      "tsconfig.json",
      ".gitignore",
      "stacks/platform.ts",
      "stacks/hello.ts",
      "stacks/hello-nightly.ts",
      ".github/workflows/sluice.yml",
      "out/README.md",
      "out/apps/hello/prod-1/manifest.yaml",
      "out/apps/hello-nightly/dev-1/manifest.yaml",
    ]) {
      expect(fs.existsSync(path.join(project, file)), file).toBe(true);
    }
    const manifest = JSON.parse(fs.readFileSync(path.join(project, "package.json"), "utf8")) as {
      name: string;
      scripts: Record<string, string>;
    };
    expect(manifest.name).toBe("adopter");
    expect(Object.keys(manifest.scripts).sort()).toEqual(["check", "synth", "test"]);
    ok(run(project, "npx", "sluice", "synth"));
    expect(ok(run(project, "npx", "sluice", "synth", "--check"))).toMatch(/up to date/);
    expect(ok(run(project, "npx", "sluice", "check"))).toBe("0 errors, 0 warnings.\n");
    ok(run(project, "npm", "test", "--silent"));
    // A second init refuses, and changes nothing.
    const again = run(project, "npx", "sluice", "init");
    expect(again.status).toBe(2);
    expect(again.stderr).toContain("stacks/platform.ts exists");
  });

  it("sluice/sdk gives a program the DSL and the rule contract without loading the engine; sluice loads it", () => {
    // A resolve hook that refuses the engine (its pipeline stages) and its heavy
    // dependencies: importing the SDK must not ask for them, importing "sluice" (the API) does.
    const refuse = `export async function resolve(specifier, context, next) { if (["esbuild", "ts-morph"].includes(specifier)) throw new Error("loaded " + specifier); const resolved = await next(specifier, context); if (/\\/dist\\/src\\/pipeline\\//.test(resolved.url)) throw new Error("loaded the pipeline: " + resolved.url); return resolved; }`;
    const program = (entry: string) =>
      `import { register } from "node:module"; register("data:text/javascript,${encodeURIComponent(refuse)}"); const m = await import("${entry}"); console.log(Object.keys(m).sort().join(" "));`;
    const sdk = ok(run(project, "node", "--input-type=module", "-e", program("sluice/sdk")))
      .trim()
      .split(" ");
    expect(sdk).toEqual(expect.arrayContaining(["definePlatform", "defineRule", "podLabels", "secret", "toYaml"]));
    expect(sdk).not.toContain("synth");
    const full = run(project, "node", "--input-type=module", "-e", program("sluice"));
    expect(full.status).not.toBe(0);
    expect(full.stderr).toMatch(/loaded (esbuild|ts-morph|the pipeline: \S*\/dist\/src\/pipeline\/)/);
  });

  it("sluice/blueprints gives a team the built-in blueprints and their type, to wrap and register", () => {
    // One file for the blueprint, one line to register it (and its import), one to choose it.
    fs.mkdirSync(path.join(project, "stacks/blueprints"), { recursive: true });
    fs.writeFileSync(
      path.join(project, "stacks/blueprints/quiet.ts"),
      `import { service, type Blueprint } from "sluice/blueprints";

export const quiet: Blueprint = { ...service, name: "quiet", cacheKey: "1", render: (app) => service.render(app).filter((o) => o.kind !== "Service") };
`,
    );
    const platformFile = path.join(project, "stacks/platform.ts");
    const platform = fs.readFileSync(platformFile, "utf8");
    expect(platform).toContain("export const platform = definePlatform({\n");
    fs.writeFileSync(
      platformFile,
      `import { quiet } from "./blueprints/quiet.js";\n${platform.replace("export const platform = definePlatform({\n", "export const platform = definePlatform({\n  blueprints: { quiet },\n")}`,
    );
    const hello = path.join(project, "stacks/hello.ts");
    expect(fs.readFileSync(hello, "utf8")).toContain('  team: "web",\n');
    fs.writeFileSync(hello, fs.readFileSync(hello, "utf8").replace('  team: "web",\n', '  team: "web",\n  blueprint: "quiet",\n'));
    const manifestFile = path.join(project, "out/apps/hello/dev-1/manifest.yaml");
    expect(fs.readFileSync(manifestFile, "utf8")).toMatch(/^kind: Service$/m);
    ok(run(project, "npx", "sluice", "synth"));
    const manifest = fs.readFileSync(manifestFile, "utf8");
    expect(manifest).toMatch(/^kind: Deployment$/m);
    expect(manifest).not.toMatch(/^kind: Service$/m);
  });

  it("type-checks a stack that types its raw objects with satisfies NetworkPolicy, from kubernetes-types or sluice/k8s", () => {
    fs.writeFileSync(
      path.join(project, "stacks/hello.ts"),
      `import type { NetworkPolicy } from "kubernetes-types/networking/v1";
import type { Ingress } from "sluice/k8s";
import { platform } from "./platform.js";

export default platform.app("hello", {
  team: "web",
  image: "registry.example.com/hello",
  // prod's release stays in stacks/releases/prod/hello.ts, where init put it: prod's gate names approvers.
  release: { dev: "1.0.0" },
  ports: { http: 8080 },
  probes: { readiness: { http: "/ready" }, liveness: { http: "/healthz" } },
  objects: [
    { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "hello-egress" }, spec: { podSelector: {}, policyTypes: ["Egress"] } } satisfies NetworkPolicy,
    { apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: "hello" }, spec: { rules: [{ host: "hello.example.com" }] } } satisfies Ingress,
  ],
});
`,
    );
    expect(fs.readFileSync(path.join(project, "stacks/releases/prod/hello.ts"), "utf8")).toContain(
      'platform.release("hello", { prod: "1.0.0" })',
    );
    ok(run(project, "npx", "sluice", "synth"));
    expect(fs.readFileSync(path.join(project, "out/apps/hello/dev-1/manifest.yaml"), "utf8")).toContain("name: hello-egress");
    // …and a type error in such an object is reported at its line.
    fs.writeFileSync(
      path.join(project, "stacks/hello.ts"),
      fs
        .readFileSync(path.join(project, "stacks/hello.ts"), "utf8")
        .replace("spec: { podSelector: {}, policyTypes", 'spec: { podSelector: "all", policyTypes'),
    );
    const failed = run(project, "npx", "sluice", "synth");
    expect(failed.status).toBe(2);
    expect(failed.stderr).toMatch(/stacks\/hello\.ts:13:\d+: error/);
    expect(failed.stderr).toContain("do not compile");
  });
});
