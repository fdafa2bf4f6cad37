import { SluiceError } from "../errors.js";
import type { PreviewsModel } from "../model/model.js";
import { previewScm, type PreviewScm } from "../promote/preview-scm.js";
import { loadModel } from "../synth.js";
import { EXIT } from "./flags.js";
import type { Format, Io } from "./output.js";

/**
 * `sluice preview list|open|close|sweep`: the pull request number where
 * the action takes one (open, close), refused where it does not.
 */
export async function previewCommand(
  action: "list" | "open" | "close" | "sweep",
  number: string | undefined,
  flags: PreviewFlags & { readonly pr?: string },
  io: Io,
): Promise<number> {
  if (action === "open" || action === "close") {
    if (number === undefined || !/^[1-9][0-9]*$/.test(number))
      throw new SluiceError(`sluice preview ${action} needs the pull request's number.`, [
        {
          code: "preview/number",
          message: number === undefined ? "no pull request number given" : `${number} is not a pull request number`,
          hint: `sluice preview ${action} 42`,
        },
      ]);
    return action === "open" ? previewOpenCommand(Number(number), flags, io) : previewCloseCommand(Number(number), flags, io);
  }
  if (number !== undefined)
    throw new SluiceError(`sluice preview ${action} takes no pull request number.`, [
      { code: "preview/number", message: `${number}: unexpected`, hint: action === "list" ? "use --pr <number>" : "leave it out" },
    ]);
  if (action === "sweep") return previewSweepCommand(flags, io);
  const { formatPreviewList, previewList } = await import("../promote/previews.js");
  const model = await loadModel({ root: flags.root, stacks: flags.stacks, skipTypecheck: true });
  const list = previewList(model, { ...(flags.pr ? { number: flags.pr } : {}), ...(flags.sha ? { sha: flags.sha } : {}) });
  io.stdout(flags.format === "json" ? `${JSON.stringify(list ?? null, null, 2)}\n` : formatPreviewList(list));
  return EXIT.ok;
}

export interface PreviewFlags {
  readonly stacks: string;
  readonly root: string;
  readonly out: string;
  readonly format: Format;
  readonly skipTypecheck?: boolean;
  readonly app?: readonly string[];
  readonly sha?: string;
}

/**
 * `sluice preview open <number>`: where the engine opens previews by the
 * label (the platform names an SCM), puts the label on the pull request,
 * under the cap; where records open them, writes the pull request's records
 * in stacks/previews/ and synthesises.
 */
export async function previewOpenCommand(number: number, flags: PreviewFlags, io: Io): Promise<number> {
  const previews = await declaredPreviews(flags, "open");
  if (previews.scm) {
    labelsOnly(flags);
    const { openByLabel } = await import("../promote/preview-labels.js");
    const result = await openByLabel(previews, scmFor(previews.scm, "open"), number);
    return report(
      io,
      flags.format,
      result,
      result.change === "labelled"
        ? `Labelled #${number} "${previews.label}": the engine opens its previews.`
        : `#${number} is labelled "${previews.label}" already.`,
    );
  }
  const { openRecords } = await import("../promote/preview-records.js");
  const result = await openRecords({ ...recordFlags(flags, number), ...(flags.sha !== undefined ? { sha: flags.sha } : {}) });
  return report(
    io,
    flags.format,
    result,
    `${result.changes.map((c) => `${c.file}: ${c.change}`).join("\n")}\nout/: ${result.write.written.length} written. Commit both: the engine opens each preview once the env repo has it.`,
  );
}

/** `sluice preview close <number>`: takes the label off, or deletes the records and synthesises. */
export async function previewCloseCommand(number: number, flags: PreviewFlags, io: Io): Promise<number> {
  const previews = await declaredPreviews(flags, "close");
  if (previews.scm) {
    labelsOnly(flags);
    const { closeByLabel } = await import("../promote/preview-labels.js");
    const result = await closeByLabel(previews, scmFor(previews.scm, "close"), number);
    return report(
      io,
      flags.format,
      result,
      result.change === "unlabelled"
        ? `Took "${previews.label}" off #${number}: the engine deletes its previews.`
        : `#${number} is not labelled "${previews.label}".`,
    );
  }
  const { closeRecords } = await import("../promote/preview-records.js");
  const result = await closeRecords(recordFlags(flags, number));
  return report(
    io,
    flags.format,
    result,
    result.changes.length === 0
      ? `Pull request ${number} has no preview open.`
      : `${result.changes.map((c) => `${c.file}: ${c.change}`).join("\n")}\nout/: ${result.write.written.length} written, ${result.write.deleted.length} deleted. Commit both: the engine deletes each preview once the env repo has it.`,
  );
}

