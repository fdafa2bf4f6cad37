import { createHash } from "node:crypto";
import type { Job } from "kubernetes-types/batch/v1";
import type { Blueprint, KubernetesObject, ResolvedApp } from "../../src/sdk.js";
import { jobSpec } from "./cron-job.js";
import { podObjects, podSettings, settingFrom } from "./pod.js";
import { companionSettings } from "./service.js";

/**
 * A job: runs once per release, such as a database migration. Its name
 * carries the release (`<app>-<release>`), so a new release is a new Job
 * that runs again — a Job's pod template cannot be changed in place — and
 * the engine prunes the old one. An app that `dependsOn` it is synced once it
 * has completed (Argo CD counts a Job healthy when it succeeded; Flux waits
 * for it with `wait: true`).
 *
 * No `ttlSecondsAfterFinished`: a Job Kubernetes deleted by itself would be
 * out of sync with the env repo, and the engine would create it again.
 */
export const job: Blueprint = {
  name: "job",
  kind: "job",
  render(app: ResolvedApp): KubernetesObject[] {
    const object = {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: jobName(app.name, app.release) },
      spec: jobSpec(app),
    } satisfies Job;
    return [...podObjects(app), object];
  },
  settingOf: settingFrom({
    Job: [
      ...podSettings("spec.template"),
      ["spec.activeDeadlineSeconds", "activeDeadlineSeconds"],
      ["spec.backoffLimit", "backoffLimit"],
      ["metadata.name", "release"],
    ],
    ...companionSettings(),
  }),
};

/**
 * `<app>-<release>` as a Job name: a DNS label of at most 63 characters
 * (its pods carry it as a label value). A version's dots become dashes
 * ("1.6.3" → "1-6-3"); a digest gives its first 12 hex digits. When that
 * is too long, the app's name is cut and a hash of the whole keeps it unique.
 */
export function jobName(app: string, release: string): string {
  const [tag, digest] = release.startsWith("sha256:") ? ["", release.slice(7)] : release.split("@sha256:");
  const version = (tag ?? "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  const suffix = [version, digest?.slice(0, 12)].filter((part) => part).join("-");
  const name = `${app}-${suffix}`;
  if (name.length <= 63) return name;
  const hash = createHash("sha256").update(`${app}\0${release}`).digest("hex").slice(0, 8);
  return `${app.slice(0, 63 - 9 - Math.min(suffix.length, 30) - 1).replace(/-+$/, "")}-${suffix.slice(0, 30).replace(/-+$/, "")}-${hash}`;
}
