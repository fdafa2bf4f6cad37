/**
 * `sluice init` through its API (the packed command is tested in
 * package.test.ts): the answers shape the platform, the scaffold passes
 * synth and every policy rule whatever the answers, and nothing is
 * overwritten.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkPolicy, synth } from "sluice";
import { askForAnswers, type InitFlags } from "../src/cli/init-command.js";
import { init } from "../src/init/init.js";
import { makeProject } from "./helpers/project.js";
import { rejection } from "./helpers/stack-edit.js";

describe("sluice init", () => {
  it("a Flux platform with three environments synthesizes and passes every rule", async () => {
    const p = makeProject();
    init(p.root, { environments: ["dev", "staging", "prod"], engine: "flux", team: "shop", owner: "@shop/platform" });
    const result = await synth({ root: p.root, skipTypecheck: true });
    // The service runs in every wave; the cron job beside it in the ungated ones, until it is promoted.
    expect(result.instances).toEqual([
      ...["dev-1", "prod-1", "staging-1"].map((cluster) => ({ app: "hello", cluster })),
      ...["dev-1", "staging-1"].map((cluster) => ({ app: "hello-nightly", cluster })),
    ]);
    expect(p.read("out/apps/hello-nightly/dev-1/manifest.yaml")).toMatch(/^kind: CronJob$/m);
    expect(p.read("out/clusters/prod-1/apps/hello.yaml")).toContain("kind: Kustomization");
    expect(p.read("out/clusters/prod-1/apps/hello.yaml")).toContain("serviceAccountName: flux-shop");
    expect(p.read("stacks/platform.ts")).toContain(
      '{ name: "prod", clusters: ["prod-1"], gate: { soak: "24h", approvers: ["@shop/platform"] } }',
    );
    expect((await checkPolicy({ root: p.root, skipTypecheck: true })).findings).toEqual([]);
  });

  it("adds its scripts to an existing package.json, keeping what is there, and says which it left alone", () => {
    const p = makeProject();
    p.write("package.json", JSON.stringify({ name: "ours", version: "2.0.0", scripts: { test: "vitest", lint: "eslint ." } }));
    const result = init(p.root, {});
    const manifest = JSON.parse(p.read("package.json")) as {
      name: string;
      version: string;
      scripts: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(manifest).toMatchObject({
      name: "ours",
      version: "2.0.0",
      scripts: { test: "vitest", lint: "eslint .", synth: "sluice synth", check: "sluice check" },
    });
    expect(manifest.devDependencies.sluice).toMatch(/^\^\d+\.\d+\.\d+/);
    expect(result.keptScripts).toEqual(["test"]);
  });

  it("replaces the failing test script npm init -y writes, so npm test passes right after init", () => {
    const p = makeProject();
    p.write(
      "package.json",
      JSON.stringify({ name: "fresh", version: "1.0.0", scripts: { test: 'echo "Error: no test specified" && exit 1' } }),
    );
    const result = init(p.root, {});
    expect((JSON.parse(p.read("package.json")) as { scripts: Record<string, string> }).scripts.test).toBe("sluice verify");
    expect(result.keptScripts).toEqual([]);
  });

  it("refuses to overwrite, writing nothing, unless forced", async () => {
    const p = makeProject({ "stacks/platform.ts": "// ours\n" });
    const manifest = fs.existsSync(path.join(p.root, "package.json")) ? p.read("package.json") : undefined;
    await rejection(Promise.resolve().then(() => init(p.root, {})));
    expect(p.read("stacks/platform.ts")).toBe("// ours\n");
    expect(fs.existsSync(path.join(p.root, "stacks/hello.ts"))).toBe(false);
    expect(fs.existsSync(path.join(p.root, "package.json")) ? p.read("package.json") : undefined).toBe(manifest);
    init(p.root, { force: true });
    expect(p.read("stacks/platform.ts")).toContain("definePlatform");
  });

  it("refuses answers that cannot be names", async () => {
    const p = makeProject();
    const [d] = await rejection(Promise.resolve().then(() => init(p.root, { environments: ["Dev"] })));
    expect(d!.message).toBe('environment "Dev" is not a DNS label');
  });

  it("on a terminal, asks for each answer not given as a flag; an empty answer keeps the default", async () => {
    const flags: InitFlags = {
      environments: "dev,prod",
      engine: "argocd",
      envRepo: "https://git.example.com/platform/env-repo.git",
      owner: "@acme/platform",
      team: "web",
      synth: true,
    };
    const asked: string[] = [];
    const replies: Record<string, string> = {
      "Environments, in rollout order (comma-separated)": "dev,staging,prod",
      "GitOps engine (argocd or flux)": "flux",
      "Env repo git URL": "",
    };
    const answers = await askForAnswers(flags, new Set(["team"]), async (question, fallback) => {
      asked.push(`${question} [${fallback}]`);
      return replies[question] ?? "";
    });
    expect(asked).toEqual([
      "Environments, in rollout order (comma-separated) [dev,prod]",
      "GitOps engine (argocd or flux) [argocd]",
      "Env repo git URL [https://git.example.com/platform/env-repo.git]",
      "Platform team (CODEOWNERS owner) [@acme/platform]",
    ]);
    expect(answers).toMatchObject({
      environments: "dev,staging,prod",
      engine: "flux",
      envRepo: "https://git.example.com/platform/env-repo.git",
      owner: "@acme/platform",
      team: "web",
    });
  });
});
