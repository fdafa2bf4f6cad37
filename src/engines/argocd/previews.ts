import type { PlatformModel, PreviewsModel } from "../../model/model.js";
import { hostPatch, previewDir, previewHost, previewNamespace, previewTag } from "../../model/previews.js";
import type { KubernetesObject } from "../../k8s/object.js";
import { platformLabels } from "../../k8s/labels.js";
import { destinationServer, sourcePath } from "./hub.js";
import type { ArgoApplication, ArgoApplicationSet, ArgoAppProject, ArgoPreviewSpec } from "./types.js";
import type { PreviewInput, PreviewValues } from "../../model/previews.js";

/** The AppProject of an app's previews: only its pr-*-<app> namespaces on the preview cluster, only from the env repo. */
export function previewProjectName(app: string): string {
  return `sluice-preview-${app}`;
}

const SECONDS = { s: 1, m: 60, h: 3600 } as const;

/**
 * Argo CD's previews of one app on one cluster: an AppProject that allows
 * the pr-*-<app> namespaces there and nothing else, and — where the
 * platform names the SCM — an ApplicationSet whose Pull Request generator
 * makes one Application per labelled pull request, deploying
 * previews/<app>/<cluster>/ with the pull request's namespace, image tag
 * and host (kustomize overrides). Argo CD deletes the Application, and what
 * it deployed, when the pull request closes or loses the label.
 */
export function argoPreviewObjects(platform: PlatformModel, input: PreviewInput): KubernetesObject[] {
  const { app, cluster, previews } = input;
  const namespace = platform.engineSettings.argocd.namespace;
  const project = previewProjectName(app.name);
  const previewNamespaces = previewNamespace(app.name, { number: "*" });
  const objects: KubernetesObject[] = [
    {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "AppProject",
      metadata: { name: project, namespace, labels: platformLabels(project, project) },
      spec: {
        description: `Preview environments of ${app.name}: its pr-<number>-${app.name} namespaces on ${cluster.name}`,
        sourceRepos: [platform.envRepo.url],
        destinations: [{ server: destinationServer(cluster), namespace: previewNamespaces }],
        // Argo CD 3.3 and later match a cluster resource's name: the preview's own Namespace only.
        clusterResourceWhitelist: [{ group: "", kind: "Namespace", name: previewNamespaces }],
      },
    } satisfies ArgoAppProject,
  ];
  if (!previews.scm) return objects;
  const template = previewApplication(platform, input, { number: "{{ .number }}", sha: "{{ .head_sha }}" });
  objects.push({
    apiVersion: "argoproj.io/v1alpha1",
    kind: "ApplicationSet",
    metadata: {
      name: `${app.name}-previews`,
      namespace,
      labels: platformLabels(`${app.name}-previews`, project),
      // Neither engine closes a preview by age: the scheduled CI job does, by the label's age (README, Preview environments).
      annotations: { "sluice.dev/preview-lifetime": previews.lifetime, "sluice.dev/preview-max-open": String(previews.maxOpen) },
    },
    spec: {
      goTemplate: true,
      goTemplateOptions: ["missingkey=error"],
      generators: [{ pullRequest: { ...scm(previews.scm, previews), requeueAfterSeconds: seconds(previews.poll) } }],
      // The generator's Applications go into the ApplicationSet's own namespace.
      template: { metadata: withoutNamespace(template.metadata), spec: template.spec },
    },
  } satisfies ArgoApplicationSet);
  return objects;
}

/**
 * One pull request's preview Application, for the values given: the
 * ApplicationSet's template ("{{ .number }}"), or a pull request opened by
 * a record (`sluice preview open`), in the preview project.
 */
export function previewApplication(
  platform: PlatformModel,
  { app, cluster, previews, image, exposed, revision }: PreviewInput,
  values: PreviewValues,
): KubernetesObject & { spec: ArgoPreviewSpec } {
  const project = previewProjectName(app.name);
  const namespace = previewNamespace(app.name, values);
  const application = {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: {
      name: `${app.name}-pr-${values.number}`,
      namespace: platform.engineSettings.argocd.namespace,
      labels: { ...platformLabels(app.name, project), "sluice.dev/preview-of": app.name },
      annotations: { "sluice.dev/pull-request": values.number },
    },
    spec: {
      project,
      source: {
        repoURL: platform.envRepo.url,
        targetRevision: revision,
        path: sourcePath(platform, previewDir(app.name, cluster.name)),
        kustomize: {
          namespace,
          images: [`${image}:${previewTag(previews, values)}`],
          ...(exposed
            ? {
                patches: [
                  { target: { kind: exposed.kind, name: app.name }, patch: hostPatch(exposed, previewHost(previews, app.name, values)) },
                ],
              }
            : {}),
          commonAnnotations: { "sluice.dev/pull-request": values.number },
        },
      },
      destination: { server: destinationServer(cluster), namespace },
      syncPolicy: { automated: { prune: true, selfHeal: true } },
    },
  } satisfies ArgoApplication & { spec: ArgoPreviewSpec };
  return application;
}

function withoutNamespace<M extends { namespace?: string }>({ namespace: _namespace, ...metadata }: M): Omit<M, "namespace"> {
  return metadata;
}

function seconds(duration: string): number {
  return Number(duration.slice(0, -1)) * SECONDS[duration.slice(-1) as keyof typeof SECONDS];
}

function scm(
  source: NonNullable<PreviewsModel["scm"]>,
  previews: PreviewsModel,
): Pick<ArgoApplicationSet["spec"]["generators"][number]["pullRequest"], "github" | "gitlab" | "filters"> {
  const filters = previews.targetBranch
    ? { filters: [{ targetBranchMatch: `^${previews.targetBranch.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$` }] }
    : {};
  if ("github" in source) {
    const { repository, api, token } = source.github;
    const [owner, repo] = repository.split("/") as [string, string];
    return {
      github: { owner, repo, ...(api ? { api } : {}), tokenRef: { secretName: token.secret, key: "token" }, labels: [previews.label] },
      ...filters,
    };
  }
  const { projectId, url, token } = source.gitlab;
  return {
    // Without the state, merge requests closed or merged with the label would keep their previews.
    gitlab: {
      project: String(projectId),
      ...(url ? { api: url } : {}),
      tokenRef: { secretName: token.secret, key: "token" },
      labels: [previews.label],
      pullRequestState: "opened",
    },
    ...filters,
  };
}
