import type { Model } from "../model/model.js";
import { previewHost, previewNamespace, previewTag } from "../model/previews.js";
import { instanceNeeds } from "../pipeline/resolve/index.js";

/** One app's preview on one cluster: for a pull request, or with the patterns' placeholders. */
export interface PreviewEntry {
  readonly app: string;
  readonly cluster: string;
  readonly engine: string;
  readonly namespace: string;
  /** Where it is served, when the app is exposed there ("https://…", or http:// without TLS). */
  readonly url?: string;
  /** The image the preview runs. */
  readonly image: string;
}

export interface PreviewList {
  readonly label: string;
  readonly maxOpen: number;
  readonly lifetime: string;
  readonly previews: readonly PreviewEntry[];
}

/**
 * `sluice preview list`: every app's preview on every cluster that hosts
 * them, from the stacks alone (no cluster, no SCM): its namespace, URL and
 * image for pull request `number` at commit `sha` — or, without them, the
 * patterns ("pr-{number}-checkout-web").
 */
export function previewList(model: Model, values: { readonly number?: string; readonly sha?: string } = {}): PreviewList | undefined {
  const previews = model.platform.previews;
  if (!previews) return undefined;
  const filled = { number: values.number ?? "{number}", sha: values.sha ?? "{sha}" };
  const entries: PreviewEntry[] = [];
  for (const cluster of model.platform.clusters.filter((c) => previews.clusters.includes(c.name)))
    for (const app of model.apps.filter((a) => a.preview && previews.apps.includes(a.name))) {
      const exposed = app.preview!.settings.expose || instanceNeeds(model.platform, app, cluster).exposed;
      const tls = exposed && exposed.tls !== undefined ? exposed.tls : true;
      entries.push({
        app: app.name,
        cluster: cluster.name,
        engine: cluster.engine,
        namespace: previewNamespace(app.name, filled),
        ...(exposed ? { url: `${tls ? "https" : "http"}://${previewHost(previews, app.name, filled)}` } : {}),
        image: `${app.image}:${previewTag(previews, filled)}`,
      });
    }
  return { label: previews.label, maxOpen: previews.maxOpen, lifetime: previews.lifetime, previews: entries };
}

/** The list for a person: one line per preview. */
export function formatPreviewList(list: PreviewList | undefined): string {
  if (!list) return "The platform declares no previews.\n";
  const lines = list.previews.map(
    (p) => `${p.app} on ${p.cluster} (${p.engine}): ${p.url ?? "not exposed"}, namespace ${p.namespace}, image ${p.image}`,
  );
  return `Pull requests labelled "${list.label}" open a preview, at most ${list.maxOpen} per app, for ${list.lifetime}.\n${lines.join("\n")}\n`;
}
