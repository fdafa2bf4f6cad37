import type { PreviewsModel } from "../model/model.js";
import { durationMs } from "./duration.js";
import type { PreviewScm } from "./preview-scm.js";

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
