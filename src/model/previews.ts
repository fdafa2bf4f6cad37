import type { ClusterModel, PreviewsModel } from "./model.js";

/**
 * The names of preview environments (see preview-schema.ts): each pull
 * request's namespace, host and image tag, from the platform's patterns,
 * with the values an engine fills in — a number, or the engine's own
 * template for it ("{{ .number }}" in an ApplicationSet, "<< inputs.id >>"
 * in a ResourceSet).
 */
export interface PreviewValues {
  readonly number: string;
  readonly sha: string;
}

/** What previews/<app>/<cluster>/ renders with, so that it builds as it is: pull request 0 at an all-zero commit. */
export const SAMPLE_PREVIEW: PreviewValues = { number: "0", sha: "0".repeat(40) };

/** Where an app's preview on a cluster is rendered in the env repo. */
export function previewDir(app: string, cluster: string): string {
  return `previews/${app}/${cluster}`;
}

/** A pull request's preview namespace: pr-<number>-<app>. */
export function previewNamespace(app: string, values: Pick<PreviewValues, "number">): string {
  return `pr-${values.number}-${app}`;
}

/** A pull request's preview host, from the platform's pattern. */
export function previewHost(previews: Pick<PreviewsModel, "host">, app: string, values: Pick<PreviewValues, "number">): string {
  return previews.host.replaceAll("{app}", app).replaceAll("{number}", values.number);
}

/** The image tag app CI pushed for a pull request, from the platform's pattern. */
export function previewTag(previews: Pick<PreviewsModel, "tag">, values: PreviewValues): string {
  return previews.tag.replaceAll("{sha}", values.sha).replaceAll("{number}", values.number);
}

/** The JSON 6902 operations that set a preview's host on the app's HTTPRoute or Ingress (and its TLS entry), as YAML. */
export function hostPatch(exposed: { readonly kind: "HTTPRoute" | "Ingress"; readonly tls: boolean }, host: string): string {
  const value = JSON.stringify(host);
  const operations =
    exposed.kind === "HTTPRoute" ? ["/spec/hostnames/0"] : ["/spec/rules/0/host", ...(exposed.tls ? ["/spec/tls/0/hosts/0"] : [])];
  return operations.map((path) => `- op: replace\n  path: ${path}\n  value: ${value}\n`).join("");
}

/** What an engine renders one app's previews on one cluster from. */
export interface PreviewInput {
  readonly app: { readonly name: string };
  readonly cluster: ClusterModel;
  readonly previews: PreviewsModel;
  /** The app's image repository. */
  readonly image: string;
  /** What serves the preview from outside, when the app is exposed there. */
  readonly exposed?: { readonly kind: "HTTPRoute" | "Ingress"; readonly tls: boolean };
  /** The env repo revision the cluster follows. */
  readonly revision: string;
}
