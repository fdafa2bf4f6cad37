/**
 * `sluice diff` against real git repositories: what each wave and cluster
 * would get, object by object, compared with the env repo as committed.
 */
import fs from "node:fs";
import path from "node:path";
import { simpleGit } from "simple-git";
import { beforeAll, describe, expect, it } from "vitest";
import { diff, synth, type DiffResult } from "sluice";
import { formatDiffMarkdown } from "../src/diff/format-markdown.js";
import { formatDiffText } from "../src/diff/format-text.js";
import { runCli } from "./helpers/cli.js";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { commitOnMain } from "./helpers/git-repo.js";
import { copyProject, makeProject, REPO, type Project } from "./helpers/project.js";
import { removeApp } from "./helpers/releases.js";
import { edit, lineOf, withoutCanary } from "./helpers/stack-edit.js";

/** GIVEN the example project, synthesized and committed on main in a fresh git repository. */
function committed(from?: Project): Promise<Project> {
  return commitOnMain(from ? copyProject(from) : synthesizedExample());
}

let base: Project;
beforeAll(async () => {
  base = await committed();
});

const fresh = () => committed(base);
const changesOf = (result: DiffResult) =>
  result.clusters.flatMap((c) => c.objects.map((o) => `${o.change} ${o.cluster} ${o.kind} ${o.name}`));
const sluice = (p: Project, ...args: string[]) => runCli(["diff", ...args], { cwd: p.root, env: { NO_COLOR: "1" } });

