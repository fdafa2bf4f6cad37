import { COMMENT_MARKER } from "../diff/format-markdown.js";
import { APPLY_SCRIPT, setupScript } from "./conformance.js";
import { githubPreviewJob, gitlabPreviewJob, type PreviewJob } from "./previews.js";

/**
 * CI pipelines for a repository that holds stacks and their env repo, as
 * `sluice ci github` and `sluice ci gitlab` print them. On a pull request:
 * install, run the policy rules (`sluice check`, annotating the stack lines
 * on GitHub), type-check and verify the committed env repo (`synth --check`),
 * hold release changes to the waves' gates (`sluice gates`), then post
 * `sluice diff` against the target branch as one comment that is
 * updated on every push. On the default branch: `synth --check` again, the
 * place for the publish and promotion steps that come later.
 *
 * Stacks are code: a fork's pull request runs them, so these pipelines give
 * that run no secrets and no write access but the comment, and skip the
 * comment for forks on GitHub (their token is read-only).
 */
export const CI_TARGETS = ["github", "gitlab"] as const;
export type CiTarget = (typeof CI_TARGETS)[number];

export interface CiOptions {
  /** Add the job that applies the env repo to a kind cluster with `--dry-run=server` (see conformance.ts). */
  readonly conformance?: boolean;
  /** Add the job that posts a labelled pull request's preview URLs (see previews.ts). */
  readonly previews?: PreviewJob;
}

export function ciTemplate(target: CiTarget, options: CiOptions = {}): string {
  if (target === "github") {
    const base = options.previews ? withLabelEvents(GITHUB) : GITHUB;
    return `${base}${options.conformance ? GITHUB_CONFORMANCE : ""}${options.previews ? githubPreviewJob(options.previews) : ""}`;
  }
  return `${GITLAB}${options.conformance ? GITLAB_CONFORMANCE : ""}${options.previews ? gitlabPreviewJob(options.previews) : ""}`;
}

/**
 * The workflow with previews: a pull request's run on its label too, in a
 * concurrency group of its own (so it does not cancel the checks of the
 * last push), where the checks do not run again.
 */
function withLabelEvents(workflow: string): string {
  return (
    workflow
      .replace("on:\n  pull_request:\n", "on:\n  pull_request:\n    types: [opened, synchronize, reopened, labeled]\n")
      // Every hour, at a minute of its own: the sweep of previews past their lifetime or the cap.
      .replace("  push:\n    branches: [main]\n", '  push:\n    branches: [main]\n  schedule:\n    - cron: "17 * * * *"\n')
      .replace(
        "  group: sluice-${{ github.ref }}\n",
        "  group: sluice-${{ github.ref }}-${{ github.event.action == 'labeled' && 'label' || 'checks' }}\n",
      )
      .replace(
        "  sluice:\n    runs-on: ubuntu-latest\n",
        "  sluice:\n    if: github.event.action != 'labeled' && github.event_name != 'schedule'\n    runs-on: ubuntu-latest\n",
      )
  );
}

const indent = (text: string, spaces: number) =>
  text
    .split("\n")
    .map((line) => (line ? `${" ".repeat(spaces)}${line}` : line))
    .join("\n");

/** After the sluice job: a kind cluster on the runner's Docker; each env-repo cluster applied with --dry-run=server. */
const GITHUB_CONFORMANCE = `
  # sluice ci github --conformance: what only a real API server can say. A kind
  # cluster (Kubernetes 1.34) on the runner's Docker, the CRDs of Argo CD, Flux,
  # External Secrets, Sealed Secrets and Kyverno at pinned releases, then every
  # cluster's directory, components and app paths applied with --dry-run=server,
  # under the cluster's own ValidatingAdmissionPolicies. Takes about five minutes.
  conformance:
    needs: sluice
    runs-on: ubuntu-latest
    timeout-minutes: 30
    permissions:
      contents: read
    env:
      # More CRDs (URLs or files) for the kinds of the platform's customResources.
      EXTRA_CRDS: ""
    steps:
      - uses: actions/checkout@v4
      - name: A kind cluster, and the CRDs of the kinds sluice emits
        run: |
${indent(setupScript(""), 10)}
      - name: Every cluster, its components and its apps, applied with --dry-run=server
        run: |
${indent(APPLY_SCRIPT, 10)}
`;

/**
 * GitLab runs the job in a container: kind needs Docker-in-Docker (a
 * privileged runner), and reaches the cluster's API server on the dind
 * service's host, "docker", which the API server's certificate must name.
 */
const GITLAB_KIND_CONFIG = [
  "kind: Cluster",
  "apiVersion: kind.x-k8s.io/v1alpha4",
  "networking:",
  '  apiServerAddress: "0.0.0.0"',
  "  apiServerPort: 6443",
  "kubeadmConfigPatches:",
  "  - |",
  "    kind: ClusterConfiguration",
  "    apiServer:",
  '      certSANs: ["docker"]',
].join("\n");

/** kind points its kubeconfig at the address it listens on; the job reaches it through the dind service. */
const GITLAB_KUBECONFIG = 'sed -i "s#https://0.0.0.0:6443#https://docker:6443#" "$HOME/.kube/config"';

