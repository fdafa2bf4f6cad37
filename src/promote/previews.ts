import type { AppModel, ClusterModel, Model } from "../model/model.js";
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
  /** What opens a preview: the label on a pull request (the engine's generator), or a record in stacks/previews/. */
  readonly openedBy: "label" | "record";
  readonly label: string;
  readonly maxOpen: number;
  readonly lifetime: string;
  readonly previews: readonly PreviewEntry[];
  /** Where records open them: each open preview, for its pull request. */
  readonly open?: readonly (PreviewEntry & { readonly number: number; readonly record: string })[];
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
  const clusters = model.platform.clusters.filter((c) => previews.clusters.includes(c.name));
  const apps = model.apps.filter((a) => a.preview && previews.apps.includes(a.name));
  const entry = (app: AppModel, cluster: ClusterModel, values: { readonly number: string; readonly sha: string }): PreviewEntry => {
    const exposed = app.preview!.settings.expose || instanceNeeds(model.platform, app, cluster).exposed;
    const tls = exposed && exposed.tls !== undefined ? exposed.tls : true;
    return {
      app: app.name,
      cluster: cluster.name,
      engine: cluster.engine,
      namespace: previewNamespace(app.name, values),
      ...(exposed ? { url: `${tls ? "https" : "http"}://${previewHost(previews, app.name, values)}` } : {}),
      image: `${app.image}:${previewTag(previews, values)}`,
    };
  };
  const entries = clusters.flatMap((cluster) => apps.map((app) => entry(app, cluster, filled)));
  const open = previews.scm
    ? undefined
    : clusters.flatMap((cluster) =>
        previews.opened
          .filter((record) => values.number === undefined || String(record.number) === values.number)
          .map((record) => ({
            ...entry(apps.find((a) => a.name === record.app)!, cluster, { number: String(record.number), sha: record.sha ?? "" }),
            number: record.number,
            record: record.origin.file,
          })),
      );
  return {
    openedBy: previews.scm ? "label" : "record",
    label: previews.label,
    maxOpen: previews.maxOpen,
    lifetime: previews.lifetime,
    previews: entries,
    ...(open ? { open } : {}),
  };
}

/** The list for a person: one line per preview. */
export function formatPreviewList(list: PreviewList | undefined): string {
  if (!list) return "The platform declares no previews.\n";
  const lines = list.previews.map(
    (p) => `${p.app} on ${p.cluster} (${p.engine}): ${p.url ?? "not exposed"}, namespace ${p.namespace}, image ${p.image}`,
  );
  const opener =
    list.openedBy === "label"
      ? `Pull requests labelled "${list.label}" open a preview`
      : "Records in stacks/previews/ (sluice preview open) open a preview";
  const open =
    list.open === undefined
      ? ""
      : `Open:${list.open.length === 0 ? " none" : ""}\n${list.open.map((p) => `#${p.number} ${p.app} on ${p.cluster}: ${p.url ?? "not exposed"}, namespace ${p.namespace}, image ${p.image} (${p.record})`).join("\n")}${list.open.length > 0 ? "\n" : ""}`;
  return `${opener}, at most ${list.maxOpen} per app, for ${list.lifetime}.\n${lines.join("\n")}\n${open}`;
}
