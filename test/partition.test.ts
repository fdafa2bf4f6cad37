import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { copyProject, type Project } from "./helpers/project.js";
import { withGitIdentity } from "./helpers/git-identity.js";

withGitIdentity();

/**
 * Partitioned runs (`--clusters`, `--partition i/n`): each renders, writes and
 * checks only its clusters' files and the env repo's own, and the partitions
 * together make exactly what one whole synth makes.
 */

const CLUSTERS = ["dev-1", "prod-ap-1", "prod-eu-1", "prod-us-1", "prod-us-central-1", "prod-us-west-1", "staging-1"];

const sluice = (p: Project, ...args: string[]) => runCli([...args, "--root", p.root]);

/** The example with a change that touches every cluster's files and the lock: an app added, one removed, a release bumped. */
function changedExample(): Project {
  const p = synthesizedExample();
  p.write(
    "stacks/catalog-two.ts",
    p
      .read("stacks/catalog-api.ts")
      .replace('"catalog-api"', '"catalog-two"')
      .replace(/\n\s*\/\/ Previews[^\n]*\n\s*preview: \{ replicas: 1 \},/, "")
      .replace('release: { dev: "2.4.1", staging: "2.4.1" }', 'release: { dev: "1.0.0", staging: "1.0.0" }'),
  );
  p.write(
    "stacks/search.ts",
    p.read("stacks/search.ts").replace(/"(\d+)\.(\d+)\.(\d+)"/, (_, a, b, c) => `"${a}.${b}.${Number(c) + 1}"`),
  );
  return p;
}

/** Files whose path puts them on one of these clusters. */
function onClusters(tree: Record<string, string>, clusters: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    Object.entries(tree).filter(([file]) => {
      const parts = file.split("/");
      const cluster =
        parts[0] === "clusters" ? parts[1] : ["apps", "components", "previews"].includes(parts[0]!) ? parts.at(-2) : undefined;
      return cluster !== undefined && clusters.includes(cluster);
    }),
  );
}

