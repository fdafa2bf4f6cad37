import { indent } from "./actions.js";
import { COMMENT_MARKER, commentMarker } from "../diff/format-markdown.js";

/** Posts or updates the merge request note through GitLab's API, with Node's own fetch; its marker in $MARKER. */
const POST_DIFF = [
  'const fs = require("fs");',
  'const api = process.env.CI_API_V4_URL + "/projects/" + process.env.CI_PROJECT_ID + "/merge_requests/" + process.env.CI_MERGE_REQUEST_IID + "/notes";',
  'const headers = { "PRIVATE-TOKEN": process.env.SLUICE_GITLAB_TOKEN, "Content-Type": "application/json" };',
  'const body = fs.readFileSync("sluice-diff.md", "utf8");',
  "(async () => {",
  '  const notes = await (await fetch(api + "?per_page=100", { headers })).json();',
  '  const previous = notes.find((n) => (n.body || "").includes(process.env.MARKER));',
  '  const response = await fetch(previous ? api + "/" + previous.id : api, { method: previous ? "PUT" : "POST", headers, body: JSON.stringify({ body }) });',
  '  if (!response.ok) throw new Error("GitLab answered " + response.status);',
  "})();",
].join("\n");

/**
 * Pushes each promotion branch sluice committed ($PROMOTIONS, outside the worktree: `promote
 * --all-ready`'s or `release --commit`'s) and opens its merge request, or
 * updates the open one, through GitLab's API.
 */
const OPEN_MERGE_REQUESTS = [
  'const fs = require("fs");',
  'const { execFileSync } = require("child_process");',
  'const result = JSON.parse(fs.readFileSync(process.env.PROMOTIONS, "utf8"));',
  "const promotions = [...(result.promoted || []), ...(result.pullRequest ? [result.pullRequest] : [])];",
  'const api = process.env.CI_API_V4_URL + "/projects/" + process.env.CI_PROJECT_ID + "/merge_requests";',
  'const headers = { "PRIVATE-TOKEN": process.env.SLUICE_GITLAB_TOKEN, "Content-Type": "application/json" };',
  "(async () => {",
  "  for (const p of promotions) {",
  '    execFileSync("git", ["push", "--force", "origin", "refs/heads/" + p.branch], { stdio: "inherit" });',
  '    const open = await (await fetch(api + "?state=opened&source_branch=" + encodeURIComponent(p.branch), { headers })).json();',
  "    const fields = { title: p.title, description: p.body };",
  "    const response = open.length > 0",
  '      ? await fetch(api + "/" + open[0].iid, { method: "PUT", headers, body: JSON.stringify(fields) })',
  '      : await fetch(api, { method: "POST", headers, body: JSON.stringify({ ...fields, source_branch: p.branch, target_branch: process.env.CI_DEFAULT_BRANCH, remove_source_branch: true }) });',
  '    if (!response.ok) throw new Error("GitLab answered " + response.status + " for " + p.branch);',
  "  }",
  "})();",
].join("\n");

/** The job's clone pushes with the project access token (the job token cannot push), sent as a header, never in a URL. */
const PUSH_WITH_TOKEN = `git config user.name "sluice"
git config user.email "sluice@$CI_SERVER_HOST"
git remote set-url origin "$CI_SERVER_URL/$CI_PROJECT_PATH.git"
git config "http.$CI_SERVER_URL/.extraheader" "Authorization: Basic $(printf 'oauth2:%s' "$SLUICE_GITLAB_TOKEN" | base64 -w0)"`;

/**
 * sluice's caches live in node_modules/.cache/sluice, which `npm ci`
 * empties: GitLab's cache keeps them in .sluice-cache/, moved in after the
 * install and out again after the script, failed or not.
 */
function cache(partitioned: boolean): string {
  // One per partition (a parallel job's $CI_NODE_INDEX): its renders are its clusters' alone.
  const part = partitioned ? "-$CI_NODE_INDEX" : "";
  return `  cache:
    - key:
        files: [package-lock.json]
      paths: [.npm/]
    - key: sluice-$CI_COMMIT_REF_SLUG${part}
      fallback_keys: [sluice-$CI_DEFAULT_BRANCH${part}]
      paths: [.sluice-cache/]
      when: always`;
}
const INSTALL = `    - npm ci --cache .npm --prefer-offline
    - mkdir -p node_modules/.cache && if [ -d .sluice-cache ]; then mv .sluice-cache node_modules/.cache/sluice; fi`;
const KEEP_CACHE = `  after_script:
    - if [ -d node_modules/.cache/sluice ]; then mv node_modules/.cache/sluice .sluice-cache; fi`;

/** With partitions: publishing, after every partition of the default branch verified, as a job of its own. */
function publishJob(url: string): string {
  return `
sluice-publish:
  image: node:20
  variables:
    GIT_DEPTH: 0
  needs: [sluice-main]
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_PIPELINE_SOURCE == "push"
  script:
    - npm ci --cache .npm --prefer-offline${publishScript(url)}
`;
}

