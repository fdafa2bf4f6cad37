import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Settings } from "../../model/settings-schema.js";
import { releaseOriginOf, type AppModel, type ClusterModel, type EnvironmentModel, type Model, type PlatformModel, type WaveModel } from "../../model/model.js";
import type { Blueprint } from "../../model/rendered.js";
import { engineFingerprint } from "../../cache/engine.js";
import { own } from "../../model/own.js";

/**
 * The render key of each app instance: a hash of everything its files are made
 * from — sluice's code, the blueprint, the platform settings an instance
 * reads, its environment, cluster and wave, the app, and the release — and of
 * nothing else. Lines are left out (a comment added to a stack renders the
 * same bytes); the stack files' names are in, because the lock records them.
 *
 * Undefined when the blueprint is not known to be pure: a blueprint given
 * through the API may change without its name changing, so only one that
 * declares a `cacheKey` (or the built-in one, hashed with sluice's code) is cached.
 */
export function instanceKeys(
  model: Model,
  blueprint: Blueprint,
  builtIn: boolean,
  policyFingerprint: string,
  root: string,
): ((app: AppModel, cluster: ClusterModel) => string) | undefined {
  if (!builtIn && blueprint.cacheKey === undefined) return undefined;
  // The policy is in the key: a cached instance's findings are not evaluated again.
  const base = hash(engineFingerprint(), blueprint.name, blueprint.cacheKey ?? "", platformPart(model.platform), policyFingerprint);
  const environments = new Map(model.platform.environments.map((e) => [e.name, e]));
  const waves = new Map(model.platform.waves.map((w) => [w.name, w]));
  // A SOPS file is delivered as it is, so its bytes are part of what renders an instance.
  const digests = new Map<string, string>();
  const sops = (...layers: (Settings | undefined)[]) =>
    layers
      .flatMap((settings) => Object.values(settings?.secrets ?? {}))
      .flatMap((source) => (source.provider === "sops" ? [source.file] : []))
      .sort()
      .map((file) => {
        let digest = digests.get(file);
        if (digest === undefined) digests.set(file, (digest = contentDigest(root, file)));
        return `${file}:${digest}`;
      })
      .join(",");
  const clusterKeys = new Map(
    model.platform.clusters.map((c) => {
      const environment = environments.get(c.environment)!;
      return [c.name, hash(clusterPart(c), environmentPart(environment), wavePart(waves.get(c.wave)!), sops(c.settings, environment.settings))];
    }),
  );
  const appKeys = new Map<string, string>();
  const namespaces = new Map(model.apps.map((app) => [app.name, app.namespace]));
  const teams = new Map(model.apps.map((app) => [app.name, app.team]));
  return (app, cluster) => {
    let appKey = appKeys.get(app.name);
    // A caller's namespace is in the app's NetworkPolicy.
    const callers = () => JSON.stringify(app.callers.map((caller) => ("app" in caller ? namespaces.get(caller.app) ?? "" : "")));
    if (appKey === undefined) {
      const files = sops(app.settings, ...Object.values(app.environmentOverrides), ...Object.values(app.clusterOverrides));
      appKeys.set(app.name, (appKey = hash(appPart(app), callers(), files)));
    }
    // Where it stands in the cluster's sync order, and what it waits for (with their teams, whose namespaces Flux names).
    const node = { kind: "app" as const, name: app.name };
    const order = JSON.stringify([model.order.wave(cluster.name, node), model.order.dependencies(cluster.name, node).map((d) => [d.kind, d.name, d.kind === "app" ? teams.get(d.name) : ""])]);
    // The release of its wave, and where it is written (what the rendered image points back at).
    const release = JSON.stringify([own(app.release, cluster.wave) ?? "", releaseOriginOf(app, cluster.wave)]);
    return hash(base, clusterKeys.get(cluster.name)!, appKey, release, order);
  };
}

function hash(...parts: string[]): string {
  const h = createHash("sha256");
  for (const part of parts) h.update(part).update("\0");
  return h.digest("hex").slice(0, 40);
}

function platformPart(platform: PlatformModel): string {
  // The secrets policy decides what check lets through, and a cached instance is not checked again.
  // Teams' namespaces: a Flux Kustomization lives in its team's first one.
  const teams = platform.teams.map(({ name, namespaces }) => [name, namespaces]);
  return JSON.stringify([platform.origin.file, platform.envRepo, platform.engine, platform.argocdNamespace, platform.flux, platform.secrets, platform.customResources, teams]);
}

function environmentPart({ origin: _origin, ...environment }: EnvironmentModel): string {
  return JSON.stringify(environment);
}

function clusterPart({ origin: _origin, ...cluster }: ClusterModel): string {
  return JSON.stringify(cluster);
}

function wavePart({ origin: _origin, ...wave }: WaveModel): string {
  return JSON.stringify(wave);
}

/** The app without its releases: an instance's key takes only the release of its own wave. */
function appPart({ origin, objects, release: _release, releaseOrigins: _releaseOrigins, ...app }: AppModel): string {
  return JSON.stringify([origin.file, app, objects.map(({ object, origin: at }) => [object, at.path ?? []])]);
}

function contentDigest(root: string, file: string): string {
  try {
    return createHash("sha256").update(fs.readFileSync(path.resolve(root, file))).digest("hex");
  } catch {
    return "missing";
  }
}