describe("partitioned synth", () => {
  it("writes only its clusters' files and the env repo's own; the partitions together make the whole synth, byte for byte", async () => {
    const whole = changedExample();
    const parts = copyProject(whole);
    expect((await sluice(whole, "synth")).status).toBe(0);
    const before = parts.tree();

    const first = await sluice(parts, "synth", "--partition", "1/3", "--format", "json");
    expect(first.status, first.stderr).toBe(0);
    const { clusters } = JSON.parse(first.stdout) as { clusters: string[] };
    expect(clusters.length).toBeGreaterThan(0);
    const others = CLUSTERS.filter((c) => !clusters.includes(c));
    // Another partition's files are exactly as they were.
    expect(onClusters(parts.tree(), others)).toEqual(onClusters(before, others));
    // Its own are the whole synth's, and so are the env repo's README and CODEOWNERS.
    expect(onClusters(parts.tree(), clusters)).toEqual(onClusters(whole.tree(), clusters));
    expect(parts.read("out/README.md")).toBe(whole.read("out/README.md"));
    // The whole env repo is not yet what the stacks make: the other partitions' files are stale.
    expect((await sluice(parts, "synth", "--check")).status).toBe(1);
    // But the first partition's check passes, whatever the others hold.
    expect((await sluice(parts, "synth", "--check", "--partition", "1/3")).status).toBe(0);
    expect((await sluice(parts, "synth", "--check", "--partition", "2/3")).status).toBe(1);

    for (const group of ["2/3", "3/3"]) expect((await sluice(parts, "synth", "--partition", group)).status).toBe(0);
    expect(parts.tree()).toEqual(whole.tree());
    expect((await sluice(parts, "synth", "--check")).status).toBe(0);
  });

  it("deletes a removed app's files on its clusters only, keeping the others' lines in the lock until their partition runs", async () => {
    const p = changedExample();
    expect((await sluice(p, "synth")).status).toBe(0);
    p.remove("stacks/catalog-two.ts");
    const run = await sluice(p, "synth", "--clusters", "dev-1", "--format", "json");
    expect(run.status, run.stderr).toBe(0);
    const { deleted } = JSON.parse(run.stdout) as { deleted: string[] };
    expect(deleted).toContain("apps/catalog-two/dev-1/manifest.yaml");
    expect(deleted.every((file) => !file.includes("staging-1"))).toBe(true);
    expect(p.exists("out/apps/catalog-two/staging-1/manifest.yaml")).toBe(true);
    const lock = JSON.parse(p.read("out/.sluice/lock.json")) as { files: Record<string, unknown> };
    expect(Object.hasOwn(lock.files, "apps/catalog-two/staging-1/manifest.yaml")).toBe(true);
    expect(Object.hasOwn(lock.files, "apps/catalog-two/dev-1/manifest.yaml")).toBe(false);

    const check = await sluice(p, "synth", "--check", "--format", "json");
    expect(check.status).toBe(1);
    expect((JSON.parse(check.stdout) as { extra: string[] }).extra).toContain("apps/catalog-two/staging-1/manifest.yaml");
    expect((await sluice(p, "synth", "--clusters", "staging-1")).status).toBe(0);
    expect(p.exists("out/apps/catalog-two")).toBe(false);
    expect((await sluice(p, "synth", "--check")).status).toBe(0);
  });

  it("reads no other partition's directory: a stray file there stops a whole synth, not a partition's", async () => {
    const p = synthesizedExample();
    p.write("out/clusters/staging-1/apps/stray.yaml", "kind: ConfigMap\n");
    fs.symlinkSync("/etc", path.join(p.root, "out/apps/catalog-api/staging-1/link"));
    const tree = p.tree();
    const whole = await sluice(p, "synth");
    expect(whole.status).toBe(2);
    expect(whole.stderr).toContain("out/clusters/staging-1/apps/stray.yaml is not in out/.sluice/lock.json");
    expect(p.tree()).toEqual(tree);

    expect((await sluice(p, "synth", "--clusters", "dev-1,prod-eu-1")).status).toBe(0);
    expect((await sluice(p, "synth", "--check", "--clusters", "dev-1", "--clusters", "prod-eu-1")).status).toBe(0);
    const staging = await sluice(p, "synth", "--check", "--clusters", "staging-1");
    expect(staging.status).toBe(1);
    expect(staging.stdout).toContain("extra    out/apps/catalog-api/staging-1/link");
    expect(staging.stdout).toContain("extra    out/clusters/staging-1/apps/stray.yaml");
  });

  it("keeps what the stat cache knows of other partitions' files: a partition's run does not forget them", async () => {
    const p = synthesizedExample();
    expect((await sluice(p, "synth", "--check")).status).toBe(0);
    const cacheDir = path.join(p.root, "node_modules/.cache/sluice");
    const known = () => {
      const file = fs.readdirSync(cacheDir).find((name) => name.endsWith(".stat.json"))!;
      const text = fs.readFileSync(path.join(cacheDir, file), "utf8");
      return ["apps/catalog-api/staging-1/manifest.yaml", "apps/catalog-api/dev-1/manifest.yaml"].map((f) =>
        text.includes(JSON.stringify(f)),
      );
    };
    expect(known()).toEqual([true, true]);
    expect((await sluice(p, "synth", "--check", "--clusters", "dev-1")).status).toBe(0);
    expect(known()).toEqual([true, true]);
  });

  it("splits the fleet into groups that cover every cluster once, a hub with its spokes", async () => {
    const p = synthesizedExample();
    for (const count of [1, 2, 3, 8]) {
      const groups: string[][] = [];
      for (let index = 1; index <= count; index++) {
        const run = await sluice(p, "synth", "--check", "--partition", `${index}/${count}`, "--format", "json");
        expect(run.status, run.stderr).toBe(0);
        groups.push((JSON.parse(run.stdout) as { clusters: string[] }).clusters);
      }
      expect(groups.flat().sort()).toEqual(CLUSTERS);
      const hub = groups.find((group) => group.includes("prod-us-1"))!;
      expect(hub).toEqual(expect.arrayContaining(["prod-us-central-1", "prod-us-west-1"]));
      // More groups than units: the rest are empty, and check the env repo's own files alone.
      if (count === 8) expect(groups.filter((group) => group.length === 0).length).toBeGreaterThan(0);
    }
  });

  it("judges fleet-wide rules on the whole fleet: a host clash on another partition's cluster still fails", async () => {
    const p = synthesizedExample();
    p.write(
      "stacks/catalog-api.ts",
      p
        .read("stacks/catalog-api.ts")
        .replace(
          'staging: { env: { ENV_NAME: "staging" } },',
          'staging: { env: { ENV_NAME: "staging" }, expose: { host: "shop.staging.example.com" } },',
        ),
    );
    const run = await sluice(p, "check", "--clusters", "dev-1", "--format", "json");
    expect(run.status).toBe(1);
    expect(run.stdout).toContain("unique-hosts");
    expect(run.stdout).toContain("staging-1");
  });

  it("shows a partition's objects in diff and verify, and nothing of the other clusters", async () => {
    const p = changedExample();
    const { simpleGit } = await import("simple-git");
    const git = simpleGit(p.root);
    await git.init(["--initial-branch=main"]);
    await git.add(["-A"]);
    await git.commit("main");
    expect((await sluice(p, "synth")).status).toBe(0);
    const diff = await sluice(p, "diff", "--clusters", "staging-1", "--format", "json");
    expect(diff.status, diff.stderr).toBe(0);
    const shown = JSON.parse(diff.stdout) as { clusters: { name: string }[]; files: { file: string; patch: string }[] };
    expect(shown.clusters.map((c) => c.name)).toEqual(["staging-1"]);
    // The lock's lines of this partition's files, none of another's (catalog-two is new on dev-1 and staging-1).
    const lock = shown.files.find((f) => f.file === ".sluice/lock.json")!;
    expect(lock.patch).toContain('+    "apps/catalog-two/staging-1/manifest.yaml"');
    expect(lock.patch).not.toContain("dev-1");
    // A partition none of whose files changed shows no lock change at all.
    const untouched = await sluice(p, "diff", "--clusters", "prod-ap-1", "--format", "json");
    expect((JSON.parse(untouched.stdout) as { files: { file: string }[] }).files.map((f) => f.file)).not.toContain(".sluice/lock.json");
    const verify = await sluice(p, "verify", "--base", "main", "--clusters", "dev-1", "--format", "json");
    expect([0, 1]).toContain(verify.status);
    const result = JSON.parse(verify.stdout) as { synth: { ok: boolean }; diff: { clusters: { name: string }[] } };
    expect(result.synth.ok).toBe(true);
    expect(result.diff.clusters.map((c) => c.name)).toEqual(["dev-1"]);

    // As a CI matrix job writes it: the comment names its partition, with a marker of its own.
    const job = await sluice(p, "verify", "--base", "main", "--partition", "1/1", "--diff-file", "diff.md");
    expect([0, 1]).toContain(job.status);
    const comment = p.read("diff.md");
    expect(comment.split("\n")[0]).toBe("<!-- sluice-diff 1/1 -->");
    expect(comment).toContain("### sluice diff, partition 1/1 (`dev-1`, `prod-ap-1`");
    const text = await sluice(p, "diff", "--clusters", "staging-1");
    expect(text.stdout.split("\n")[0]).toMatch(/^sluice diff against HEAD \(\w+\): .* on 1 cluster \(clusters staging-1\)$/);
  });

  it("refuses clusters the platform does not declare and groups that do not exist, changing nothing", async () => {
    const p = synthesizedExample();
    const tree = p.tree();
    const unknown = await sluice(p, "synth", "--clusters", "dev-2");
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('there is no cluster "dev-2" in stacks/platform.ts');
    expect(unknown.stderr).toContain("did you mean dev-1?");
    const range = await sluice(p, "synth", "--partition", "4/3");
    expect(range.status).toBe(2);
    expect(range.stderr).toContain("a partition is i/n with 1 ≤ i ≤ n");
    expect((await sluice(p, "synth", "--partition", "two")).status).toBe(2);
    expect((await sluice(p, "synth", "--partition", "1/2", "--clusters", "dev-1")).status).toBe(2);
    expect(p.tree()).toEqual(tree);
  });
});