/**
 * `sluice preview sweep`, for a scheduled CI job: closes the previews past
 * the platform's lifetime (and, by the label, those beyond the cap). By the
 * label it needs SLUICE_PREVIEW_TOKEN, one that may write the repository's
 * labels and comments; by records, it deletes the records and synthesises.
 */
export async function previewSweepCommand(flags: PreviewFlags, io: Io): Promise<number> {
  const previews = await declaredPreviews(flags, "sweep");
  if (!previews.scm) {
    const { sweepRecords } = await import("../promote/preview-records.js");
    const result = await sweepRecords({
      root: flags.root,
      stacks: flags.stacks,
      out: flags.out,
      skipTypecheck: Boolean(flags.skipTypecheck),
      now: new Date(),
    });
    const json = {
      closed: result.closed.map(({ app, number, file, why }) => ({ app, number, file, why })),
      kept: result.kept.map(({ app, number, file }) => ({ app, number, file })),
    };
    return report(
      io,
      flags.format,
      json,
      result.closed.length === 0
        ? `No preview is past the lifetime of ${previews.lifetime}; ${result.kept.length} open.`
        : `${result.closed.map((c) => `closed ${c.file}: ${c.why}`).join("\n")}\n${result.kept.length} still open. Commit the records and out/.`,
    );
  }
  const { sweepPreviews } = await import("../promote/preview-sweep.js");
  const result = await sweepPreviews(previews, scmFor(previews.scm, "sweep"), new Date());
  return report(
    io,
    flags.format,
    result,
    `Previews open: ${result.kept.map((n) => `#${n}`).join(", ") || "none"}; closed for their age: ${result.expired.map((n) => `#${n}`).join(", ") || "none"}; closed over the cap of ${previews.maxOpen}: ${result.overCap.map((n) => `#${n}`).join(", ") || "none"}.`,
  );
}

async function declaredPreviews(flags: Pick<PreviewFlags, "root" | "stacks">, command: string): Promise<PreviewsModel> {
  const model = await loadModel({ root: flags.root, stacks: flags.stacks, skipTypecheck: true });
  const previews = model.platform.previews;
  if (!previews) throw new SluiceError(`sluice preview ${command}: the platform declares no previews (see README, Preview environments).`);
  return previews;
}

function scmFor(scm: NonNullable<PreviewsModel["scm"]>, command: string): PreviewScm {
  const token = process.env.SLUICE_PREVIEW_TOKEN;
  if (!token)
    throw new SluiceError(`sluice preview ${command} needs a token.`, [
      {
        code: "preview/token",
        message: "SLUICE_PREVIEW_TOKEN is not set",
        hint: "set it to a token that may write the repository's labels and comments (in GitHub Actions: secrets.GITHUB_TOKEN, with issues: write)",
      },
    ]);
  return previewScm(scm, token);
}

/** By the label, one label opens every app's preview at the pull request's head: --app and --sha have no say. */
function labelsOnly(flags: PreviewFlags): void {
  const given = [...(flags.app && flags.app.length > 0 ? ["--app"] : []), ...(flags.sha !== undefined ? ["--sha"] : [])];
  if (given.length > 0)
    throw new SluiceError(`${given.join(" and ")}: the platform's previews are opened by the label.`, [
      {
        code: "preview/label-flags",
        message: `the label opens the preview of every app in previews.apps, at the pull request's head commit; ${given.join(" and ")} cannot choose`,
        hint: `leave out ${given.join(" and ")}`,
      },
    ]);
}

function recordFlags(flags: PreviewFlags, number: number) {
  return {
    root: flags.root,
    stacks: flags.stacks,
    out: flags.out,
    skipTypecheck: Boolean(flags.skipTypecheck),
    number,
    ...(flags.app && flags.app.length > 0 ? { apps: flags.app } : {}),
  };
}

function report(io: Io, format: Format, result: unknown, text: string): number {
  io.stdout(format === "json" ? `${JSON.stringify(result, (key, value) => (key === "write" ? undefined : value), 2)}\n` : `${text}\n`);
  return EXIT.ok;
}
