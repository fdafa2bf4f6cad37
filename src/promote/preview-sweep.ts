import type { PreviewsModel } from "../model/model.js";
import { durationMs } from "./duration.js";

/** A labelled pull (merge) request, and when the label came. */
export interface LabelledRequest {
  readonly number: number;
  readonly labelledAt: Date;
}

/** What the sweep needs of the SCM: the open, labelled requests, and taking the label off one with a word why. */
export interface PreviewScm {
  labelled(label: string): Promise<LabelledRequest[]>;
  unlabel(number: number, label: string, why: string): Promise<void>;
}

export interface SweepResult {
  /** Closed because they outlived the lifetime. */
  readonly expired: readonly number[];
  /** Closed because the cap was reached before them (the earliest labelled keep theirs). */
  readonly overCap: readonly number[];
  /** Still open. */
  readonly kept: readonly number[];
}

/**
 * `sluice preview sweep`, for a scheduled CI job: closes the previews
 * neither engine closes by itself. A pull request labelled longer ago than
 * the lifetime loses the label, and so its previews; beyond the cap, the
 * ones labelled last lose it (first come, first served: Flux's own limit
 * keeps the newest, Argo CD's generator none). The engines then delete the
 * previews. The label's time is the SCM's record of the label event, so
 * labelling again starts a new lifetime.
 */
export async function sweepPreviews(
  previews: Pick<PreviewsModel, "label" | "lifetime" | "maxOpen">,
  scm: PreviewScm,
  now: Date,
): Promise<SweepResult> {
  const lifetime = durationMs(previews.lifetime);
  const requests = (await scm.labelled(previews.label)).sort(
    (a, b) => a.labelledAt.getTime() - b.labelledAt.getTime() || a.number - b.number,
  );
  const expired: number[] = [];
  const overCap: number[] = [];
  const kept: number[] = [];
  for (const request of requests) {
    if (now.getTime() - request.labelledAt.getTime() >= lifetime) {
      expired.push(request.number);
      await scm.unlabel(
        request.number,
        previews.label,
        `The preview of this pull request was opened more than ${previews.lifetime} ago (labelled ${request.labelledAt.toISOString()}), the platform's lifetime for previews, and is closed. Label it \`${previews.label}\` again for a new one.`,
      );
    } else if (kept.length >= previews.maxOpen) {
      overCap.push(request.number);
      await scm.unlabel(
        request.number,
        previews.label,
        `${previews.maxOpen} pull requests already have a preview open (the platform's cap): this one's label is taken off. Label it \`${previews.label}\` again once one of them closes.`,
      );
    } else kept.push(request.number);
  }
  return { expired, overCap, kept };
}

/** GitHub's REST API: open issues (pull requests) with the label, the time of their last `labeled` event for it. */
export function githubScm(options: { readonly api: string; readonly repository: string; readonly token: string }): PreviewScm {
  const base = `${options.api.replace(/\/$/, "")}/repos/${options.repository}`;
  const request = async (url: string, init: RequestInit = {}) => {
    const response = await fetch(url, {
      ...init,
      headers: {
        Accept: "application/vnd.github+json",
        Authorization: `Bearer ${options.token}`,
        "X-GitHub-Api-Version": "2022-11-28",
        ...(init.body ? { "Content-Type": "application/json" } : {}),
      },
    });
    if (!response.ok) throw new Error(`GitHub answered ${response.status} to ${init.method ?? "GET"} ${url}`);
    return response;
  };
  const call = async (path: string, init: RequestInit = {}) => {
    const response = await request(`${base}${path}`, init);
    return response.status === 204 ? undefined : ((await response.json()) as unknown);
  };
  /** Every page of a list: events come oldest first, so the label's last event may be on the last page. */
  const all = async <T>(path: string): Promise<T[]> => {
    const items: T[] = [];
    for (let url: string | undefined = `${base}${path}`; url; ) {
      const response = await request(url);
      items.push(...((await response.json()) as T[]));
      url = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get("link") ?? "")?.[1];
    }
    return items;
  };
  return {
    async labelled(label) {
      const issues = (await call(`/issues?state=open&labels=${encodeURIComponent(label)}&per_page=100`)) as {
        number: number;
        pull_request?: unknown;
      }[];
      const requests: LabelledRequest[] = [];
      for (const issue of issues.filter((i) => i.pull_request !== undefined)) {
        const events = await all<{ event: string; label?: { name: string }; created_at: string }>(
          `/issues/${issue.number}/events?per_page=100`,
        );
        const last = events.filter((e) => e.event === "labeled" && e.label?.name === label).at(-1);
        if (last) requests.push({ number: issue.number, labelledAt: new Date(last.created_at) });
      }
      return requests;
    },
    async unlabel(number, label, why) {
      await call(`/issues/${number}/labels/${encodeURIComponent(label)}`, { method: "DELETE" });
      await call(`/issues/${number}/comments`, { method: "POST", body: JSON.stringify({ body: why }) });
    },
  };
}

/** GitLab's REST API: open merge requests with the label, the time of their last `add` label event for it. */
export function gitlabScm(options: { readonly url: string; readonly projectId: number; readonly token: string }): PreviewScm {
  const base = `${options.url.replace(/\/$/, "")}/api/v4/projects/${options.projectId}`;
  const call = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${base}${path}`, {
      ...init,
      headers: { "PRIVATE-TOKEN": options.token, ...(init.body ? { "Content-Type": "application/json" } : {}) },
    });
    if (!response.ok) throw new Error(`GitLab answered ${response.status} to ${init.method ?? "GET"} ${path}`);
    return (await response.json()) as unknown;
  };
  return {
    async labelled(label) {
      const requests = (await call(`/merge_requests?state=opened&labels=${encodeURIComponent(label)}&per_page=100`)) as { iid: number }[];
      const found: LabelledRequest[] = [];
      for (const request of requests) {
        const events = (await call(`/merge_requests/${request.iid}/resource_label_events?per_page=100`)) as {
          action: string;
          label?: { name: string } | null;
          created_at: string;
        }[];
        const last = events.filter((e) => e.action === "add" && e.label?.name === label).at(-1);
        if (last) found.push({ number: request.iid, labelledAt: new Date(last.created_at) });
      }
      return found;
    },
    async unlabel(number, label, why) {
      await call(`/merge_requests/${number}`, { method: "PUT", body: JSON.stringify({ remove_labels: label }) });
      await call(`/merge_requests/${number}/notes`, { method: "POST", body: JSON.stringify({ body: why }) });
    },
  };
}
