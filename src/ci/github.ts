import { COMMENT_MARKER, commentMarker } from "../diff/format-markdown.js";
import { ACTIONS, indent, setupSteps, upsertComment } from "./actions.js";

/** When the scheduled promotions run: weekdays at 07:23 UTC (a minute of its own, off the hour everyone picks). */
export const PROMOTE_CRON = "23 7 * * 1-5";
/** When the preview sweep runs: every hour, at minute 17. */
export const PREVIEW_SWEEP_CRON = "17 * * * *";

/**
 * The render and type-check caches, restored after `npm ci` (which empties
 * node_modules) and saved even when a check fails; one per partition, whose
 * renders are its clusters' alone.
 */
function cacheSteps(partitioned: boolean): { restore: string; save: string } {
  const key = `sluice-\${{ runner.os }}-\${{ hashFiles('package-lock.json') }}${partitioned ? "-p${{ matrix.partition }}" : ""}`;
  return {
    restore: `      - name: Restore sluice's caches (a speed-up only; synth --check still reads every file)
        uses: ${ACTIONS.cacheRestore}
        with:
          path: node_modules/.cache/sluice
          key: ${key}-\${{ github.sha }}
          restore-keys: ${key}-`,
    save: `      - name: Save sluice's caches
        if: \${{ !cancelled() }}
        uses: ${ACTIONS.cacheSave}
        with:
          path: node_modules/.cache/sluice
          key: ${key}-\${{ github.sha }}`,
  };
}

/** A job's matrix over the partitions 1 … n, every one run to the end (a failure in one hides nothing in another). */
function partitionMatrix(count: number): string {
  return `    strategy:
      fail-fast: false
      matrix:
        partition: [${Array.from({ length: count }, (_, i) => i + 1).join(", ")}]
`;
}

/** The bot's identity for the commits sluice makes, and the token its pull requests are opened with. */
const BOT_TOKEN = "${{ secrets.SLUICE_BOT_TOKEN || github.token }}";
const BOT_IDENTITY = `git config user.name "github-actions[bot]"
git config user.email "41898282+github-actions[bot]@users.noreply.github.com"`;

/** Pushes each promotion branch sluice committed ($RUNNER_TEMP/promotions.json, outside the worktree) and opens its pull request, or updates the open one. */
const OPEN_PULL_REQUESTS = `jq -c '(.promoted // [])[], (.pullRequest // empty)' "$RUNNER_TEMP/promotions.json" | while read -r promotion; do
  branch=$(jq -r .branch <<<"$promotion")
  jq -r .body <<<"$promotion" > "$RUNNER_TEMP/body.md"
  git push --force origin "refs/heads/$branch"
  if ! gh pr create --base "$BASE" --head "$branch" --title "$(jq -r .title <<<"$promotion")" --body-file "$RUNNER_TEMP/body.md"; then
    gh pr edit "$branch" --title "$(jq -r .title <<<"$promotion")" --body-file "$RUNNER_TEMP/body.md"
  fi
done`;

/** A job that commits on a branch and opens its pull request: its header, set-up, and its one step's name and environment. */
function pullRequestJob(name: string, condition: string, step: string): string {
  return `  ${name}:
    if: ${condition}
    runs-on: ubuntu-latest
    timeout-minutes: 30
    permissions:
      contents: write
      pull-requests: write
    steps:
${setupSteps({ fetchDepth: 0, token: BOT_TOKEN })}
      - name: ${step}
        env:
          GH_TOKEN: ${BOT_TOKEN}
          BASE: \${{ github.event.repository.default_branch }}`;
}

export interface GithubOptions {
  /** Previews: the pull request's run on its label too, and the hourly sweep's schedule. */
  readonly previews?: boolean;
  /** The env repo to publish to from the default branch (an https URL), when it is not this repository. */
  readonly publish?: string;
  /** Verify in this many jobs, one partition of the clusters each (`--partition i/n`), for fleets past one runner. */
  readonly partitions?: number;
}

/** The step that publishes to the env repo, pushing with the token in SLUICE_ENV_REPO_TOKEN. */
function publishStep(url: string): string {
  const host = new URL(url).host;
  return `
      - name: Publish to the env repo
        env:
          SLUICE_ENV_REPO: ${JSON.stringify(url)}
          TOKEN: \${{ secrets.SLUICE_ENV_REPO_TOKEN }}
        run: |
${indent(BOT_IDENTITY.replaceAll("git config", "git config --global"), 10)}
          # The token as an HTTP header for that host (as actions/checkout sets it), never in a URL.
          git config --global "http.https://${host}/.extraheader" "AUTHORIZATION: basic $(printf 'x-access-token:%s' "$TOKEN" | base64 -w0)"
          npx sluice publish --env-repo "$SLUICE_ENV_REPO" --push`;
}

/** With partitions: publishing, after every partition of the default branch verified, as a job of its own. */
function publishJob(url: string): string {
  return `

  publish:
    needs: main
    runs-on: ubuntu-latest
    timeout-minutes: 30
    permissions:
      contents: read
    steps:
${setupSteps({ fetchDepth: 0 })}${publishStep(url)}`;
}

/**
 * The workflow `sluice ci github` prints. Least permissions per job (none at
 * the top), actions pinned by commit, one compile per pull request.
 */
