import { appProgressiveProblems } from "./progressive.js";
import type { KubernetesObject } from "../../k8s/object.js";
import { appSchema } from "../../model/app-schema.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import type { AppModel, PlatformModel } from "../../model/model.js";
import { dnsLabelProblem, RESERVED_APP_NAMES, RESERVED_PREFIX } from "../../model/names.js";
import { childOrigin, type Origin } from "../../model/origin.js";
import { validateObjects } from "./objects.js";
import { ownedFieldsProblems } from "./owned-fields.js";
import { validateExternalSecrets } from "./external-secrets.js";
import { zodDiagnostics } from "./zod-issues.js";
import type { Rule } from "../../model/rule.js";
import { own } from "../../model/own.js";
import { isPinned } from "../../model/release.js";
import { nameHint } from "../../model/spelling.js";
import { BUILT_IN_BLUEPRINTS } from "../../model/blueprint-names.js";
import { DEFAULT_KIND, kindsTaking, kindTakes, type AppKind } from "../../model/app-kinds.js";
import type { Settings } from "../../model/settings-schema.js";

interface DeclaredApp {
  readonly name: string;
  readonly spec: unknown;
  readonly origin: Origin;
  /** Wave → where a release file sets its release (see releases.ts). */
  readonly releaseOrigins?: Readonly<Record<string, Origin>>;
}

/**
 * Checks every app against its schema and the platform: a DNS-label name used
 * once, a declared team and one of its namespaces, releases for declared
 * waves covering a prefix of the rollout, overrides for declared environments
 * and clusters, raw objects that stay in the app's namespace.
 */
