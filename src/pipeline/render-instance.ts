import { recommendedLabels } from "../k8s/labels.js";
import { isClusterScoped, type KubernetesObject } from "../k8s/object.js";
import type { PlatformModel } from "../model/model.js";
import type { Blueprint, RenderedObject } from "../model/rendered.js";
import type { ResolvedApp } from "../model/resolved.js";
import { renderSecret } from "../../lib/secrets/index.js";
import { renderArgoApplication } from "./render-argocd.js";

/** Where the manifests of one app on one cluster live: every object in one file. */
export function manifestPath(app: string, cluster: string): string {
  return `apps/${app}/${cluster}/manifest.yaml`;
}

/**
 * Everything one app instance (one app on one cluster) contributes to the env
 * repo, and nothing else: its manifests — the blueprint's objects, the
 * objects that bring in its secrets, then the app's raw objects in the order
 * written, each in the app's namespace with the recommended labels — in
 * apps/<app>/<cluster>/manifest.yaml, and its GitOps
 * object in clusters/<cluster>/apps/<app>.yaml. An instance renders from its
 * resolved spec alone, which is what lets synth skip instances that did not
 * change.
 */
export function renderInstance(platform: PlatformModel, app: ResolvedApp, blueprint: Blueprint, sources: readonly string[]): RenderedObject[] {
  const path = manifestPath(app.name, app.cluster.name);
  const labels = recommendedLabels(app);
  const generated = blueprint.render(app).map((object) => ({ object, origin: app.origin }));
  const secrets = app.secrets.flatMap((secret) => renderSecret(app, secret).map((object) => ({ object, origin: secret.origin })));
  const raw = app.objects.map(({ object, origin }) => ({ object: structuredClone(object), origin }));
  const workload = [...generated, ...secrets, ...raw].map(({ object, origin }) => ({ path, object: finish(object, app, labels), origin, sources }));
  return [...workload, renderArgoApplication(platform, app, sources)];
}

function finish(object: KubernetesObject, app: ResolvedApp, labels: Record<string, string>): KubernetesObject {
  const metadata = {
    ...object.metadata,
    ...(isClusterScoped(object.kind) ? {} : { namespace: object.metadata.namespace ?? app.namespace }),
    labels: { ...object.metadata.labels, ...labels },
  };
  return { ...object, metadata };
}