/** The script lines that publish to the env repo, pushing with the token in SLUICE_ENV_REPO_TOKEN. */
function publishScript(url: string): string {
  const { protocol, host } = new URL(url);
  return `
    - |
      git config --global user.name "sluice"
      git config --global user.email "sluice@$CI_SERVER_HOST"
      git config --global "http.${protocol}//${host}/.extraheader" "Authorization: Basic $(printf 'oauth2:%s' "$SLUICE_ENV_REPO_TOKEN" | base64 -w0)"
      npx sluice publish --env-repo ${JSON.stringify(url)} --push`;
}

/**
 * The pipeline `sluice ci gitlab` prints; `publish`: the env repo the default
 * branch publishes to, when it is not this repository; `partitions`: verify
 * as that many parallel jobs, one partition of the clusters each.
 */
export function gitlabPipeline(options: { readonly publish?: string; readonly partitions?: number } = {}): string {
  const count = options.partitions !== undefined && options.partitions > 1 ? options.partitions : undefined;
  const CACHE = cache(count !== undefined);
  const parallel = count ? `  parallel: ${count}\n` : "";
  const partition = count ? ' --partition "$CI_NODE_INDEX/$CI_NODE_TOTAL"' : "";
  const marker = count ? commentMarker("$CI_NODE_INDEX/$CI_NODE_TOTAL") : COMMENT_MARKER;
  return `# Generated by \`sluice ci gitlab\`: add to .gitlab-ci.yml. Needs a project access token
# (api and write_repository scopes) in the masked, protected variable SLUICE_GITLAB_TOKEN.
# - A merge request: \`sluice verify\` — policy rules, the committed env repo, the waves'
#   gates and the diff, from one compile — and the diff as one note, updated on every push,
#   even when a check failed.
# - The default branch: verify again${options.publish ? `, then publish to ${options.publish}\n#   (pushing with the masked variable SLUICE_ENV_REPO_TOKEN: write_repository there)` : ""}.${count ? `\n# - Verify runs as ${count} parallel jobs, one partition of the clusters each (\`--partition i/${count}\`),\n#   each with its own diff note; fleet-wide rules and the env repo's own files in every one.` : ""}
# - A pipeline schedule with SLUICE_SCHEDULE=promote (CI/CD > Schedules): one merge request
#   per promotion whose gate is open.
# - A pipeline triggered with SLUICE_RELEASE_APP and SLUICE_RELEASE_VERSION (an app's
#   pipeline, through a trigger token or the API): the merge request that releases it.
sluice:
  image: node:20
  variables:
    # gates and diff read the target branch from git's history.
    GIT_DEPTH: 0
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
${parallel}${CACHE}
  script:
${INSTALL}
    - |
      git fetch origin "$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"
      status=0
      npx sluice verify --base "origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"${partition} --diff-file sluice-diff.md || status=$?
      # Also after a failed check, so reviewers never read the last push's diff.
      if [ -n "$SLUICE_GITLAB_TOKEN" ] && [ -f sluice-diff.md ]; then
        MARKER="${marker}" node -e '
${indent(POST_DIFF, 8)}
        '
      fi
      exit "$status"
${KEEP_CACHE}
  artifacts:
    when: always
    paths: [sluice-diff.md]

sluice-main:
  image: node:20
  variables:
    GIT_DEPTH: 0
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_PIPELINE_SOURCE == "push"
${parallel}${CACHE}
  script:
${INSTALL}
    - npx sluice verify${partition}${options.publish && !count ? publishScript(options.publish) : ""}
${KEEP_CACHE}
${options.publish && count ? publishJob(options.publish) : ""}
sluice-promote:
  image: node:20
  variables:
    GIT_DEPTH: 0
  rules:
    - if: $CI_PIPELINE_SOURCE == "schedule" && $SLUICE_SCHEDULE == "promote"
  script:
    - npm ci --cache .npm --prefer-offline
    - |
${indent(PUSH_WITH_TOKEN, 6)}
      # An open promotion's branch is skipped: fetch them, so that sluice sees them.
      git fetch --no-tags origin '+refs/heads/promote/*:refs/heads/promote/*'
      status=0
      export PROMOTIONS="$(mktemp)"
      npx sluice promote --all-ready --format json > "$PROMOTIONS" || status=$?
      node -e '
${indent(OPEN_MERGE_REQUESTS, 6)}
      '
      exit "$status"

sluice-release:
  image: node:20
  variables:
    GIT_DEPTH: 0
  rules:
    - if: ($CI_PIPELINE_SOURCE == "trigger" || $CI_PIPELINE_SOURCE == "pipeline" || $CI_PIPELINE_SOURCE == "api") && $SLUICE_RELEASE_APP
  script:
    - npm ci --cache .npm --prefer-offline
    - |
${indent(PUSH_WITH_TOKEN, 6)}
      export PROMOTIONS="$(mktemp)"
      npx sluice release "$SLUICE_RELEASE_APP" "$SLUICE_RELEASE_VERSION" --commit --format json > "$PROMOTIONS"
      node -e '
${indent(OPEN_MERGE_REQUESTS, 6)}
      '
`;
}
