import type { ResolvedApp } from "../model/resolved.js";

export const MANAGED_BY = "sluice";

/**
 * A release as a label value: label values allow [A-Za-z0-9_.-] and 63
 * characters, so a digest "sha256:<64 hex>" becomes "sha256-<first 12 hex>".
 */
export function versionLabel(release: string): string {
  if (release.startsWith("sha256:")) return `sha256-${release.slice(7, 19)}`;
  // A tag pinned by digest: the tag is what people read.
  if (release.includes("@")) return versionLabel(release.slice(0, release.indexOf("@")));
  // A label value must also start and end with a letter or digit.
  return release
    .replace(/[^A-Za-z0-9_.-]/g, "_")
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");
}

/**
 * The labels that select an app's pods. Only name and instance: a selector is
 * immutable, so it must not contain the version.
 */
export function selectorLabels(app: Pick<ResolvedApp, "name">): Record<string, string> {
  return {
    "app.kubernetes.io/instance": app.name,
    "app.kubernetes.io/name": app.name,
  };
}

/**
 * Recommended labels for the GitOps objects the platform owns (Applications,
 * AppProjects, Namespaces). No `app.kubernetes.io/instance`: Argo CD tracks
 * what an Application owns by that label when it is set to label tracking,
 * and would then claim these objects for the wrong Application.
 */
export function platformLabels(name: string, partOf: string): Record<string, string> {
  return {
    "app.kubernetes.io/managed-by": MANAGED_BY,
    "app.kubernetes.io/name": name,
    "app.kubernetes.io/part-of": partOf,
  };
}

/**
 * Kubernetes recommended labels for every object rendered for an app. The
 * version is left out on purpose: it would make a release bump rewrite every
 * object of the app. Pods carry it (see podLabels), where it is useful.
 */
export function recommendedLabels(app: Pick<ResolvedApp, "name" | "partOf">): Record<string, string> {
  return {
    ...selectorLabels(app),
    "app.kubernetes.io/managed-by": MANAGED_BY,
    "app.kubernetes.io/part-of": app.partOf,
  };
}

/** The labels of an app's pods: the recommended ones plus `app.kubernetes.io/version`. */
export function podLabels(app: Pick<ResolvedApp, "name" | "partOf" | "release">): Record<string, string> {
  return { ...recommendedLabels(app), "app.kubernetes.io/version": versionLabel(app.release) };
}

/**
 * The labels of the GitOps object that deploys one app instance (an Argo CD
 * Application, a Flux Kustomization): what it is, and where it stands — app,
 * cluster, environment, team and wave — for selectors and dashboards.
 */
export function instanceLabels(
  app: Pick<ResolvedApp, "name" | "partOf" | "team" | "cluster" | "environment" | "wave">,
): Record<string, string> {
  return {
    ...platformLabels(app.name, app.partOf),
    "sluice.dev/app": app.name,
    "sluice.dev/cluster": app.cluster.name,
    "sluice.dev/environment": app.environment.name,
    "sluice.dev/team": app.team,
    "sluice.dev/wave": app.wave.name,
  };
}
