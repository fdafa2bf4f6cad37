import type { PreviewList } from "../promote/previews.js";
import { ACTIONS, indent, setupSteps, upsertComment } from "./actions.js";
import { PREVIEW_SWEEP_CRON } from "./github.js";

/** The marker of the comment that lists a pull request's previews, which the job updates in place. */
export const PREVIEW_MARKER = "<!-- sluice-preview -->";

/** What a preview job is generated from: the platform's previews, each URL with the shell's "$PR" for the number. */
export interface PreviewJob {
  readonly label: string;
  readonly lifetime: string;
  readonly poll: string;
  /** `sluice preview list` with the number left as "${PR}". */
  readonly list: PreviewList;
}

/** The shell that waits for each preview to answer and writes the comment's Markdown to sluice-preview.md. */
function waitScript(job: PreviewJob): string {
  const lines = job.list.previews.map((p) => `${p.app} ${p.cluster} ${p.url ?? "-"} ${p.namespace}`);
  return [
    `printf '%s\\n\\n' '${PREVIEW_MARKER}' 'Previews of this pull request:' > sluice-preview.md`,
    "while read -r app cluster url namespace; do",
    '  if [ "$url" = "-" ]; then',
    '    echo "- $app on $cluster: not exposed; namespace $namespace" >> sluice-preview.md',
    "    continue",
    "  fi",
    '  status="not answering yet"',
    "  for _ in $(seq 1 40); do",
    '    if curl -fsS -o /dev/null --max-time 10 "$url"; then status="up"; break; fi',
    "    sleep 30",
    "  done",
    '  echo "- $app on $cluster: $url ($status)" >> sluice-preview.md',
    "done <<EOF",
    ...lines,
    "EOF",
  ].join("\n");
}

/**
 * The GitHub job that, on a pull request carrying the preview label, waits
 * until each preview answers (the engine opens it within its polling
 * interval) and posts the URLs as one comment, updated in place.
 */
export function githubPreviewJob(job: PreviewJob): string {
  return `
  # sluice ci github --previews: on a pull request labelled "${job.label}", wait until each
  # preview answers (the engine asks for pull requests every ${job.poll}), then post the URLs
  # as one comment, updated in place. Belongs in the repository whose pull requests open
  # previews (the platform's previews.scm).
  preview:
    if: >-
      github.event_name == 'pull_request' &&
      github.event.pull_request.head.repo.full_name == github.repository &&
      contains(github.event.pull_request.labels.*.name, '${job.label}')
    runs-on: ubuntu-latest
    timeout-minutes: 30
    permissions:
      contents: read
      pull-requests: write
    concurrency:
      group: sluice-preview-\${{ github.event.pull_request.number }}
      cancel-in-progress: true
    steps:
      - name: Wait until each preview answers
        env:
          PR: \${{ github.event.pull_request.number }}
        run: |
${indent(waitScript(job), 10)}
      - name: Post the URLs on the pull request (one comment, updated in place)
        uses: ${ACTIONS.githubScript}
        with:
          script: |
${indent(upsertComment("sluice-preview.md", PREVIEW_MARKER), 12)}

  # Every hour: a pull request labelled more than ${job.lifetime} ago, or beyond the cap (the last
  # labelled), loses the label, with a comment saying why; the engines then delete its previews.
  preview-sweep:
    if: github.event_name == 'schedule' && github.event.schedule == '${PREVIEW_SWEEP_CRON}'
    runs-on: ubuntu-latest
    timeout-minutes: 10
    permissions:
      contents: read
      issues: write
      pull-requests: write
    steps:
${setupSteps()}
      - name: Close the previews past their lifetime or the cap
        env:
          SLUICE_PREVIEW_TOKEN: \${{ secrets.GITHUB_TOKEN }}
        run: npx sluice preview sweep
`;
}

/** GitLab's duration words for a lifetime ("72h" → "72 hours"). */
function gitlabDuration(lifetime: string): string {
  const words = { m: "minutes", h: "hours", d: "days" } as const;
  return [...lifetime.matchAll(/([0-9]+)([mhd])/g)].map(([, amount, unit]) => `${amount} ${words[unit as keyof typeof words]}`).join(" ");
}

/**
 * The GitLab job: on a merge request carrying the label, a review
 * environment per merge request at the first preview's URL, stopped by
 * GitLab after the lifetime; waits until each preview answers.
 */
export function gitlabPreviewJob(job: PreviewJob): string {
  const first = job.list.previews.find((p) => p.url);
  return `
# sluice ci gitlab --previews: on a merge request labelled "${job.label}", a review environment
# at its preview (GitLab stops it after ${job.lifetime}; the engine deletes the preview when the
# label or the merge request goes), once each preview answers.
sluice-preview:
  image: curlimages/curl:8.10.1
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event" && $CI_MERGE_REQUEST_LABELS =~ /(^|,)${job.label.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}(,|$)/
  variables:
    PR: $CI_MERGE_REQUEST_IID
  environment:
    name: preview/$CI_MERGE_REQUEST_IID
${first ? `    url: ${first.url!.replaceAll("${PR}", "$CI_MERGE_REQUEST_IID")}\n` : ""}    auto_stop_in: ${gitlabDuration(job.lifetime)}
  script:
    - |
${indent(waitScript(job), 6)}
  artifacts:
    when: always
    paths: [sluice-preview.md]

# Run by a pipeline schedule with SLUICE_SCHEDULE=preview-sweep (CI/CD > Schedules, e.g. hourly): a merge request labelled more than
# ${job.lifetime} ago, or beyond the cap (the last labelled), loses the label, with a note saying
# why; the engines then delete its previews. Needs a project access token with the api scope in
# the masked variable SLUICE_PREVIEW_TOKEN.
sluice-preview-sweep:
  image: node:20
  rules:
    - if: $CI_PIPELINE_SOURCE == "schedule" && $SLUICE_SCHEDULE == "preview-sweep"
  script:
    - npm ci
    - npx sluice preview sweep
`;
}
