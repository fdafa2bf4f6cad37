import { engineEnvironment } from "../../model/hub.js";
import { planAnalysisRefs } from "../../model/progressive-schema.js";
import fs from "node:fs";
import path from "node:path";
import { releaseOriginOf, type AppModel, type ClusterModel, type EnvironmentModel, type Model } from "../../model/model.js";
import type { Origin } from "../../model/origin.js";
import type { InstanceApp, InstanceInput, InstancePlatform } from "../../model/instance-input.js";
import { own } from "../../model/own.js";
import type { Settings } from "../../model/settings-schema.js";
import { instanceSubscriptions } from "../../model/notifications.js";

/**
 * The builder of every instance's input for this model, or undefined for an
 * instance whose wave has no release of the app. Parts shared by instances
 * (the platform view, each app's view, a SOPS file's bytes) are built once
 * and shared, which the render key's hashing relies on for its speed: it
 * serialises each distinct object once (render/instance-key.ts), so the
 * per-instance parts that are most often alike — no dependencies, no SOPS
 * file, an app's callers, the origin of a wave's release — are shared too.
 */
export function instanceInputs(root: string, model: Model): (app: AppModel, cluster: ClusterModel) => InstanceInput | undefined {
  const { platform } = model;
  const shared: Omit<InstancePlatform, "notify"> = {
    origin: platform.origin,
    envRepo: platform.envRepo,
    engineSettings: platform.engineSettings,
    secrets: platform.secrets,
    customResources: platform.customResources,
    teams: platform.teams.map(({ name, namespaces, podSecurity }) => ({ name, namespaces, ...(podSecurity ? { podSecurity } : {}) })),
  };
  // One view per team, holding the team's own subscriptions: they are in its instances' keys only.
  const views = new Map(platform.teams.map((team) => [team.name, { ...shared, notify: instanceSubscriptions(team.notify) }]));
  const environments = new Map(platform.environments.map((e) => [e.name, e]));
  // As its engines see it (a cluster adopting an engine prunes nothing): one object per cluster, shared by its instances.
  const clusterEnvironments = new Map<string, EnvironmentModel>();
  const waves = new Map(platform.waves.map((w) => [w.name, w]));
  const apps = new Map(model.apps.map((app) => [app.name, app]));
  const appViews = new Map<
    AppModel,
    { readonly app: InstanceApp; readonly sources: readonly string[]; readonly analyses: InstanceInput["analyses"] }
  >();
  const contents = new Map<string, string | null>();
  const perApp = new Map<
    AppModel,
    {
      readonly callerNamespaces: Record<string, string>;
      readonly releaseOrigins: Map<string, Origin>;
      readonly fleets: Map<number, InstanceInput["fleet"]>;
    }
  >();
  const read = (file: string) => {
    if (!contents.has(file)) contents.set(file, readOrNull(path.resolve(root, file)));
    return contents.get(file)!;
  };

  return (app, cluster) => {
    const release = releaseOn(app, cluster);
    if (release === undefined) return undefined;
    let appView = appViews.get(app);
    if (appView === undefined) {
      // The app's preview renders apart (render/previews.ts): its settings are no instance's input.
      const { release: _release, releaseOrigins: _origins, preview: _preview, ...rest } = app;
      const named = analysesNamed(app);
      appViews.set(
        app,
        (appView = {
          app: rest,
          sources: [...new Set([platform.origin.file, app.origin.file])].sort(),
          analyses:
            named.length === 0
              ? NO_ANALYSES
              : Object.fromEntries(
                  named.flatMap((name) => {
                    const analysis = own(platform.analyses, name);
                    return analysis ? [[name, analysis] as const] : [];
                  }),
                ),
        }),
      );
    }
    let shared = perApp.get(app);
    if (shared === undefined) {
      // Validation saw every app; a caller is missing only from a model narrowed to some apps (status).
      const callerNamespaces = Object.fromEntries(
        app.callers.flatMap((caller) => {
          const namespace = "app" in caller ? apps.get(caller.app)?.namespace : undefined;
          return "app" in caller && namespace !== undefined ? [[caller.app, namespace] as const] : [];
        }),
      );
      perApp.set(app, (shared = { callerNamespaces, releaseOrigins: new Map(), fleets: new Map() }));
    }
    let releaseOrigin = shared.releaseOrigins.get(cluster.wave);
    if (releaseOrigin === undefined) shared.releaseOrigins.set(cluster.wave, (releaseOrigin = releaseOriginOf(app, cluster.wave)));
    let environment = clusterEnvironments.get(cluster.name);
    if (environment === undefined)
      clusterEnvironments.set(cluster.name, (environment = engineEnvironment(environments.get(cluster.environment)!, cluster)));
    const node = { kind: "app" as const, name: app.name };
    const orderDepth = model.order.depth(cluster.name, node);
    const dependencies = model.order.dependencies(cluster.name, node);
    let fleet = dependencies.length === 0 ? shared.fleets.get(orderDepth) : undefined;
    if (fleet === undefined) {
      fleet = {
        orderDepth,
        dependsOn: dependencies.map((dependency) => {
          const team = dependency.kind === "app" ? apps.get(dependency.name)?.team : undefined;
          return team === undefined ? dependency : { ...dependency, team };
        }),
        callerNamespaces: shared.callerNamespaces,
      };
      if (dependencies.length === 0) shared.fleets.set(orderDepth, fleet);
    }
    const layers = [
      environment.settings,
      cluster.settings,
      app.settings,
      own(app.environmentOverrides, environment.name),
      own(app.clusterOverrides, cluster.name),
    ];
    const sopsFileNames = sopsFilesOf(layers);
    const sopsFiles = sopsFileNames.length === 0 ? NO_FILES : Object.fromEntries(sopsFileNames.map((file) => [file, read(file)] as const));
    return {
      app: appView.app,
      release,
      releaseOrigin,
      cluster,
      environment,
      wave: waves.get(cluster.wave)!,
      platform: views.get(app.team)!,
      fleet,
      sources: appView.sources,
      sopsFiles,
      analyses: appView.analyses,
    };
  };
}

/** The release an app runs on a cluster: its wave's; without one the app does not run there. */
export function releaseOn(app: Pick<AppModel, "release">, cluster: Pick<ClusterModel, "wave">): string | undefined {
  return own(app.release, cluster.wave);
}

const NO_FILES: Readonly<Record<string, string | null>> = Object.freeze({});
const NO_ANALYSES: InstanceInput["analyses"] = Object.freeze({});

/** The analyses an app's `progressive` names in any of its layers, sorted. */
function analysesNamed(app: AppModel): string[] {
  const layers = [app.settings, ...Object.values(app.environmentOverrides), ...Object.values(app.clusterOverrides)];
  const names = layers.flatMap((layer) => {
    const plan = (layer as Settings | undefined)?.progressive;
    if (!plan) return [];
    return planAnalysisRefs(plan).map((ref) => (typeof ref === "string" ? ref : ref.name));
  });
  return [...new Set(names)].sort();
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