export function validateApps(
  apps: readonly DeclaredApp[],
  platform: PlatformModel,
  rules: ReadonlyMap<string, Rule> = new Map(),
): { apps: AppModel[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const valid: AppModel[] = [];
  const firstDeclared = new Map<string, Origin>();

  for (const app of apps) {
    const nameProblem = dnsLabelProblem(app.name);
    if (nameProblem) {
      diagnostics.push({
        code: "validate/app-name",
        message: `app name ${JSON.stringify(app.name)} ${nameProblem}`,
        origin: app.origin,
        hint: 'app names become directory and object names; use something like "payments" or "catalog-api"',
      });
      continue;
    }
    if (app.name.startsWith(RESERVED_PREFIX)) {
      diagnostics.push({
        code: "validate/reserved-app-name",
        message: `app name ${JSON.stringify(app.name)} starts with "${RESERVED_PREFIX}", which sluice's own objects and projects are named with`,
        origin: app.origin,
        hint: "give the app another name",
      });
      continue;
    }
    if (RESERVED_APP_NAMES.has(app.name)) {
      diagnostics.push({
        code: "validate/reserved-app-name",
        message: `app name ${JSON.stringify(app.name)} is taken by the Application sluice generates for every cluster's root`,
        origin: app.origin,
        hint: "give the app another name",
      });
      continue;
    }
    const earlier = firstDeclared.get(app.name);
    if (earlier) {
      diagnostics.push({
        code: "validate/duplicate-app",
        message: `app ${app.name} is declared twice (first at ${earlier.file}:${earlier.line})`,
        origin: app.origin,
        hint: "app names are unique across all stacks; rename or remove one of them",
      });
      continue;
    }
    firstDeclared.set(app.name, app.origin);
    const result = validateApp(app, platform, rules);
    diagnostics.push(...result.diagnostics.map((diagnostic) => inReleaseFile(diagnostic, app)));
    if (result.app) valid.push(result.app);
  }
  valid.sort((a, b) => (a.name < b.name ? -1 : 1));
  const known = new Set(valid.map((app) => app.name));
  for (const app of valid) {
    app.callers.forEach((caller, index) => {
      if (!("app" in caller) || known.has(caller.app) || firstDeclared.has(caller.app)) return;
      diagnostics.push({
        code: "validate/unknown-caller",
        message: `app ${app.name} lets app ${JSON.stringify(caller.app)} call it, but no such app is declared`,
        origin: childOrigin(app.origin, "callers", index),
        hint: nameHint(caller.app, [...known], 'name a declared app, or a namespace as { namespace: "ingress-nginx" }'),
      });
    });
  }
  return { apps: valid, diagnostics };
}

/** A problem with a release set in a release file, pointed at that file rather than at the app. */
function inReleaseFile(diagnostic: Diagnostic, app: DeclaredApp): Diagnostic {
  const path = diagnostic.origin?.path;
  if (!app.releaseOrigins || !path || path[0] !== "release" || typeof path[1] !== "string" || diagnostic.origin!.file !== app.origin.file)
    return diagnostic;
  if (!Object.hasOwn(app.releaseOrigins, path[1])) return diagnostic;
  const origin = app.releaseOrigins[path[1]]!;
  return { ...diagnostic, origin: { ...origin, path: [...(origin.path ?? []), ...path.slice(2)] } };
}

function validateApp(
  app: DeclaredApp,
  platform: PlatformModel,
  rules: ReadonlyMap<string, Rule>,
): { app?: AppModel; diagnostics: Diagnostic[] } {
  const parsed = appSchema.safeParse(app.spec);
  if (!parsed.success) return { diagnostics: zodDiagnostics(parsed.error, app.origin) };
  const spec = parsed.data;
  const diagnostics: Diagnostic[] = [];
  const at = (...path: (string | number)[]) => childOrigin(app.origin, ...path);
  const names = (list: readonly { name: string }[]) => list.map((x) => x.name).join(", ");

  const team = platform.teams.find((t) => t.name === spec.team);
  if (!team) {
    diagnostics.push({
      code: "validate/unknown-team",
      message: `team ${JSON.stringify(spec.team)} is not declared by the platform`,
      origin: at("team"),
      hint: `use one of: ${names(platform.teams)}`,
    });
  }
  const kind = spec.kind ?? DEFAULT_KIND;
  if (spec.blueprint !== undefined) {
    const builtIn = (BUILT_IN_BLUEPRINTS as readonly string[]).includes(spec.blueprint);
    const registered = Object.hasOwn(platform.blueprints, spec.blueprint) ? platform.blueprints[spec.blueprint]! : undefined;
    const known = [...BUILT_IN_BLUEPRINTS, ...Object.keys(platform.blueprints)];
    const renders = builtIn ? spec.blueprint : (registered?.kind ?? DEFAULT_KIND);
    if (!builtIn && !registered) {
      diagnostics.push({
        code: "validate/unknown-blueprint",
        message: `blueprint ${JSON.stringify(spec.blueprint)} is not registered`,
        origin: at("blueprint"),
        hint: nameHint(spec.blueprint, known, "register it in the platform's blueprints"),
      });
    } else if (renders !== kind) {
      diagnostics.push({
        code: "validate/blueprint-kind",
        message: `blueprint ${JSON.stringify(spec.blueprint)} renders ${renders} apps, and this app is a ${kind}`,
        origin: at("blueprint"),
        hint: `choose a blueprint for ${kind} apps, or set kind: ${JSON.stringify(renders)}`,
      });
    }
  }
  diagnostics.push(...kindProblems(kind, spec, at), ...ownedFieldsProblems(spec, platform, at));
  const namespace = spec.namespace ?? team?.namespaces[0] ?? "";
  if (team && !team.namespaces.includes(namespace)) {
    diagnostics.push({
      code: "validate/foreign-namespace",
      message: `namespace ${namespace} does not belong to team ${team.name}`,
      origin: at("namespace"),
      hint: `use one of the team's namespaces: ${team.namespaces.join(", ")}`,
    });
  }

  // Releases must name declared waves and cover a prefix of the rollout order:
  // a release reaches wave N+1 only after wave N.
  for (const wave of Object.keys(spec.release)) {
    if (!platform.waves.some((w) => w.name === wave)) {
      diagnostics.push({
        code: "validate/unknown-wave",
        message: `release names wave ${JSON.stringify(wave)}, which is not declared`,
        origin: at("release", wave),
        hint: `use one of: ${names(platform.waves)}`,
      });
    }
  }
  for (const wave of platform.waves) {
    const tag = own(spec.release, wave.name);
    if (tag === undefined || isPinned(tag)) continue;
    const problem = movingTagProblem(platform, spec.image, tag, wave.clusters);
    if (problem) diagnostics.push({ code: "validate/moving-tag", ...problem, origin: at("release", wave.name) });
  }
  const released = platform.waves.map((w) => Object.hasOwn(spec.release, w.name));
  const gap = released.findIndex((has, i) => !has && released.slice(i + 1).some(Boolean));
  if (gap !== -1) {
    const later = platform.waves.find((_, i) => i > gap && released[i])!;
    diagnostics.push({
      code: "validate/release-skips-wave",
      message: `app ${app.name} has a release for wave ${later.name} but none for the earlier wave ${platform.waves[gap]!.name}`,
      origin: at("release", later.name),
      hint: "a release reaches a wave only after the waves before it; add a release for every earlier wave",
    });
  }
  if (!released.some(Boolean)) {
    diagnostics.push({
      code: "validate/no-release",
      message: `app ${app.name} has no release for any wave, so it runs nowhere`,
      origin: at("release"),
      hint: `add a release for the first wave, e.g. release: { ${JSON.stringify(platform.waves[0]!.name)}: "1.0.0" }`,
    });
  }

  for (const environment of Object.keys(spec.environments ?? {})) {
    if (!platform.environments.some((e) => e.name === environment)) {
      diagnostics.push({
        code: "validate/unknown-environment",
        message: `override for environment ${JSON.stringify(environment)}, which is not declared`,
        origin: at("environments", environment),
        hint: `use one of: ${names(platform.environments)}`,
      });
    }
  }
  for (const cluster of Object.keys(spec.clusters ?? {})) {
    if (!platform.clusters.some((c) => c.name === cluster)) {
      diagnostics.push({
        code: "validate/unknown-cluster",
        message: `override for cluster ${JSON.stringify(cluster)}, which is not declared`,
        origin: at("clusters", cluster),
        hint: `use one of: ${names(platform.clusters)}`,
      });
    }
  }

  diagnostics.push(
    ...appProgressiveProblems(spec.progressive, platform.analyses, (...path) => at("progressive", ...path)),
    ...Object.entries(spec.environments ?? {}).flatMap(([name, layer]) =>
      appProgressiveProblems(layer.progressive, platform.analyses, (...path) => at("environments", name, "progressive", ...path)),
    ),
    ...Object.entries(spec.clusters ?? {}).flatMap(([name, layer]) =>
      appProgressiveProblems(layer.progressive, platform.analyses, (...path) => at("clusters", name, "progressive", ...path)),
    ),
  );

  for (const [id, waiver] of Object.entries(spec.waivers ?? {})) {
    const rule = rules.get(id);
    if (!rule) {
      diagnostics.push({
        code: "validate/unknown-rule",
        message: `waiver for rule ${JSON.stringify(id)}, which does not exist`,
        origin: at("waivers", id),
        hint: `use one of: ${[...rules.keys()].sort().join(", ")}`,
      });
    } else if (rule.waivable === false) {
      diagnostics.push({
        code: "validate/unwaivable-rule",
        message: `rule ${id} cannot be waived`,
        origin: at("waivers", id),
        ...(rule.hint ? { hint: rule.hint } : {}),
      });
    }
    (waiver.clusters ?? []).forEach((cluster, index) => {
      if (platform.clusters.some((c) => c.name === cluster)) return;
      diagnostics.push({
        code: "validate/unknown-cluster",
        message: `waiver of ${id} names cluster ${JSON.stringify(cluster)}, which is not declared`,
        origin: at("waivers", id, "clusters", index),
        hint: `use one of: ${names(platform.clusters)}`,
      });
    });
  }

  const objects = (spec.objects ?? []) as KubernetesObject[];
  diagnostics.push(...validateObjects(objects, namespace, platform, app.origin));
  diagnostics.push(...validateExternalSecrets(objects, spec.team, platform, app.origin));
  if (diagnostics.length > 0) return { diagnostics };

  const {
    team: _team,
    image,
    release,
    namespace: _ns,
    partOf,
    kind: _kind,
    blueprint,
    environments,
    clusters,
    objects: _objects,
    allowLiterals,
    waivers,
    callers,
    dependsOn,
    preview,
    ...settings
  } = spec;
  return {
    app: {
      name: app.name,
      team: spec.team,
      image,
      namespace,
      partOf: partOf ?? spec.team,
      kind,
      ...(blueprint !== undefined ? { blueprint } : {}),
      release: Object.fromEntries(platform.waves.filter((w) => Object.hasOwn(release, w.name)).map((w) => [w.name, release[w.name]!])),
      settings,
      environmentOverrides: environments ?? {},
      clusterOverrides: clusters ?? {},
      ...(preview !== undefined ? { preview: { settings: preview === true ? {} : preview, origin: at("preview") } } : {}),
      objects: objects.map((object, index) => ({ object, origin: at("objects", index) })),
      allowLiterals: allowLiterals ?? {},
      waivers: Object.fromEntries(
        Object.entries(waivers ?? {}).map(([id, waiver]) => [
          id,
          {
            reason: waiver.reason,
            ...(waiver.expires ? { expires: waiver.expires } : {}),
            ...(waiver.clusters ? { clusters: [...waiver.clusters].sort() } : {}),
            origin: at("waivers", id),
          },
        ]),
      ),
      callers: (callers ?? []).map((caller) =>
        typeof caller === "string" ? { app: caller } : { ...caller, ...(caller.ports ? { ports: [...caller.ports] } : {}) },
      ),
      dependsOn: [...(dependsOn ?? [])],
      releaseOrigins: app.releaseOrigins ?? {},
      origin: app.origin,
    },
    diagnostics,
  };
}

/**
 * A plain tag that is not semver can move under the same name, so it is a
 * release only where a platform rule (releases.allowTags) allows plain tags
 * for the image's registry in every environment the wave's clusters are in.
 */
function movingTagProblem(
  platform: PlatformModel,
  image: string,
  tag: string,
  clusters: readonly string[],
): { message: string; hint: string } | undefined {
  const environments = [...new Set(clusters.map((name) => platform.clusters.find((c) => c.name === name)!.environment))].sort();
  const forImage = platform.allowTags
    .map((rule, index) => ({ rule, index }))
    .filter(({ rule }) => rule.registry === undefined || image.startsWith(rule.registry));
  const refused = environments.filter(
    (environment) => !forImage.some(({ rule }) => rule.environments === undefined || rule.environments.includes(environment)),
  );
  if (refused.length === 0) return undefined;
  const registry = image.includes("/") ? `${image.slice(0, image.indexOf("/"))}/` : image;
  const allowedElsewhere = forImage.map(
    ({ rule, index }) =>
      `releases.allowTags[${index}] allows plain tags from ${rule.registry ?? "any registry"} in ${rule.environments?.join(", ") ?? "every environment"} only`,
  );
  return {
    message:
      `release ${JSON.stringify(tag)} is a plain tag, which can move, and no platform rule (releases.allowTags) allows plain tags for ${image} in ${refused.join(", ")}` +
      (allowedElsewhere.length > 0 ? ` (${allowedElsewhere.join("; ")})` : ""),
    hint: `pin it by digest, readable and immutable: "${tag}@sha256:<digest>"; or let the platform allow plain tags there: releases: { allowTags: [{ registry: "${registry}", environments: [${refused.map((e) => JSON.stringify(e)).join(", ")}], reason: "<why>" }] }`,
  };
}

/**
 * The settings an app writes that its kind does not take, each at its line:
 * in the app itself and in its environment and cluster overrides. (A
 * platform's defaults apply to every kind, so there a setting of another kind
 * is simply not used.) A cron job needs a schedule at the app's level, which
 * an environment may change.
 */
function kindProblems(
  kind: AppKind,
  spec: Settings & { readonly environments?: Readonly<Record<string, Settings>>; readonly clusters?: Readonly<Record<string, Settings>> },
  at: (...path: (string | number)[]) => Origin,
): Diagnostic[] {
  const layers: [Settings, (string | number)[]][] = [
    [spec, []],
    ...Object.entries(spec.environments ?? {}).map(([name, settings]): [Settings, (string | number)[]] => [
      settings,
      ["environments", name],
    ]),
    ...Object.entries(spec.clusters ?? {}).map(([name, settings]): [Settings, (string | number)[]] => [settings, ["clusters", name]]),
  ];
  const diagnostics: Diagnostic[] = [];
  for (const [settings, path] of layers) {
    for (const setting of Object.keys(settings)) {
      if (kindTakes(kind, setting) || !kindsTaking(setting).length || settings[setting as keyof Settings] === undefined) continue;
      diagnostics.push({
        code: "validate/kind-setting",
        message: `${setting} is not a setting of a ${kind} app`,
        origin: at(...path, setting),
        hint: `${setting} is for ${kindsTaking(setting).join(" and ")} apps: remove it, or set kind`,
      });
    }
  }
  if (kind === "cronJob" && spec.schedule === undefined) {
    diagnostics.push({
      code: "validate/schedule-missing",
      message: "a cronJob app needs a schedule",
      origin: at(),
      hint: 'write schedule: "30 2 * * *" (minute hour day-of-month month day-of-week); environments may change it',
    });
  }
  return diagnostics;
}
