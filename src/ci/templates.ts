import { ACTIONS, indent } from "./actions.js";
import { APPLY_SCRIPT, setupScript } from "./conformance.js";
import { githubWorkflow } from "./github.js";
import { gitlabPipeline } from "./gitlab.js";
import { githubPreviewJob, gitlabPreviewJob, type PreviewJob } from "./previews.js";

/**
 * CI pipelines for a repository that holds stacks and their env repo, as
 * `sluice ci github` and `sluice ci gitlab` print them (github.ts,
 * gitlab.ts): on a pull request one `sluice verify` — check, synth --check,
 * gates and diff from one compile — and the diff as one comment; on the
 * default branch verify and publish; scheduled promotions and the release
 * entry point for app pipelines, each opening pull requests.
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
  /** The env repo the default branch publishes to (an https URL), when it is not this repository. */
  readonly publish?: string;
  /** Verify as this many jobs, one partition of the clusters each (`--partition i/n`). */
  readonly partitions?: number;
}

export function ciTemplate(target: CiTarget, options: CiOptions = {}): string {
  if (target === "github") {
    const workflow = githubWorkflow({
      previews: options.previews !== undefined,
      ...(options.publish ? { publish: options.publish } : {}),
      ...(options.partitions ? { partitions: options.partitions } : {}),
    });
    return `${workflow}${options.conformance ? GITHUB_CONFORMANCE : ""}${options.previews ? githubPreviewJob(options.previews) : ""}`;
  }
  const pipeline = gitlabPipeline({
    ...(options.publish ? { publish: options.publish } : {}),
    ...(options.partitions ? { partitions: options.partitions } : {}),
  });
  return `${pipeline}${options.conformance ? GITLAB_CONFORMANCE : ""}${options.previews ? gitlabPreviewJob(options.previews) : ""}`;
}

/** After the sluice job: a kind cluster on the runner's Docker; each env-repo cluster applied with --dry-run=server. */
const GITHUB_CONFORMANCE = `
  # sluice ci github --conformance: what only a real API server can say. A kind
  # cluster (Kubernetes 1.34) on the runner's Docker, the CRDs of Argo CD, Flux,
  # External Secrets, Sealed Secrets and Kyverno at pinned releases, then every
  # cluster's directory, components and app paths applied with --dry-run=server,
  # under the cluster's own ValidatingAdmissionPolicies. Takes about five minutes.
  conformance:
    needs: [sluice, main]
    # After the pull request's checks, or the default branch's.
    if: \${{ !cancelled() && (needs.sluice.result == 'success' || needs.main.result == 'success') }}
    runs-on: ubuntu-latest
    timeout-minutes: 30
    permissions:
      contents: read
    env:
      # More CRDs (URLs or files) for the kinds of the platform's customResources.
      EXTRA_CRDS: ""
    steps:
      - uses: ${ACTIONS.checkout}
        with:
          persist-credentials: false
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
