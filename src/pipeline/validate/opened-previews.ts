import type { Diagnostic } from "../../model/diagnostic.js";
import type { AppModel, OpenedPreview, PlatformModel } from "../../model/model.js";
import { previewNamespace } from "../../model/previews.js";
import type { LoadedPreview } from "../load/index.js";
import { closestName } from "../../model/spelling.js";

/**
 * The previews opened by records (platform.preview, written by `sluice
 * preview open`), checked: a pull request number, an app that may preview,
 * the head commit where the tag names it, none twice, and no more per app
 * than the cap — the record beyond it is the error, at its line. Where the
 * platform names an SCM the engine opens previews by the label, and a
 * record would open a second one beside it.
 */
export function openedPreviews(
  platform: PlatformModel,
  apps: readonly AppModel[],
  loaded: readonly LoadedPreview[],
): { opened: OpenedPreview[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const opened: OpenedPreview[] = [];
  const previews = platform.previews;
  for (const record of loaded) {
    const at = record.origin;
    const problem = (code: string, message: string, hint: string) =>
      diagnostics.push({ code: `validate/${code}`, message, origin: at, hint });
    if (!previews) {
      problem(
        "preview-undeclared",
        "this record opens a preview, but the platform declares no previews",
        "remove the record (sluice preview close)",
      );
      continue;
    }
    if (previews.scm) {
      problem(
        "preview-record",
        `this record opens a preview, but the platform's previews are opened by the "${previews.label}" label on pull requests (previews.scm)`,
        `remove the record, and label the pull request instead (sluice preview open labels it); or leave scm out of the platform's previews to open them by records`,
      );
      continue;
    }
    const { number, app, opened: spec } = record;
    if (typeof number !== "number" || !Number.isInteger(number) || number < 1) {
      problem(
        "preview-number",
        `${JSON.stringify(number)} is not a pull request number`,
        "write the pull request's number, e.g. platform.preview(42, …)",
      );
      continue;
    }
    const model = typeof app === "string" ? apps.find((a) => a.name === app) : undefined;
    if (!model) {
      const near =
        typeof app === "string"
          ? closestName(
              app,
              apps.map((a) => a.name),
            )
          : undefined;
      problem(
        "preview-app",
        `the record opens a preview of ${JSON.stringify(app)}, which is not a declared app`,
        near ? `did you mean ${JSON.stringify(near)}?` : `name one of: ${previews.apps.join(", ")}`,
      );
      continue;
    }
    if (!model.preview || !previews.apps.includes(model.name)) {
      problem(
        "preview-not-allowed",
        `${model.name} may not preview: ${previews.apps.includes(model.name) ? "its stack does not opt in (preview)" : "the platform's previews.apps does not list it"}`,
        previews.apps.includes(model.name)
          ? `add \`preview: true\` to ${model.name}'s stack (${model.origin.file}), or remove the record`
          : `ask the platform team to add ${JSON.stringify(model.name)} to previews.apps (${previews.origin.file}), or remove the record`,
      );
      continue;
    }
    const namespace = previewNamespace(model.name, { number: String(number) });
    if (namespace.length > 63) {
      problem(
        "preview-number",
        `the preview's namespace ${namespace} is longer than a namespace may be (63)`,
        "check the pull request's number",
      );
      continue;
    }
    const sha = shaOf(spec);
    if (sha === false) {
      problem(
        "preview-sha",
        "the record's third argument must be { sha: <the head commit> } or nothing",
        'write { sha: "<7 to 40 hex digits>" }',
      );
      continue;
    }
    if (sha === undefined && previews.tag.includes("{sha}")) {
      problem(
        "preview-sha",
        `the platform's preview tag is "${previews.tag}", made from the pull request's head commit, which this record does not name`,
        `add { sha: "<the head commit>" } (sluice preview open ${number} --sha <commit>)`,
      );
      continue;
    }
    if (opened.some((o) => o.app === model.name && o.number === number)) {
      problem("preview-twice", `pull request ${number}'s preview of ${model.name} is opened twice`, "remove one of the records");
      continue;
    }
    opened.push({ app: model.name, number, ...(sha ? { sha } : {}), origin: at });
  }
  opened.sort((a, b) => a.app.localeCompare(b.app) || a.number - b.number);
  const kept: OpenedPreview[] = [];
  for (const preview of opened) {
    const open = kept.filter((k) => k.app === preview.app);
    if (previews && open.length >= previews.maxOpen)
      diagnostics.push({
        code: "validate/preview-cap",
        message: `${preview.app} already has ${previews.maxOpen} previews open (pull requests ${open.map((o) => o.number).join(", ")}): the platform's cap`,
        origin: preview.origin,
        hint: `close one first (sluice preview close <number>), or ask the platform team for a higher previews.maxOpen (${previews.origin.file})`,
      });
    else kept.push(preview);
  }
  return { opened: kept, diagnostics };
}

/** The record's head commit: undefined when it names none, false when it is not one. */
function shaOf(spec: unknown): string | undefined | false {
  if (spec === undefined) return undefined;
  if (typeof spec !== "object" || spec === null || Array.isArray(spec)) return false;
  const keys = Object.keys(spec);
  if (keys.some((key) => key !== "sha")) return false;
  const { sha } = spec as { sha?: unknown };
  if (sha === undefined) return undefined;
  return typeof sha === "string" && /^[0-9a-f]{7,40}$/.test(sha) ? sha : false;
}
