import { toYaml } from "../../k8s/yaml.js";
import type { KubernetesObject } from "../../k8s/object.js";
import type { AppModel, ClusterModel, Model } from "../../model/model.js";
import type { InstanceInput } from "../../model/instance-input.js";
import { own } from "../../model/own.js";
import { previewDir, previewHost, previewNamespace, previewTag, SAMPLE_PREVIEW, type PreviewInput } from "../../model/previews.js";
import type { Rendered, RenderedDocument, RenderedObject } from "../../model/rendered.js";
import type { Settings } from "../../model/settings-schema.js";
import { engineOf } from "../../engines/index.js";
import { argoPreviewObjects, previewApplication } from "../../engines/argocd/previews.js";
import { fluxPreviewObjects, previewKustomization } from "../../engines/flux/previews.js";
import { instanceNeeds, mergeValues, resolveError, resolveSome } from "../resolve/index.js";
import type { Blueprints } from "./blueprints.js";
import { manifestPath, renderInstance } from "./instance.js";
import { renderTeamNamespace } from "./namespaces.js";

/**
 * The preview environments of the apps that opt in, on each cluster that
 * hosts previews (see model/preview-schema.ts): the app rendered as on that
 * cluster with its `preview` settings on top, in previews/<app>/<cluster>/ —
 * its namespace's guard (the Namespace, the quota, container defaults, the
 * default-deny policy), its manifest, and a kustomization that names
 * pull request 0's namespace so the directory builds as it is — and the
 * engine's objects that open one per labelled pull request, setting the
 * namespace, image tag and host, in clusters/<cluster>/previews/<app>.yaml;
 * where records open them instead (no SCM), one engine object per record,
 * in clusters/<cluster>/previews/pr-<number>-<app>.yaml.
 */
export function renderPreviews(
  model: Model,
  inputOf: (app: AppModel, cluster: ClusterModel) => InstanceInput | undefined,
  blueprints: Blueprints,
): Rendered {
  const previews = model.platform.previews;
  if (!previews) return { objects: [], documents: [] };
  const objects: RenderedObject[] = [];
  const documents: RenderedDocument[] = [];
  const inputs: { input: InstanceInput; app: AppModel; cluster: ClusterModel }[] = [];
  for (const cluster of model.platform.clusters.filter((c) => previews.clusters.includes(c.name))) {
    for (const app of model.apps.filter((a) => a.preview && previews.apps.includes(a.name))) {
      const input = inputOf(asPreview(model, app, cluster), cluster);
      if (input) inputs.push({ input, app, cluster });
    }
  }
  const { resolved, diagnostics } = resolveSome(inputs.map(({ input }) => input));
  if (diagnostics.length > 0) throw resolveError(diagnostics);
  resolved.forEach((instance, index) => {
    const { input, app, cluster } = inputs[index]!;
    const dir = previewDir(app.name, cluster.name);
    const sources = input.sources;
    const manifest = renderInstance(input.platform, instance, blueprints.of(input.app), sources)
      .filter((object) => object.path === manifestPath(input.platform, app, cluster.name))
      .map((object) => ({ ...object, path: `${dir}/manifest.yaml` }));
    const team = model.platform.teams.find((t) => t.name === app.team)!;
    const environment = model.platform.environments.find((e) => e.name === cluster.environment)!;
    const namespace = previewNamespace(app.name, SAMPLE_PREVIEW);
    const guard = renderTeamNamespace(
      namespace,
      { ...team, quota: previews.quota },
      { ...environment, settings: { ...environment.settings, resources: previewDefaults(previews.limits, environment.settings) } },
      // A preview's namespace goes with its pull request: none of the team namespaces' keeping.
      { ...engineOf(cluster), keepNamespace: {} },
    ).map((object) => guardObject(object, app.name));
    objects.push(...guard.map((object) => ({ path: `${dir}/guard.yaml`, object, origin: previews.origin, sources })), ...manifest);
    documents.push({
      path: `${dir}/kustomization.yaml`,
      content: toYaml({
        apiVersion: "kustomize.config.k8s.io/v1beta1",
        kind: "Kustomization",
        // Pull request 0's: each engine sets the pull request's own (and so the Namespace's name).
        namespace,
        resources: ["guard.yaml", "manifest.yaml"],
      }),
      sources,
    });
    const exposedObject = manifest.find(
      ({ object }) => object.metadata.name === app.name && (object.kind === "HTTPRoute" || object.kind === "Ingress"),
    )?.object;
    const previewInput: PreviewInput = {
      app: { name: app.name },
      cluster,
      previews,
      image: app.image,
      ...(exposedObject
        ? { exposed: { kind: exposedObject.kind as "HTTPRoute" | "Ingress", tls: instance.spec.expose?.tls ?? false } }
        : {}),
      revision: environment.revision,
    };
    const engineObjects =
      cluster.engine === "flux" ? fluxPreviewObjects(model.platform, previewInput) : argoPreviewObjects(model.platform, previewInput);
    objects.push(
      ...engineObjects.map((object) => ({
        path: `clusters/${cluster.name}/previews/${app.name}.yaml`,
        object,
        origin: app.preview!.origin,
        sources,
      })),
    );
    for (const record of previews.opened.filter((o) => o.app === app.name)) {
      const values = { number: String(record.number), sha: record.sha ?? "" };
      objects.push({
        path: `clusters/${cluster.name}/previews/${previewNamespace(app.name, values)}.yaml`,
        object:
          cluster.engine === "flux"
            ? previewKustomization(model.platform, previewInput, values, model.platform.engineSettings.flux.namespace)
            : previewApplication(model.platform, previewInput, values),
        origin: record.origin,
        sources: [...new Set([...sources, record.origin.file])].sort(),
      });
    }
  });
  return { objects, documents };
}

