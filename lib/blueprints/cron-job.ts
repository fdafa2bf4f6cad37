import type { CronJob } from "kubernetes-types/batch/v1";
import type { Blueprint, KubernetesObject, ResolvedApp } from "../../src/sdk.js";
import { podObjects, podSettings, podTemplate, settingFrom } from "./pod.js";
import { companionSettings } from "./service.js";

/**
 * A cron job: a CronJob that starts a Job on its schedule, in its time zone.
 * A run that is due while the last one still runs is skipped unless the app
 * says otherwise (`concurrencyPolicy: "Forbid"`, where Kubernetes would start
 * both); `suspend` stops new runs, per environment if need be.
 */
export const cronJob: Blueprint = {
  name: "cronJob",
  kind: "cronJob",
  render(app: ResolvedApp): KubernetesObject[] {
    const { spec } = app;
    const cronJob = {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: app.name },
      spec: {
        schedule: spec.schedule!,
        ...(spec.timeZone ? { timeZone: spec.timeZone } : {}),
        concurrencyPolicy: spec.concurrencyPolicy ?? "Forbid",
        ...(spec.historyLimits?.successful !== undefined ? { successfulJobsHistoryLimit: spec.historyLimits.successful } : {}),
        ...(spec.historyLimits?.failed !== undefined ? { failedJobsHistoryLimit: spec.historyLimits.failed } : {}),
        ...(spec.suspend !== undefined ? { suspend: spec.suspend } : {}),
        jobTemplate: { spec: jobSpec(app) },
      },
    } satisfies CronJob;
    return [...podObjects(app), cronJob];
  },
  settingOf: settingFrom({
    CronJob: [
      ...podSettings("spec.jobTemplate.spec.template"),
      ["spec.schedule", "schedule"],
      ["spec.timeZone", "timeZone"],
      ["spec.concurrencyPolicy", "concurrencyPolicy"],
      ["spec.successfulJobsHistoryLimit", "historyLimits.successful"],
      ["spec.failedJobsHistoryLimit", "historyLimits.failed"],
      ["spec.suspend", "suspend"],
      ["spec.jobTemplate.spec.activeDeadlineSeconds", "activeDeadlineSeconds"],
      ["spec.jobTemplate.spec.backoffLimit", "backoffLimit"],
    ],
    ...companionSettings(),
  }),
};

/** The spec of a Job that runs the app's pod to completion once, with its deadline and retries. */
export function jobSpec(app: ResolvedApp): NonNullable<CronJob["spec"]>["jobTemplate"]["spec"] & object {
  const { spec } = app;
  return {
    ...(spec.activeDeadlineSeconds !== undefined ? { activeDeadlineSeconds: spec.activeDeadlineSeconds } : {}),
    ...(spec.backoffLimit !== undefined ? { backoffLimit: spec.backoffLimit } : {}),
    template: podTemplate(app, { restartPolicy: "Never" }),
  };
}
