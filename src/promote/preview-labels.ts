import { SluiceError } from "../errors.js";
import type { PreviewsModel } from "../model/model.js";
import type { PreviewScm } from "./preview-scm.js";

export interface LabelResult {
  readonly number: number;
  /** What was done: the label put on or taken off, or nothing (it already was, or was not, there). */
  readonly change: "labelled" | "unlabelled" | "unchanged";
}

/**
 * `sluice preview open <number>` where the engine opens previews by the
 * label: puts the label on the pull request once it is open, into the
 * platform's target branch, and under the cap (first come, first served,
 * as the sweep keeps it). The engine then opens the previews.
 */
export async function openByLabel(
  previews: Pick<PreviewsModel, "label" | "maxOpen" | "targetBranch">,
  scm: PreviewScm,
  number: number,
): Promise<LabelResult> {
  const state = await scm.request(number);
  if (!state) throw refused(`there is no pull request ${number}`, "check the number");
  if (!state.open) throw refused(`pull request ${number} is not open`, "previews are of open pull requests");
  if (previews.targetBranch !== undefined && state.targetBranch !== previews.targetBranch)
    throw refused(
      `pull request ${number} goes into ${state.targetBranch}, and previews are of pull requests into ${previews.targetBranch}`,
      "the engine would not open it: retarget the pull request, or ask the platform team about previews.targetBranch",
    );
  const labelled = await scm.labelled(previews.label);
  if (labelled.some((request) => request.number === number)) return { number, change: "unchanged" };
  if (labelled.length >= previews.maxOpen)
    throw refused(
      `${previews.maxOpen} pull requests already have a preview open (${labelled.map((r) => `#${r.number}`).join(", ")}): the platform's cap`,
      `close one first (sluice preview close <number>), or wait for the sweep to close the oldest`,
    );
  await scm.label(number, previews.label);
  return { number, change: "labelled" };
}

/** `sluice preview close <number>`: takes the label off; the engine deletes the previews. */
export async function closeByLabel(previews: Pick<PreviewsModel, "label">, scm: PreviewScm, number: number): Promise<LabelResult> {
  const labelled = await scm.labelled(previews.label);
  if (!labelled.some((request) => request.number === number)) return { number, change: "unchanged" };
  await scm.unlabel(number, previews.label);
  return { number, change: "unlabelled" };
}

function refused(message: string, hint: string): SluiceError {
  return new SluiceError(`Refused: ${message}; nothing was changed.`, [{ code: "preview/refused", message, hint }]);
}
