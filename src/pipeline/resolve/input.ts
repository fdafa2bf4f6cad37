import fs from "node:fs";
import path from "node:path";
import { releaseOriginOf, type AppModel, type ClusterModel, type Model } from "../../model/model.js";
import type { InstanceApp, InstanceInput, InstancePlatform } from "../../model/instance-input.js";
import { own } from "../../model/own.js";
import type { Settings } from "../../model/settings-schema.js";

/**
 * The builder of every instance's input for this model, or undefined for an
 * instance whose wave has no release of the app. Parts shared by instances
 * (the platform view, each app's view, a SOPS file's bytes) are built once
 * and shared, which the render key's hashing relies on for its speed.
 */
export function instanceInputs(root: string, model: Model): (app: AppModel, cluster: ClusterModel) => InstanceInput | undefined {
  const { platform } = model;
  const view: InstancePlatform = {
    origin: platform.origin,
    envRepo: platform.envRepo,
    engineSettings: platform.engineSettings,
    secrets: platform.secrets,
    customResources: platform.customResources,
    teams: platform.teams.map(({ name, namespaces }) => ({ name, namespaces })),
  };
  const environments = new Map(platform.environments.map((e) => [e.name, e]));
  const waves = new Map(platform.waves.map((w) => [w.name, w]));
  const apps = new Map(model.apps.map((app) => [app.name, app]));
  const views = new Map<AppModel, { readonly app: InstanceApp; readonly sources: readonly string[] }>();
  const contents = new Map<string, string | null>();
  const read = (file: string) => {
    if (!contents.has(file)) contents.set(file, readOrNull(path.resolve(root, file)));
    return contents.get(file)!;
  };

  return (app, cluster) => {
    const release = own(app.release, cluster.wave);
    if (release === undefined) return undefined;
    let appView = views.get(app);
    if (appView === undefined) {
      const { release: _release, releaseOrigins: _origins, ...rest } = app;
      views.set(app, (appView = { app: rest, sources: [...new Set([platform.origin.file, app.origin.file])].sort() }));
    }
    const environment = environments.get(cluster.environment)!;
    const node = { kind: "app" as const, name: app.name };
    // Validation saw every app; a caller is missing only from a model narrowed to some apps (status).
    const callerNamespaces = Object.fromEntries(
      app.callers.flatMap((caller) => {
        const namespace = "app" in caller ? apps.get(caller.app)?.namespace : undefined;
        return "app" in caller && namespace !== undefined ? [[caller.app, namespace] as const] : [];
      }),
    );
    const layers = [
      environment.settings,
      cluster.settings,
      app.settings,
      own(app.environmentOverrides, environment.name),
      own(app.clusterOverrides, cluster.name),
    ];
    const sopsFiles = Object.fromEntries(sopsFilesOf(layers).map((file) => [file, read(file)] as const));
    return {
      app: appView.app,
      release,
      releaseOrigin: releaseOriginOf(app, cluster.wave),
      cluster,
      environment,
      wave: waves.get(cluster.wave)!,
      platform: view,
      fleet: {
        orderDepth: model.order.depth(cluster.name, node),
        dependsOn: model.order.dependencies(cluster.name, node).map((dependency) => {
          const team = dependency.kind === "app" ? apps.get(dependency.name)?.team : undefined;
          return team === undefined ? dependency : { ...dependency, team };
        }),
        callerNamespaces,
      },
      sources: appView.sources,
      sopsFiles,
    };
  };
}

function sopsFilesOf(layers: readonly (Settings | undefined)[]): string[] {
  const files = layers
    .flatMap((settings) => Object.values(settings?.secrets ?? {}))
    .flatMap((source) => (source.provider === "sops" ? [source.file] : []));
  return [...new Set(files)].sort();
}

function readOrNull(file: string): string | null {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return null;
  }
}