/**
 * The app as its preview on a cluster resolves: its settings for that
 * cluster with its `preview` settings on top, in pull request 0's
 * namespace, served on pull request 0's host when it is exposed there, at
 * the tag app CI would push for it, rolled out at once (no canary).
 */
function asPreview(model: Model, app: AppModel, cluster: ClusterModel): AppModel {
  const previews = model.platform.previews!;
  const overlay = app.preview!.settings;
  const exposed = instanceNeeds(model.platform, app, cluster).exposed ?? (overlay.expose ? overlay.expose : undefined);
  const top = mergeValues([own(app.clusterOverrides, cluster.name) ?? {}, overlay]) as Settings;
  return {
    ...app,
    namespace: previewNamespace(app.name, SAMPLE_PREVIEW),
    release: { ...app.release, [cluster.wave]: previewTag(previews, SAMPLE_PREVIEW) },
    clusterOverrides: {
      ...app.clusterOverrides,
      [cluster.name]: {
        ...top,
        progressive: false,
        ...(exposed ? { expose: { ...(top.expose || {}), host: previewHost(previews, app.name, SAMPLE_PREVIEW) } } : {}),
      },
    },
  };
}

/** The container defaults of a preview namespace: the platform's for previews, else the environment's. */
function previewDefaults(limits: NonNullable<Model["platform"]["previews"]>["limits"], settings: Settings): Settings["resources"] {
  const requests = { ...settings.resources?.requests, ...limits.defaultRequest };
  const maximum = { ...settings.resources?.limits, ...limits.default };
  return {
    ...(Object.keys(requests).length > 0 ? { requests } : {}),
    ...(Object.keys(maximum).length > 0 ? { limits: maximum } : {}),
  };
}

/** A guard object of a preview namespace, marked as the app's preview's. */
function guardObject(object: KubernetesObject, app: string): KubernetesObject {
  return { ...object, metadata: { ...object.metadata, labels: { ...object.metadata.labels, "sluice.dev/preview-of": app } } };
}