export function githubWorkflow(options: GithubOptions = {}): string {
  const previews = options.previews === true;
  const count = options.partitions !== undefined && options.partitions > 1 ? options.partitions : undefined;
  const { restore, save } = cacheSteps(count !== undefined);
  const matrix = count ? partitionMatrix(count) : "";
  const partition = count ? ` --partition "\${{ matrix.partition }}/${count}"` : "";
  const marker = count ? commentMarker(`\${{ matrix.partition }}/${count}`) : COMMENT_MARKER;
  const pullRequest = previews ? "  pull_request:\n    types: [opened, synchronize, reopened, labeled]\n" : "  pull_request:\n";
  const schedules = [`    - cron: "${PROMOTE_CRON}"`, ...(previews ? [`    - cron: "${PREVIEW_SWEEP_CRON}"`] : [])].join("\n");
  const checksIf = previews
    ? "github.event_name == 'pull_request' && github.event.action != 'labeled'"
    : "github.event_name == 'pull_request'";
  const group = previews
    ? "sluice-${{ github.event_name }}-${{ github.ref }}-${{ github.event.action == 'labeled' && 'label' || 'checks' }}"
    : "sluice-${{ github.event_name }}-${{ github.ref }}";
  return `# Generated by \`sluice ci github\`: save as .github/workflows/sluice.yml.
# - A pull request: \`sluice verify\` — policy rules (annotated on the stack lines), the
#   committed env repo, the waves' gates and the diff, from one compile — and the diff as one
#   comment, updated on every push, even when a check failed.
# - The default branch: verify again${options.publish ? `, then publish to ${options.publish}\n#   (pushing with the secret SLUICE_ENV_REPO_TOKEN: contents write on that repository)` : ""}.${count ? `\n# - Verify runs as ${count} jobs, one partition of the clusters each (\`--partition i/${count}\`),\n#   each with its own diff comment; fleet-wide rules and the env repo's own files in every one.` : ""}
# - Weekdays at 07:23 UTC, or run by hand: one pull request per promotion whose gate is open.
# - Run by hand with an app and a version, or a repository_dispatch "sluice-release" from an
#   app's pipeline: the pull request that releases it into the first wave.
# Pull requests opened with the workflow's own token do not start workflows: give a GitHub App
# or fine-grained token (contents and pull requests: write) as the secret SLUICE_BOT_TOKEN for
# their checks to run.
name: sluice

on:
${pullRequest}  push:
    branches: [main]
  schedule:
${schedules}
  workflow_dispatch:
    inputs:
      app:
        description: "Release this app into the first wave (empty: promote every ready app)"
        type: string
        default: ""
      version:
        description: "The release (an immutable tag or sha256 digest)"
        type: string
        default: ""
  repository_dispatch:
    types: [sluice-release]

permissions: {}

concurrency:
  group: ${group}
  # A new push replaces a pull request's run; nothing on the default branch is cut short.
  cancel-in-progress: \${{ github.event_name == 'pull_request' }}

jobs:
  sluice:
    if: ${checksIf}
    runs-on: ubuntu-latest
    timeout-minutes: 30
    permissions:
      contents: read
      pull-requests: write
${matrix}    steps:
${setupSteps({ fetchDepth: 0 })}
${restore}
      - name: Check, verify the env repo, hold releases to the gates, and diff (one compile)
        run: npx sluice verify --base "origin/\${{ github.base_ref }}"${partition} --diff-file sluice-diff.md
${save}
      - name: Post the diff on the pull request (one comment${count ? " per partition" : ""}, updated in place)
        # Also after a failed check, so reviewers never read the last push's diff. A fork's token cannot comment.
        if: \${{ !cancelled() && github.event.pull_request.head.repo.full_name == github.repository && hashFiles('sluice-diff.md') != '' }}
        uses: ${ACTIONS.githubScript}
        with:
          script: |
${indent(upsertComment("sluice-diff.md", marker), 12)}

  main:
    if: github.event_name == 'push'
    runs-on: ubuntu-latest
    timeout-minutes: 30
    permissions:
      contents: read
${matrix}    steps:
${setupSteps({ fetchDepth: 0 })}
${restore}
      - name: Verify the env repo on the default branch
        run: npx sluice verify${partition}
${save}${options.publish ? (count ? publishJob(options.publish) : publishStep(options.publish)) : ""}

${pullRequestJob("promote", `(github.event_name == 'schedule' && github.event.schedule == '${PROMOTE_CRON}') || (github.event_name == 'workflow_dispatch' && inputs.app == '')`, "One branch and pull request per promotion whose gate is open")}
        run: |
${indent(BOT_IDENTITY, 10)}
          # An open promotion's branch is skipped: fetch them, so that sluice sees them.
          git fetch --no-tags origin '+refs/heads/promote/*:refs/heads/promote/*'
          status=0
          npx sluice promote --all-ready --format json > "$RUNNER_TEMP/promotions.json" || status=$?
${indent(OPEN_PULL_REQUESTS, 10)}
          exit "$status"

${pullRequestJob("release", "github.event_name == 'repository_dispatch' || (github.event_name == 'workflow_dispatch' && inputs.app != '')", "The pull request that releases the app into the first wave")}
          APP: \${{ github.event.client_payload.app || inputs.app }}
          VERSION: \${{ github.event.client_payload.version || inputs.version }}
        run: |
${indent(BOT_IDENTITY, 10)}
          npx sluice release "$APP" "$VERSION" --commit --format json > "$RUNNER_TEMP/promotions.json"
${indent(OPEN_PULL_REQUESTS, 10)}
`;
}
