/**
 * The opt-in conformance job of `sluice ci --conformance`: what only a real
 * API server can say about the env repo. It creates a throwaway kind cluster
 * of a pinned Kubernetes, installs the CRDs of the kinds sluice emits at
 * pinned releases, applies each cluster's namespaces and admission policies
 * for real, and then every object of `clusters/<cluster>` (as kustomize
 * builds it), of the components and of the app paths with
 * `kubectl apply --dry-run=server`: the API server's own schema, defaulting,
 * CEL type-checking and admission, Kubernetes' ValidatingAdmissionPolicies
 * included, judge them, and nothing is created. Needs Docker on the runner.
 */

/** kind and its node image for Kubernetes 1.34, pinned by digest as kind's release notes ask. */
export const KIND_VERSION = "v0.33.0";
export const NODE_IMAGE = "kindest/node:v1.34.11@sha256:44e222ee2132dab25ff87301682f89eb82c7880ea3a1bf543bfe9708fd08d67d";
export const KUBECTL_VERSION = "v1.34.11";

/**
 * The CRDs of the kinds the Prerequisites section can name, from each
 * project's release: Argo CD's Application and AppProject, Flux's install
 * (its CRDs, controllers and the flux-system namespace), the External Secrets
 * Operator's bundle, Sealed Secrets', and Kyverno's ValidatingPolicy
 * (policies.kyverno.io/v1, served from 1.17). Extra CRDs go in EXTRA_CRDS.
 */
export const CRD_URLS = [
  "https://raw.githubusercontent.com/argoproj/argo-cd/v3.5.1/manifests/crds/application-crd.yaml",
  "https://raw.githubusercontent.com/argoproj/argo-cd/v3.5.1/manifests/crds/appproject-crd.yaml",
  "https://github.com/fluxcd/flux2/releases/download/v2.9.4/install.yaml",
  "https://raw.githubusercontent.com/external-secrets/external-secrets/v0.19.2/deploy/crds/bundle.yaml",
  "https://raw.githubusercontent.com/bitnami-labs/sealed-secrets/v0.36.6/helm/sealed-secrets/crds/bitnami.com_sealedsecrets.yaml",
  "https://raw.githubusercontent.com/kyverno/kyverno/v1.19.0/config/crds/policies.kyverno.io/policies.kyverno.io_validatingpolicies.yaml",
] as const;

/** Where the job puts kind and kubectl: a directory of its own, first on PATH, so no root is needed. */
const TOOLS = 'export PATH="$HOME/.sluice-tools:$PATH"';

/**
 * The tools, the cluster and the CRDs: a bash script. `kindConfig` is a kind
 * Cluster config ("" for kind's defaults); `afterCreate` runs once the
 * cluster is up, before anything is applied to it.
 */
export function setupScript(kindConfig: string, afterCreate = ""): string {
  return [
    "set -euo pipefail",
    TOOLS,
    'mkdir -p "$HOME/.sluice-tools"',
    `curl -fsSLo "$HOME/.sluice-tools/kind" "https://github.com/kubernetes-sigs/kind/releases/download/${KIND_VERSION}/kind-linux-amd64"`,
    `curl -fsSLo "$HOME/.sluice-tools/kubectl" "https://dl.k8s.io/release/${KUBECTL_VERSION}/bin/linux/amd64/kubectl"`,
    'chmod +x "$HOME/.sluice-tools/kind" "$HOME/.sluice-tools/kubectl"',
    ...(kindConfig ? ["cat > kind.yaml <<'KIND'", kindConfig, "KIND"] : []),
    `kind create cluster --name sluice --image "${NODE_IMAGE}"${kindConfig ? " --config kind.yaml" : ""} --wait 180s`,
    ...(afterCreate ? [afterCreate] : []),
    "# Server-side: some CRDs are too large for client-side apply's annotation.",
    `for url in ${CRD_URLS.join(" ")} \${EXTRA_CRDS:-}; do`,
    '  kubectl apply --server-side --force-conflicts -f "$url"',
    "done",
    "kubectl wait --for condition=established --timeout=120s crd --all",
  ].join("\n");
}

/**
 * Each cluster of the env repo in turn. Namespaces and admission policies are
 * applied for real, because a dry run creates nothing later objects could be
 * applied into or judged by; they are removed again before the next cluster.
 */
export const APPLY_SCRIPT = [
  "set -euo pipefail",
  TOOLS,
  'out="${SLUICE_OUT:-out}"',
  'for dir in "$out"/clusters/*/; do',
  '  cluster="$(basename "$dir")"',
  '  echo "--- cluster $cluster"',
  // A spoke of a hub Argo CD holds what is applied to it under spoke/, and its Argo CD objects (in the
  // hub's namespace) beside spoke.yaml instead of a root.
  '  own="$dir"; root="$dir/root.yaml"',
  '  if [ -d "$dir/spoke" ]; then own="$dir/spoke"; root="$dir/spoke.yaml"; fi',
  "  # The engine's namespace and those of the platform's own objects; then the teams' namespaces and their guards.",
  '  objects="$own/platform/objects.yaml"; [ -f "$objects" ] || objects=/dev/null',
  '  for ns in $(sed -n "s/^  namespace: //p" "$root" "$objects" | sort -u); do',
  '    kubectl create namespace "$ns" --dry-run=client -o yaml | kubectl apply -f -',
  "  done",
  '  kubectl apply -k "$own/namespaces"',
  '  if [ -d "$own/policies" ]; then kubectl apply -k "$own/policies"; sleep 5; fi',
  '  kubectl kustomize "$dir" | kubectl apply --dry-run=server -f -',
  '  if [ "$own" != "$dir" ]; then kubectl kustomize "$own" | kubectl apply --dry-run=server -f -; fi',
  // apps/<app>/<cluster>/, or by team apps/<team>/<app>/<cluster>/ (envRepo.layout); a pattern that matches nothing fails -f.
  '  for manifest in "$out"/components/*/"$cluster"/manifest.yaml "$out"/apps/*/"$cluster"/manifest.yaml "$out"/apps/*/*/"$cluster"/manifest.yaml; do',
  '    if [ -f "$manifest" ]; then kubectl apply --dry-run=server -f "$manifest"; fi',
  "  done",
  '  if [ -d "$own/policies" ]; then kubectl delete -k "$own/policies"; fi',
  "done",
].join("\n");
