import fs from "node:fs";
import path from "node:path";
import { releaseOriginOf, type AppModel, type ClusterModel, type Dependency, type EnvironmentModel, type Model, type PlatformModel, type TeamModel, type WaveModel } from "../model/model.js";
import type { Origin } from "../model/origin.js";
import { own } from "../model/own.js";
import type { Settings } from "../model/settings-schema.js";

/**
 * The platform as one instance sees it: only what resolving, rendering and
 * checking an instance read. A renderer that needs another platform field
 * does not compile until it is added here — and then it is in the render key.
 */
export type InstancePlatform = Pick<PlatformModel, "origin" | "envRepo" | "argocdNamespace" | "flux" | "secrets" | "customResources"> & {
  /** A Flux Kustomization lives in its team's first namespace, and waits for other teams' apps in theirs. */
  readonly teams: readonly Pick<TeamModel, "name" | "namespaces">[];
};

/** An app's declaration as one of its instances sees it: the releases of the other waves left out. */
export type InstanceApp = Omit<AppModel, "release" | "releaseOrigins">;

/**
 * Everything one app instance (an app on one cluster) is resolved, rendered
 * and checked from, and nothing else: resolve, render and check take this
 * value, and the render cache's key is a hash of it (see cache/instance-key.ts),
 * so there is nothing a renderer reads that the key could miss. Plain data
 * only — no functions, maps or class instances — so that it serialises whole.
 */
export interface InstanceInput {
  readonly app: InstanceApp;
  /** The release of the cluster's wave, and where it is written (what the rendered image points back at). */
  readonly release: string;
  readonly releaseOrigin: Origin;
  readonly cluster: ClusterModel;
  readonly environment: EnvironmentModel;
  readonly wave: WaveModel;
  readonly platform: InstancePlatform;
  /** What the instance reads of the rest of the fleet. */
  readonly fleet: InstanceFleet;
  /** The stack files its files come from: the platform's and the app's (the lock records them). */
  readonly sources: readonly string[];
  /**
   * The SOPS files its settings name, by path, with their bytes (null when
   * unreadable): delivered as they are, so their bytes are part of the output.
   */
  readonly sopsFiles: Readonly<Record<string, string | null>>;
}

export interface InstanceFleet {
  /** Its position in the cluster's sync order. */
  readonly syncWave: number;
  /** What it waits for on the cluster, apps with their teams (Flux names their namespaces). */
  readonly dependsOn: readonly (Dependency & { readonly team?: string })[];
  /** Each calling app's namespace, which the app's NetworkPolicy names. */
  readonly callerNamespaces: Readonly<Record<string, string>>;
}

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
    argocdNamespace: platform.argocdNamespace,
    flux: platform.flux,
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
    const layers = [environment.settings, cluster.settings, app.settings, own(app.environmentOverrides, environment.name), own(app.clusterOverrides, cluster.name)];
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
        syncWave: model.order.wave(cluster.name, node),
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
  const files = layers.flatMap((settings) => Object.values(settings?.secrets ?? {})).flatMap((source) => (source.provider === "sops" ? [source.file] : []));
  return [...new Set(files)].sort();
}

function readOrNull(file: string): string | null {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return null;
  }
}