describe("sluice diff", () => {
  it("shows exactly the changed objects of a release bump, with the release on its cluster", async () => {
    const p = await fresh();
    edit(p, "stacks/releases/prod/payments.ts", 'prod: "1.6.3"', 'prod: "1.6.4"');
    const result = await diff({ root: p.root, skipTypecheck: true });
    // The prod wave: prod-ap-1 (Flux), prod-us-1 (Argo CD) and its spokes get the same change.
    expect(changesOf(result)).toEqual(
      ["prod-ap-1", "prod-us-1", "prod-us-central-1", "prod-us-west-1"].map((c) => `changed ${c} Deployment payments`),
    );
    const [change] = result.clusters[0]!.objects;
    expect(change!.fields.map((f) => f.path)).toEqual([
      'spec.template.metadata.labels["app.kubernetes.io/version"]',
      "spec.template.spec.containers[payments].image",
    ]);
    // The stack line that caused it: the release of the cluster's wave.
    expect(change!.origin).toMatchObject({
      file: "stacks/releases/prod/payments.ts",
      line: lineOf(p.read("stacks/releases/prod/payments.ts"), 'prod: "1.6.4"'),
    });
    expect(result.attention).toEqual(
      ["prod-ap-1", "prod-us-1", "prod-us-central-1", "prod-us-west-1"].map((cluster) => ({
        kind: "release",
        cluster,
        production: true,
        message: `payments 1.6.3 → 1.6.4 on ${cluster}`,
      })),
    );
    // People read one line for the same change on several clusters (JSON keeps one note per cluster).
    expect(formatDiffText(result, false)).toContain(
      "release   payments 1.6.3 → 1.6.4 on prod-ap-1, prod-us-1, prod-us-central-1, prod-us-west-1\n",
    );
    expect(formatDiffMarkdown(result)).toContain(
      "- **production** release: payments 1.6.3 → 1.6.4 on prod-ap-1, prod-us-1, prod-us-central-1, prod-us-west-1\n",
    );
    // Nothing was written, and git's index and worktree are as they were.
    expect(fs.readFileSync(path.join(p.root, "out/apps/payments/prod-us-1/manifest.yaml"), "utf8")).toContain("payments/api:1.6.3");
    expect((await simpleGit(p.root).status()).files.map((f) => f.path)).toEqual(["stacks/releases/prod/payments.ts"]);
  });

  it("flags what an environment declares as production, whatever its name", async () => {
    const p = await fresh();
    // checkout-web's canary would apply in staging too, which runs no progressive delivery controller.
    withoutCanary(p);
    edit(
      p,
      "stacks/platform.ts",
      '      sync: { automated: true, prune: true, selfHeal: true },\n      exposure: { ingress: { className: "nginx", namespace: "ingress-nginx", tlsIssuer: "letsencrypt" } },\n    },\n    prod:',
      '      sync: { automated: true, prune: true, selfHeal: true },\n      exposure: { ingress: { className: "nginx", namespace: "ingress-nginx", tlsIssuer: "letsencrypt" } },\n      production: true,\n    },\n    prod:',
    );
    await synth({ root: p.root, skipTypecheck: true });
    await simpleGit(p.root).add(".").commit("staging serves production traffic");
    edit(p, "stacks/payments.ts", 'staging: "1.6.3"', 'staging: "1.6.4"');
    const result = await diff({ root: p.root, skipTypecheck: true });
    expect(result.clusters.map((c) => [c.name, c.production])).toEqual([["staging-1", true]]);
    expect(result.attention).toEqual([
      { kind: "release", cluster: "staging-1", production: true, message: "payments 1.6.3 → 1.6.4 on staging-1" },
    ]);
  });

  it("matches objects by identity: a moved object is not a delete plus an add", async () => {
    const p = await committed(base);
    // The base lays the ConfigMap out in a file of its own.
    const file = "out/apps/payments/dev-1/manifest.yaml";
    const documents = p.read(file).split("---\n");
    const index = documents.findIndex((d) => d.includes("kind: ConfigMap"));
    p.write("out/apps/payments/dev-1/configmap.yaml", documents[index]!);
    p.write(file, documents.filter((_, i) => i !== index).join("---\n"));
    // …and owns it, as the sluice that wrote that layout would have.
    const lock = JSON.parse(p.read("out/.sluice/lock.json")) as { files: Record<string, unknown> };
    lock.files["apps/payments/dev-1/configmap.yaml"] = { sources: ["stacks/payments.ts"] };
    p.write("out/.sluice/lock.json", JSON.stringify(lock));
    await simpleGit(p.root).add(".").commit("another layout");
    const result = await diff({ root: p.root, skipTypecheck: true });
    expect(changesOf(result)).toEqual([]);
    expect(result.files.map((f) => f.file)).toEqual([".sluice/lock.json"]);
    expect([...result.relaid].sort()).toEqual(["apps/payments/dev-1/configmap.yaml", "apps/payments/dev-1/manifest.yaml"]);
  });

  it("flags the production deletions of a deleted app, with counts", async () => {
    const p = await fresh();
    removeApp(p, "search");
    const result = await diff({ root: p.root, skipTypecheck: true });
    const prodUs = result.clusters.find((c) => c.name === "prod-us-1")!;
    expect(prodUs.production).toBe(true);
    expect(prodUs.removed).toBeGreaterThan(0);
    expect(result.attention.filter((n) => n.cluster === "prod-us-1" && n.production).map((n) => n.message)).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^${prodUs.removed} objects leave the env repo on prod-us-1, where prune is off: .*1 Deployment.* will keep running, orphaned`,
        ),
      ),
    );
    const dev = result.attention.find((n) => n.cluster === "dev-1" && n.kind === "deletions")!;
    expect(dev.message).toMatch(/^deletes \d+ objects on dev-1: .*1 Application.*1 Deployment/);
    expect(dev.production).toBe(false);
    // The terminal's text puts production first too, in what needs attention and in the changes.
    const text = formatDiffText(result, false);
    const notes = text
      .slice(text.indexOf("Needs attention:"))
      .split("\n")
      .slice(1)
      .filter((line) => line.startsWith("  !"));
    const firstOther = notes.findIndex((line) => !/prod-(eu|us|ap)-1/.test(line));
    expect(notes.slice(firstOther).some((line) => /prod-(eu|us|ap)-1/.test(line))).toBe(false);
    const sections = text.split("\n").filter((line) => /^\S+ {2}\(wave /.test(line));
    expect(sections[0]).toContain(", production");
    expect(sections.at(-1)).not.toContain(", production");
  });

  it("calls out an object removed where prune is off as orphaned", async () => {
    const p = await fresh();
    // GIVEN search, on every cluster, with an extra ConfigMap, committed
    const extra = '  objects: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "search-extra" }, data: { a: "b" } }],\n';
    edit(p, "stacks/search.ts", "  autoscaling:", `${extra}  autoscaling:`);
    await synth({ root: p.root, skipTypecheck: true });
    await simpleGit(p.root).add(".").commit("search gets an extra ConfigMap");
    // WHEN it is taken out again
    edit(p, "stacks/search.ts", extra, "");
    const result = await diff({ root: p.root, skipTypecheck: true });
    // THEN dev and staging (prune on) delete it; production (prune off) keeps it running, orphaned
    expect(changesOf(result).sort()).toEqual(
      ["dev-1", "prod-ap-1", "prod-eu-1", "prod-us-1", "prod-us-central-1", "prod-us-west-1", "staging-1"].map(
        (c) => `removed ${c} ConfigMap search-extra`,
      ),
    );
    expect(result.attention.filter((n) => n.kind === "deletions").map((n) => n.cluster)).toEqual(["dev-1", "staging-1"]);
    const orphaned = result.attention.filter((n) => n.kind === "orphaned");
    expect(orphaned.map((n) => n.cluster)).toEqual(["prod-ap-1", "prod-eu-1", "prod-us-1", "prod-us-central-1", "prod-us-west-1"]);
    expect(orphaned[0]!.message).toBe(
      "1 object leaves the env repo on prod-ap-1, where prune is off: 1 ConfigMap will keep running, orphaned, until someone deletes it",
    );
  });

  it("compares with a separate clone of the env repo (--env-repo)", async () => {
    const p = await fresh();
    const envRepo = path.join(makeProject().root, "env-repo");
    fs.cpSync(path.join(p.root, "out"), envRepo, { recursive: true });
    // The env repo also holds files that are not sluice's: they are not sluice's to delete, nor to list.
    fs.mkdirSync(path.join(envRepo, ".github"));
    fs.writeFileSync(path.join(envRepo, ".github", "CODEOWNERS"), "* @acme/platform\n");
    fs.writeFileSync(path.join(envRepo, "LICENSE"), "Apache-2.0\n");
    const git = simpleGit(envRepo);
    await git.init(["--initial-branch=main"]);
    await git.addConfig("user.email", "ci@example.com").addConfig("user.name", "CI");
    await git.add(".").commit("env repo");
    edit(p, "stacks/search.ts", "max: 20", "max: 30");
    const result = await diff({ root: p.root, skipTypecheck: true, envRepo });
    expect(changesOf(result)).toEqual(
      ["prod-eu-1", "prod-ap-1", "prod-us-1", "prod-us-central-1", "prod-us-west-1"].map(
        (c) => `changed ${c} HorizontalPodAutoscaler search`,
      ),
    );
    expect(result.attention.map((n) => n.message)).toContain(
      "HorizontalPodAutoscaler storefront/search: spec.maxReplicas 20 → 30 on prod-eu-1",
    );
    expect(result.files).toEqual([]);
    fs.rmSync(envRepo, { recursive: true, force: true });
  });
});

describe("the sluice diff command", () => {
  it("exits 0 with a clear line when nothing changes, and 1 with --exit-code when something does", async () => {
    const p = await fresh();
    const same = await sluice(p, "--skip-typecheck");
    expect(same.status, same.stderr).toBe(0);
    expect(same.stdout).toMatch(/^No changes: the stacks compile to what HEAD \([0-9a-f]{7}\) holds\.\n$/);
    expect((await sluice(p, "--skip-typecheck", "--exit-code")).status).toBe(0);
    edit(p, "stacks/releases/prod/payments.ts", 'prod: "1.6.3"', 'prod: "1.6.4"');
    const changed = await sluice(p, "--skip-typecheck", "--exit-code");
    expect(changed.status).toBe(1);
    expect(changed.stdout).toContain("payments 1.6.3 → 1.6.4 on prod-ap-1, prod-us-1");
    expect((await sluice(p, "--skip-typecheck")).status).toBe(0);
  });

  it("exits 2 on an unknown ref, a ref without the env repo, and stacks that do not compile", async () => {
    const p = await fresh();
    const unknown = await sluice(p, "--skip-typecheck", "--base", "no-such-branch");
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown git ref "no-such-branch"/);
    const git = simpleGit(p.root);
    await git.checkout(["--orphan", "empty"]);
    await git.rm(["-r", "--cached", "-q", "."]);
    await git.add("stacks").commit("stacks only");
    const none = await sluice(p, "--skip-typecheck", "--base", "empty");
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/no env repo at empty/i);
    p.write("stacks/broken.ts", 'import { platform } from "./platform.js";\nplatform.app("broken", { team: "nobody" });\n');
    const broken = await sluice(p);
    expect(broken.status).toBe(2);
    expect(broken.stderr).toMatch(/stacks\/broken\.ts:\d+:\d+/);
  });

  it("prints JSON for machines", async () => {
    const p = await fresh();
    edit(p, "stacks/releases/prod/payments.ts", 'prod: "1.6.3"', 'prod: "1.6.4"');
    const run = await sluice(p, "--skip-typecheck", "--format", "json");
    const json = JSON.parse(run.stdout);
    expect(json.same).toBe(false);
    expect(json.clusters[0].objects[0]).toMatchObject({
      change: "changed",
      kind: "Deployment",
      origin: { file: "stacks/releases/prod/payments.ts" },
    });
    expect(json.clusters[0].objects[0].before).toBeUndefined();
  });
});

describe("the markdown comment", () => {
  it("matches the golden file for the example after a one-app release bump", async () => {
    const p = await fresh();
    edit(p, "stacks/releases/prod-canary/payments.ts", '"prod-canary": "1.6.3"', '"prod-canary": "1.6.4"');
    const result = await diff({ root: p.root, skipTypecheck: true });
    const markdown = formatDiffMarkdown({ ...result, base: { ...result.base, commit: "0".repeat(40) } });
    const golden = path.join(REPO, "test/golden/diff-release-bump.md");
    if (process.env.UPDATE_GOLDEN) fs.writeFileSync(golden, markdown);
    expect(markdown).toBe(fs.readFileSync(golden, "utf8"));
    expect(markdown.split("\n").length).toBeLessThan(60);
    // The README shows this very comment.
    expect(fs.readFileSync(path.join(REPO, "README.md"), "utf8")).toContain(markdown);
  });

  it("stays under GitHub's comment limit for a fleet-wide change, and says what it left out", async () => {
    const p = await fresh();
    // Every app on every cluster changes: the platform's LOG_LEVEL reaches every ConfigMap and Deployment.
    edit(p, "stacks/platform.ts", 'env: { LOG_LEVEL: "debug" },', 'env: { LOG_LEVEL: "trace" },');
    edit(p, "stacks/platform.ts", 'env: { LOG_LEVEL: "info" },', 'env: { LOG_LEVEL: "notice" },');
    edit(p, "stacks/platform.ts", 'env: { LOG_LEVEL: "warn" },', 'env: { LOG_LEVEL: "error" },');
    const result = await diff({ root: p.root, skipTypecheck: true });
    const full = formatDiffMarkdown(result, Number.MAX_SAFE_INTEGER);
    const limit = Math.floor(full.length / 3);
    const cut = formatDiffMarkdown(result, limit);
    expect(cut.length).toBeLessThanOrEqual(limit);
    expect(cut).toMatch(/Cut to fit one comment: .*Run `npx sluice diff --base HEAD` to see all of it/);
    // The summary and what needs attention are never cut.
    for (const cluster of result.clusters) expect(cut).toContain(`| \`${cluster.name}\` |`);
    expect(formatDiffMarkdown(result)).not.toContain("Cut to fit");
  });
});