const GITLAB_CONFORMANCE = `
# sluice ci gitlab --conformance: a kind cluster (Kubernetes 1.34) in Docker-in-Docker
# (needs a runner that allows privileged containers), the CRDs of Argo CD, Flux,
# External Secrets, Sealed Secrets and Kyverno at pinned releases, then every
# cluster's directory, components and app paths applied with --dry-run=server, under
# the cluster's own ValidatingAdmissionPolicies. Takes about five minutes.
sluice-conformance:
  needs: [sluice]
  image: docker:27
  services: [docker:27-dind]
  variables:
    DOCKER_HOST: tcp://docker:2375
    DOCKER_TLS_CERTDIR: ""
    # More CRDs (URLs or files) for the kinds of the platform's customResources.
    EXTRA_CRDS: ""
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
  script:
    - apk add --no-cache bash curl
    - |
      bash -c '
${indent(setupScript(GITLAB_KIND_CONFIG, GITLAB_KUBECONFIG).replace(/'/g, "'\\''"), 6)}
      '
    - |
      bash -c '
${indent(APPLY_SCRIPT.replace(/'/g, "'\\''"), 6)}
      '
`;

/** Finds sluice's comment by its marker and replaces it, or adds it once. */
const GITHUB_POST = `const fs = require("fs");
const body = fs.readFileSync("sluice-diff.md", "utf8");
const { owner, repo } = context.repo;
const issue_number = context.issue.number;
const comments = await github.paginate(github.rest.issues.listComments, { owner, repo, issue_number, per_page: 100 });
const previous = comments.find((c) => c.user && c.user.type === "Bot" && (c.body || "").includes("${COMMENT_MARKER}"));
if (previous) await github.rest.issues.updateComment({ owner, repo, comment_id: previous.id, body });
else await github.rest.issues.createComment({ owner, repo, issue_number, body });`;

const GITHUB = `# Generated by \`sluice ci github\`: save as .github/workflows/sluice.yml.
# On a pull request: type-check the stacks, verify the committed env repo, hold
# release changes to the waves' gates, and post what every wave and cluster
# would get as one comment, updated on every push. On the default branch:
# verify the env repo again.
name: sluice

on:
  pull_request:
  push:
    branches: [main]

permissions:
  contents: read
  pull-requests: write

concurrency:
  group: sluice-\${{ github.ref }}
  cancel-in-progress: true

jobs:
  sluice:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          # diff reads the base branch from git's history.
          fetch-depth: 0
      - uses: actions/setup-node@v4
        with:
          node-version: 20
          cache: npm
      - run: npm ci
      - name: Policy rules, annotated on the stack lines that break them
        run: npx sluice check
      - name: Type-check the stacks and verify the committed env repo
        run: npx sluice synth --check
      - name: Hold release changes to the waves' gates
        if: github.event_name == 'pull_request'
        run: npx sluice gates --base "origin/\${{ github.base_ref }}"
      - name: What each wave and cluster would get
        if: github.event_name == 'pull_request'
        run: npx sluice diff --base "origin/\${{ github.base_ref }}" --skip-typecheck --format markdown > sluice-diff.md
      - name: Post it on the pull request (one comment, updated in place)
        # A fork's token cannot comment; its reviewers run sluice diff locally.
        if: github.event_name == 'pull_request' && github.event.pull_request.head.repo.full_name == github.repository
        uses: actions/github-script@v7
        with:
          script: |
${GITHUB_POST.split("\n")
  .map((line) => `            ${line}`)
  .join("\n")}
`;

/** Posts or updates the merge request note through GitLab's API, with Node's own fetch. */
const GITLAB_POST = [
  'const fs = require("fs");',
  'const api = process.env.CI_API_V4_URL + "/projects/" + process.env.CI_PROJECT_ID + "/merge_requests/" + process.env.CI_MERGE_REQUEST_IID + "/notes";',
  'const headers = { "PRIVATE-TOKEN": process.env.SLUICE_GITLAB_TOKEN, "Content-Type": "application/json" };',
  'const body = fs.readFileSync("sluice-diff.md", "utf8");',
  "(async () => {",
  '  const notes = await (await fetch(api + "?per_page=100", { headers })).json();',
  `  const previous = notes.find((n) => (n.body || "").includes("${COMMENT_MARKER}"));`,
  '  const response = await fetch(previous ? api + "/" + previous.id : api, { method: previous ? "PUT" : "POST", headers, body: JSON.stringify({ body }) });',
  '  if (!response.ok) throw new Error("GitLab answered " + response.status);',
  "})();",
].join("\n");

const GITLAB = `# Generated by \`sluice ci gitlab\`: add to .gitlab-ci.yml.
# On a merge request: type-check the stacks, verify the committed env repo, hold
# release changes to the waves' gates, and post what every wave and cluster
# would get as one note, updated on every
# push (needs a project access token with the api scope in the masked, protected
# variable SLUICE_GITLAB_TOKEN). On the default branch: verify the env repo again.
sluice:
  image: node:20
  variables:
    # diff reads the target branch from git's history.
    GIT_DEPTH: 0
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
  cache:
    key:
      files: [package-lock.json]
    paths: [.npm/]
  script:
    - npm ci --cache .npm --prefer-offline
    - npx sluice check
    - npx sluice synth --check
    - |
      if [ "$CI_PIPELINE_SOURCE" = "merge_request_event" ]; then
        git fetch origin "$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"
        npx sluice gates --base "origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"
        npx sluice diff --base "origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME" --skip-typecheck --format markdown > sluice-diff.md
        if [ -n "$SLUICE_GITLAB_TOKEN" ]; then
          node -e '
${GITLAB_POST.split("\n")
  .map((line) => `          ${line}`)
  .join("\n")}
          '
        fi
      fi
  artifacts:
    when: always
    paths: [sluice-diff.md]
`;
