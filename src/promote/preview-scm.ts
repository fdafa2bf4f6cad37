import type { PreviewsModel } from "../model/model.js";

/** A labelled pull (merge) request, and when the label came. */
export interface LabelledRequest {
  readonly number: number;
  readonly labelledAt: Date;
}

/** A pull (merge) request as `sluice preview open` checks it: open, and into which branch. */
export interface RequestState {
  readonly open: boolean;
  readonly targetBranch: string;
}

/**
 * What `sluice preview` needs of the SCM: the open, labelled requests; one
 * request's state; putting the label on one, and taking it off (with a
 * comment saying why, when given).
 */
export interface PreviewScm {
  labelled(label: string): Promise<LabelledRequest[]>;
  request(number: number): Promise<RequestState | undefined>;
  label(number: number, label: string): Promise<void>;
  unlabel(number: number, label: string, why?: string): Promise<void>;
}

/** GitHub's REST API: open issues (pull requests) with the label, the time of their last `labeled` event for it. */
export function githubScm(options: { readonly api: string; readonly repository: string; readonly token: string }): PreviewScm {
  const base = `${options.api.replace(/\/$/, "")}/repos/${options.repository}`;
  const headers = (body = false) => ({
    Accept: "application/vnd.github+json",
    Authorization: `Bearer ${options.token}`,
    "X-GitHub-Api-Version": "2022-11-28",
    ...(body ? { "Content-Type": "application/json" } : {}),
  });
  const request = async (url: string, init: RequestInit = {}) => {
    const response = await fetch(url, { ...init, headers: headers(init.body !== undefined) });
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
    async request(number) {
      const response = await fetch(`${base}/pulls/${number}`, { headers: headers() });
      if (response.status === 404) return undefined;
      if (!response.ok) throw new Error(`GitHub answered ${response.status} to GET ${base}/pulls/${number}`);
      const pull = (await response.json()) as { state: string; base: { ref: string } };
      return { open: pull.state === "open", targetBranch: pull.base.ref };
    },
    async label(number, label) {
      await call(`/issues/${number}/labels`, { method: "POST", body: JSON.stringify({ labels: [label] }) });
    },
    async unlabel(number, label, why) {
      await call(`/issues/${number}/labels/${encodeURIComponent(label)}`, { method: "DELETE" });
      if (why) await call(`/issues/${number}/comments`, { method: "POST", body: JSON.stringify({ body: why }) });
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
    async request(number) {
      const response = await fetch(`${base}/merge_requests/${number}`, { headers: { "PRIVATE-TOKEN": options.token } });
      if (response.status === 404) return undefined;
      if (!response.ok) throw new Error(`GitLab answered ${response.status} to GET /merge_requests/${number}`);
      const request = (await response.json()) as { state: string; target_branch: string };
      return { open: request.state === "opened", targetBranch: request.target_branch };
    },
    async label(number, label) {
      await call(`/merge_requests/${number}`, { method: "PUT", body: JSON.stringify({ add_labels: label }) });
    },
    async unlabel(number, label, why) {
      await call(`/merge_requests/${number}`, { method: "PUT", body: JSON.stringify({ remove_labels: label }) });
      if (why) await call(`/merge_requests/${number}/notes`, { method: "POST", body: JSON.stringify({ body: why }) });
    },
  };
}

/** The SCM client for the platform's previews, with a token that may read and write its pull requests' labels. */
export function previewScm(scm: NonNullable<PreviewsModel["scm"]>, token: string): PreviewScm {
  return "github" in scm
    ? githubScm({ api: scm.github.api ?? "https://api.github.com", repository: scm.github.repository, token })
    : gitlabScm({ url: scm.gitlab.url ?? "https://gitlab.com", projectId: scm.gitlab.projectId, token });
}