describe("sluice diff, for the kinds beyond services", () => {
  it("calls out a cron job's new schedule and suspension, and fields an existing StatefulSet or Job cannot change", async () => {
    const p = await fresh();
    edit(p, "stacks/price-report.ts", '  schedule: "30 2 * * *",', '  schedule: "0 4 * * *",');
    edit(p, "stacks/price-report.ts", "dev: { suspend: true }", "dev: { suspend: false }");
    edit(p, "stacks/search-index.ts", 'size: "10Gi"', 'size: "20Gi"');
    edit(p, "stacks/payments-migrate.ts", '  args: ["up"],', '  args: ["up", "--verbose"],');
    const result = await diff({ root: p.root, skipTypecheck: true });
    const notes = (kind: string) => result.attention.filter((n) => n.kind === kind).map((n) => n.message);
    expect(notes("schedule")).toEqual(
      expect.arrayContaining([
        "CronJob storefront-jobs/price-report: spec.schedule 30 2 * * * → 0 4 * * * on dev-1",
        "CronJob storefront-jobs/price-report: spec.suspend true → false on dev-1",
        "CronJob storefront-jobs/price-report: spec.schedule 30 2 * * * → 0 4 * * * on staging-1",
      ]),
    );
    const immutable = notes("immutable");
    expect(immutable).toContainEqual(
      expect.stringMatching(/^StatefulSet storefront\/search-index: spec\.volumeClaimTemplates cannot change .* on staging-1/),
    );
    expect(immutable).toContainEqual(
      expect.stringMatching(/^Job payments\/payments-migrate-1-7-0: spec\.template cannot change .* on dev-1/),
    );
    // A new release of a job is a new Job, nothing to refuse.
    const q = await fresh();
    edit(q, "stacks/payments-migrate.ts", 'dev: "1.7.0"', 'dev: "1.7.1"');
    expect((await diff({ root: q.root, skipTypecheck: true })).attention.filter((n) => n.kind === "immutable")).toEqual([]);
  });

  it("calls out a data volume that is re-pointed or removed", async () => {
    const p = await fresh();
    edit(p, "stacks/search-index.ts", 'scratch: { emptyDir: { sizeLimit: "2Gi" },', 'scratch: { claim: "index-scratch",');
    const notes = async (q: Project) =>
      (await diff({ root: q.root, skipTypecheck: true })).attention.filter((n) => n.kind === "volumes").map((n) => n.message);
    expect(await notes(p)).toContain(
      "StatefulSet storefront/search-index: volume scratch re-pointed: an emptyDir → claim index-scratch on staging-1",
    );
    const q = await fresh();
    edit(q, "stacks/search-index.ts", '  volumes: { scratch: { emptyDir: { sizeLimit: "2Gi" }, mountPath: "/var/cache/index" } },\n', "");
    expect(await notes(q)).toContain("StatefulSet storefront/search-index: volume scratch (an emptyDir) removed on dev-1");
  });
});
