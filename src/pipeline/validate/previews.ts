import type { Diagnostic } from "../../model/diagnostic.js";
import type { AppModel, PlatformModel, PreviewsModel } from "../../model/model.js";
import type { Origin } from "../../model/origin.js";
import { own } from "../../model/own.js";
import type { PlatformInput } from "../../model/platform-schema.js";
import { closestName } from "../../model/spelling.js";

type At = (...path: (string | number)[]) => Origin;

/** Each preview namespace's quota unless the platform sets one: a preview is small and short-lived. */
export const DEFAULT_PREVIEW_QUOTA = { "requests.cpu": "1", "requests.memory": "2Gi", "limits.memory": "4Gi", pods: 20 } as const;

/**
 * What is wrong with the platform's previews: a cluster it does not declare
 * or one that serves production, and team namespaces named like previews'.
 */
export function previewProblems(input: PlatformInput, at: At): Diagnostic[] {
  const previews = input.previews;
  if (!previews) return [];
  const diagnostics: Diagnostic[] = [];
  previews.clusters.forEach((name, index) => {
    const cluster = own(input.clusters, name);
    if (!cluster) {
      const near = closestName(name, Object.keys(input.clusters));
      diagnostics.push({
        code: "validate/preview-cluster",
        message: `previews name cluster ${JSON.stringify(name)}, which is not declared`,
        origin: at("previews", "clusters", index),
        hint: near ? `did you mean ${JSON.stringify(near)}?` : `use one of: ${Object.keys(input.clusters).sort().join(", ")}`,
      });
      return;
    }
    const environment = own(input.environments, cluster.environment);
    const production = environment?.production ?? /^prod/.test(cluster.environment);
    if (production)
      diagnostics.push({
        code: "validate/preview-production",
        message: `previews run on cluster ${name}, which serves production (environment ${cluster.environment}): a pull request's code would run beside production's`,
        origin: at("previews", "clusters", index),
        hint: "host previews on a cluster of a non-production environment, such as dev",
      });
  });
  for (const [team, { namespaces }] of Object.entries(input.teams))
    namespaces.forEach((namespace, index) => {
      if (namespace.startsWith("pr-"))
        diagnostics.push({
          code: "validate/preview-namespace",
          message: `team ${team}'s namespace ${namespace} is named like a preview's (pr-<number>-<app>), which a preview could take over`,
          origin: at("teams", team, "namespaces", index),
          hint: "name the team's namespace without the pr- prefix",
        });
    });
  return diagnostics;
}

/** The platform's previews as the model holds them, defaults filled in. */
export function previewsOf(input: PlatformInput, at: At): PreviewsModel | undefined {
  const previews = input.previews;
  if (!previews) return undefined;
  return {
    clusters: [...new Set(previews.clusters)].sort(),
    apps: [...new Set(previews.apps)].sort(),
    label: previews.label ?? "preview",
    maxOpen: previews.maxOpen,
    lifetime: previews.lifetime ?? "72h",
    quota: previews.quota ?? DEFAULT_PREVIEW_QUOTA,
    limits: { default: { ...previews.limits?.default }, defaultRequest: { ...previews.limits?.defaultRequest } },
    host: previews.host,
    tag: previews.tag ?? "{sha}",
    ...(previews.scm ? { scm: previews.scm } : {}),
    ...(previews.targetBranch !== undefined ? { targetBranch: previews.targetBranch } : {}),
    poll: previews.poll ?? "5m",
    opened: [],
    origin: at("previews"),
  };
}

/**
 * What is wrong between the apps and the previews: an app that previews but
 * the platform does not allow to (or that is no service), and an app the
 * platform allows that does not exist.
 */
export function appPreviewProblems(platform: PlatformModel, apps: readonly AppModel[], declared: readonly string[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const allowed = new Set(platform.previews?.apps ?? []);
  for (const app of apps) {
    if (!app.preview) continue;
    if (!platform.previews)
      diagnostics.push({
        code: "validate/preview-undeclared",
        message: `${app.name} asks for previews, but the platform declares none`,
        origin: app.preview.origin,
        hint: "ask the platform team to declare previews (which clusters host them, the label, the cap), or remove preview",
      });
    else if (!allowed.has(app.name))
      diagnostics.push({
        code: "validate/preview-not-allowed",
        message: `${app.name} asks for previews, but the platform's previews.apps does not list it`,
        origin: app.preview.origin,
        hint: `ask the platform team to add ${JSON.stringify(app.name)} to previews.apps (${platform.previews.origin.file}), or remove preview`,
      });
    else if (app.kind !== "service")
      diagnostics.push({
        code: "validate/preview-kind",
        message: `${app.name} is a ${app.kind}; previews are of services, which a reviewer reaches by a URL`,
        origin: app.preview.origin,
        hint: "remove preview",
      });
  }
  // Every app a stack declares, valid or not: one with mistakes of its own is still declared.
  const names = new Set(declared);
  platform.previews?.apps.forEach((name) => {
    if (names.has(name)) return;
    const near = closestName(name, names);
    diagnostics.push({
      code: "validate/preview-app",
      message: `previews.apps names app ${JSON.stringify(name)}, which is not declared`,
      origin: { ...platform.previews!.origin, path: [...(platform.previews!.origin.path ?? []), "apps"] },
      hint: near ? `did you mean ${JSON.stringify(near)}?` : "name apps declared in stacks/",
    });
  });
  return diagnostics;
}
