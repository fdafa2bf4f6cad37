import { recommendedLabels } from "../k8s/labels.js";
import { isClusterScoped, type KubernetesObject } from "../k8s/object.js";
import type { Origin } from "../model/origin.js";
import type { Blueprint, RenderedObject } from "../model/rendered.js";
import type { ResolvedApp } from "../model/resolved.js";

/**
 * The manifests of one app on one cluster: the blueprint's objects and the
 * app's raw objects, each in the app's namespace, carrying the recommended
 * labels, filed under apps/<app>/<cluster>/.
 */
export function renderWorkload(app: ResolvedApp, blueprint: Blueprint, sources: readonly string[]): RenderedObject[] {
  const dir = `apps/${app.name}/${app.cluster.name}`;
  const generated = blueprint.render(app).map((object) => ({ object, origin: app.origin }));
  const raw = app.objects.map(({ object, origin }) => ({ object: structuredClone(object), origin }));
  const labels = recommendedLabels(app);
  return [...generated, ...raw].map(({ object, origin }: { object: KubernetesObject; origin: Origin }) => {
    const finished = finish(object, app, labels);
    return { path: `${dir}/${fileName(finished, app.name)}`, object: finished, origin, sources };
  });
}

function finish(object: KubernetesObject, app: ResolvedApp, labels: Record<string, string>): KubernetesObject {
  const metadata = {
    ...object.metadata,
    ...(isClusterScoped(object.kind) ? {} : { namespace: object.metadata.namespace ?? app.namespace }),
    labels: { ...object.metadata.labels, ...labels },
  };
  return { ...object, metadata };
}

/**
 * "deployment.yaml" for the object named after the app, "<kind>-<name>.yaml"
 * for any other, so that adding an object never renames an existing file.
 */
function fileName(object: KubernetesObject, appName: string): string {
  const kind = object.kind.toLowerCase();
  return object.metadata.name === appName ? `${kind}.yaml` : `${kind}-${object.metadata.name}.yaml`;
}
