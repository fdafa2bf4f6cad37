import type { PlatformModel, PreviewsModel } from "../../model/model.js";
import { hostPatch, previewDir, previewHost, previewNamespace, previewTag, type PreviewInput } from "../../model/previews.js";
import type { KubernetesObject } from "../../k8s/object.js";
import { platformLabels } from "../../k8s/labels.js";
import { CONTROLLER_ACCOUNT, ENV_REPO, INTERVAL, KUSTOMIZE_API, RETRY_INTERVAL, TIMEOUT, repoPath } from "./source.js";
import type { FluxKustomization } from "./types.js";

export const RESOURCE_SET_API = "fluxcd.controlplane.io/v1";

/** The Flux Operator's ResourceSetInputProvider, as far as sluice writes it. */
export interface ResourceSetInputProvider {
  apiVersion: typeof RESOURCE_SET_API;
  kind: "ResourceSetInputProvider";
  metadata: KubernetesObject["metadata"];
  spec: {
    type: "GitHubPullRequest" | "GitLabMergeRequest";
    url: string;
    secretRef: { name: string };
    filter: { labels: string[]; limit: number };
  };
}

/** The Flux Operator's ResourceSet, as far as sluice writes it. */
export interface ResourceSet {
  apiVersion: typeof RESOURCE_SET_API;
  kind: "ResourceSet";
  metadata: KubernetesObject["metadata"];
  spec: {
    inputsFrom: { apiVersion: typeof RESOURCE_SET_API; kind: "ResourceSetInputProvider"; name: string }[];
    resources: KubernetesObject[];
  };
}

/**
 * Flux's previews of one app on one cluster, with the Flux Operator: a
 * ResourceSetInputProvider listing the labelled pull requests (at most the
 * cap: the newest, as the SCM lists them) and a ResourceSet that makes one
 * Kustomization per pull request, applying previews/<app>/<cluster>/ with
 * the pull request's namespace (the Namespace, its quota and defaults come
 * with it), image tag and host. The operator deletes the Kustomization, and
 * what it applied, when the pull request leaves the list.
 */
export function fluxPreviewObjects(platform: PlatformModel, input: PreviewInput): KubernetesObject[] {
  const { app, previews } = input;
  // Without an SCM, records open the previews: one Kustomization each (previewKustomization).
  if (!previews.scm) return [];
  const namespace = platform.engineSettings.flux.namespace;
  const name = `${app.name}-previews`;
  const labels = platformLabels(name, `sluice-preview-${app.name}`);
  const values = { number: "<< inputs.id >>", sha: "<< inputs.sha >>" };
  const kustomization = previewKustomization(platform, input, values, namespace);
  return [
    {
      apiVersion: RESOURCE_SET_API,
      kind: "ResourceSetInputProvider",
      metadata: {
        name,
        namespace,
        labels,
        annotations: {
          "fluxcd.controlplane.io/reconcileEvery": previews.poll,
          // Neither engine closes a preview by age: the scheduled CI job does, by the label's age (README, Preview environments).
          "sluice.dev/preview-lifetime": previews.lifetime,
        },
      },
      spec: { ...scm(previews.scm), filter: { labels: [previews.label], limit: previews.maxOpen } },
    } satisfies ResourceSetInputProvider,
    {
      apiVersion: RESOURCE_SET_API,
      kind: "ResourceSet",
      metadata: { name, namespace, labels },
      spec: {
        inputsFrom: [{ apiVersion: RESOURCE_SET_API, kind: "ResourceSetInputProvider", name }],
        resources: [kustomization],
      },
    } satisfies ResourceSet,
  ];
}

/** One pull request's Kustomization, for the values given (the ResourceSet's templates, or a sample pull request). */
export function previewKustomization(
  platform: PlatformModel,
  { app, cluster, previews, image, exposed }: PreviewInput,
  values: { readonly number: string; readonly sha: string },
  namespace: string,
): KubernetesObject {
  return {
    apiVersion: KUSTOMIZE_API,
    kind: "Kustomization",
    metadata: {
      name: `${app.name}-pr-${values.number}`,
      namespace,
      labels: { ...platformLabels(app.name, `sluice-preview-${app.name}`), "sluice.dev/preview-of": app.name },
      annotations: { "sluice.dev/pull-request": values.number },
    },
    spec: {
      interval: INTERVAL,
      retryInterval: RETRY_INTERVAL,
      timeout: TIMEOUT,
      path: repoPath(platform, previewDir(app.name, cluster.name)),
      prune: true,
      wait: true,
      sourceRef: { kind: "GitRepository", name: ENV_REPO },
      // It makes the preview's Namespace: the platform's account, as the root's.
      serviceAccountName: CONTROLLER_ACCOUNT,
      targetNamespace: previewNamespace(app.name, values),
      images: [{ name: image, newTag: previewTag(previews, values) }],
      ...(exposed
        ? {
            patches: [
              { target: { kind: exposed.kind, name: app.name }, patch: hostPatch(exposed, previewHost(previews, app.name, values)) },
            ],
          }
        : {}),
    },
  } satisfies FluxKustomization;
}

function scm(source: NonNullable<PreviewsModel["scm"]>): Pick<ResourceSetInputProvider["spec"], "type" | "url" | "secretRef"> {
  if ("github" in source) {
    const { repository, api, token } = source.github;
    // GitHub Enterprise's web host is its API's without /api/v3.
    const host = api ? api.replace(/\/api\/v3\/?$/, "") : "https://github.com";
    return { type: "GitHubPullRequest", url: `${host}/${repository}`, secretRef: { name: token.secret } };
  }
  const { project, url, token } = source.gitlab;
  return { type: "GitLabMergeRequest", url: `${url ?? "https://gitlab.com"}/${project}`, secretRef: { name: token.secret } };
}
