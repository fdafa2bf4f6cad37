import fs from "node:fs";
import path from "node:path";
import { SluiceError } from "../errors.js";
import { GitRepo } from "../git/git.js";
import type { AppModel, Model, OpenedPreview, PreviewsModel } from "../model/model.js";
import { previewNamespace } from "../model/previews.js";
import { loadModel, synth, type PlanOptions } from "../synth.js";
import type { WriteResult } from "../env-repo/index.js";
import { durationMs, formatDuration } from "./duration.js";
import { createFile, platformImport } from "./release-file.js";
import { commitAge, type ReleaseAge } from "./soak.js";

/**
 * Previews opened by records, where no engine generator opens them (the
 * platform's previews name no SCM): `sluice preview open` writes
 * stacks/previews/pr-<number>-<app>.ts, `close` deletes it, and synth turns
 * each record into the engine's object for that pull request. A preview's
 * opening time is the commit that added its record, never a date in a file.
 */
export interface RecordOptions extends Pick<PlanOptions, "root" | "stacks" | "skipTypecheck"> {
  readonly out?: string;
  readonly number: number;
  /** The apps to open or close; default: every app that previews. */
  readonly apps?: readonly string[];
}

export interface RecordChange {
  readonly app: string;
  /** The record, relative to the project root. */
  readonly file: string;
  /** What happened to it: written anew, its commit updated, left as it was, or deleted. */
  readonly change: "opened" | "updated" | "unchanged" | "closed";
}

export interface RecordResult {
  readonly number: number;
  readonly changes: readonly RecordChange[];
  readonly write: WriteResult;
}

/** Where pull request `number`'s record of `app` goes: <stacks>/previews/pr-<number>-<app>.ts. */
export function recordFile(stacks: string, number: number, app: string): string {
  return path.posix.join(stacks, "previews", `${previewNamespace(app, { number: String(number) })}.ts`);
}

/**
 * `sluice preview open <number>` on a platform whose previews are opened by
 * records: writes (or moves to a new head commit) the record of each app,
 * refusing an app that may not preview and one whose cap is reached, then
 * synthesises. A failed synth leaves the stacks and out/ as they were.
 */
export async function openRecords(options: RecordOptions & { readonly sha?: string }): Promise<RecordResult> {
  const { root, stacks, model, previews } = await recordsModel(options, "open");
  const apps = chosenApps(model, previews, options.apps, "open");
  if (options.sha !== undefined && !/^[0-9a-f]{7,40}$/.test(options.sha))
    throw refusal(
      "preview/sha",
      `--sha ${options.sha} is not a commit`,
      "give the pull request's head commit: 7 to 40 lowercase hex digits",
    );
  if (options.sha === undefined && previews.tag.includes("{sha}"))
    throw refusal(
      "preview/sha",
      `the platform's preview tag is "${previews.tag}", made from the pull request's head commit`,
      `give it: sluice preview open ${options.number} --sha <commit>`,
    );
  const planned: { app: AppModel; file: string; text: string; before: string | undefined }[] = [];
  for (const app of apps) {
    const open = previews.opened.filter((o) => o.app === app.name && o.number !== options.number);
    if (open.length >= previews.maxOpen)
      throw refusal(
        "preview/cap",
        `${app.name} already has ${previews.maxOpen} previews open (pull requests ${open.map((o) => o.number).join(", ")}): the platform's cap`,
        `close one first (sluice preview close <number>), or ask the platform team for a higher previews.maxOpen (${previews.origin.file})`,
      );
    const existing = previews.opened.find((o) => o.app === app.name && o.number === options.number);
    const file = existing ? writtenRecord(existing, stacks) : recordFile(stacks, options.number, app.name);
    const full = path.join(root, file);
    const before = fs.existsSync(full) ? fs.readFileSync(full, "utf8") : undefined;
    const appText = fs.readFileSync(path.join(root, app.origin.file), "utf8");
    planned.push({ app, file, text: recordText(appText, app, file, options.number, options.sha), before });
  }
  const changes = planned.map(
    ({ app, file, text, before }): RecordChange => ({
      app: app.name,
      file,
      change: before === undefined ? "opened" : before === text ? "unchanged" : "updated",
    }),
  );
  const write = await withEdits(
    root,
    planned.map(({ file, text, before }) => ({ file, text, before })),
    options,
  );
  return { number: options.number, changes, write };
}

/** `sluice preview close <number>`: deletes the pull request's records (of the apps given, or all), then synthesises. */
export async function closeRecords(options: RecordOptions): Promise<RecordResult> {
  const { root, stacks, previews } = await recordsModel(options, "close");
  const records = previews.opened.filter(
    (o) => o.number === options.number && (options.apps === undefined || options.apps.includes(o.app)),
  );
  const edits = records.map((record) => {
    const file = writtenRecord(record, stacks);
    return { app: record.app, file, text: undefined, before: fs.readFileSync(path.join(root, file), "utf8") };
  });
  const write = await withEdits(root, edits, options);
  return { number: options.number, changes: edits.map(({ app, file }) => ({ app, file, change: "closed" as const })), write };
}

/** A record and how long its preview has been open. */
export interface RecordAge {
  readonly app: string;
  readonly number: number;
  readonly file: string;
  readonly age: ReleaseAge;
}

/** How long each record's preview has been open: from the commit of HEAD's first-parent history that added its file. */
export async function recordAges(root: string, previews: Pick<PreviewsModel, "opened">, now: Date): Promise<RecordAge[]> {
  let repo: GitRepo | undefined;
  try {
    repo = await GitRepo.at(root);
  } catch {
    repo = undefined;
  }
  const ages: RecordAge[] = [];
  for (const record of previews.opened) {
    const file = record.origin.file;
    const added = repo ? await repo.added(path.relative(repo.root, path.join(root, file)).split(path.sep).join("/")) : undefined;
    if (!repo || !added) {
      ages.push({ app: record.app, number: record.number, file, age: { state: "uncommitted" } });
      continue;
    }
    const parentTime = added.parent ? (await repo.committerTimes([added.parent])).get(added.parent) : undefined;
    const arrival = {
      commit: added.commit,
      time: added.time,
      ...(added.parent ? { parent: { commit: added.parent, ...(parentTime ? { time: parentTime } : {}) } } : {}),
    };
    ages.push({
      app: record.app,
      number: record.number,
      file,
      age: commitAge(arrival, `opened pull request ${record.number}'s preview of ${record.app}`, now),
    });
  }
  return ages;
}

export interface RecordSweep {
  /** Closed: open longer than the lifetime, or since a commit whose date cannot be true. */
  readonly closed: readonly (RecordAge & { readonly why: string })[];
  readonly kept: readonly RecordAge[];
  readonly write?: WriteResult;
}

/**
 * `sluice preview sweep` where records open the previews: deletes the
 * records older than the lifetime — and those whose commit's date cannot be
 * true, which would otherwise keep a preview open for ever — then
 * synthesises. An uncommitted record is kept: its preview is not open yet.
 */
export async function sweepRecords(options: Omit<RecordOptions, "number" | "apps"> & { readonly now: Date }): Promise<RecordSweep> {
  const { root, stacks, previews } = await recordsModel(options, "sweep");
  const lifetime = durationMs(previews.lifetime);
  const closed: (RecordAge & { why: string })[] = [];
  const kept: RecordAge[] = [];
  for (const record of await recordAges(root, previews, options.now)) {
    if (record.age.state === "forged") closed.push({ ...record, why: record.age.problem });
    else if (record.age.state === "committed" && record.age.ageMs >= lifetime)
      closed.push({
        ...record,
        why: `open for ${formatDuration(record.age.ageMs)} (since ${record.age.since.toISOString()}), past the platform's lifetime of ${previews.lifetime}`,
      });
    else kept.push(record);
  }
  if (closed.length === 0) return { closed, kept };
  const edits = closed.map((record) => {
    const opened = previews.opened.find((o) => o.app === record.app && o.number === record.number)!;
    const file = writtenRecord(opened, stacks);
    return { file, text: undefined, before: fs.readFileSync(path.join(root, file), "utf8") };
  });
  return { closed, kept, write: await withEdits(root, edits, options) };
}

async function recordsModel(options: Pick<RecordOptions, "root" | "stacks">, command: string) {
  const root = path.resolve(options.root ?? ".");
  const stacks = options.stacks ?? "stacks";
  const model = await loadModel({ root, stacks, skipTypecheck: true });
  const previews = model.platform.previews;
  if (!previews) throw refusal("preview/none", "the platform declares no previews", "see README, Preview environments");
  if (previews.scm)
    throw new SluiceError(`sluice preview ${command}: records are for previews without an SCM.`, [
      {
        code: "preview/records",
        message: "the platform's previews name an SCM, so the engine opens them by the label on pull requests",
        hint: "label the pull request (sluice preview open <number> does, with SLUICE_PREVIEW_TOKEN set)",
      },
    ]);
  return { root, stacks, model, previews };
}

/** The apps named (each checked), or every app that previews. */
function chosenApps(model: Model, previews: PreviewsModel, names: readonly string[] | undefined, command: string): AppModel[] {
  const previewing = model.apps.filter((app) => app.preview && previews.apps.includes(app.name));
  if (names === undefined || names.length === 0) return previewing;
  return names.map((name) => {
    const app = previewing.find((a) => a.name === name);
    if (!app)
      throw refusal(
        "preview/app",
        `${name} does not preview: ${model.apps.some((a) => a.name === name) ? "it is not in previews.apps with `preview` in its stack" : "no stack declares it"}`,
        `sluice preview ${command} --app takes one of: ${previewing.map((a) => a.name).join(", ") || "(none)"}`,
      );
    return app;
  });
}

/** The file that holds a record: where `open` writes records, or a refusal when it was written elsewhere by hand. */
function writtenRecord(record: OpenedPreview, stacks: string): string {
  const file = record.origin.file;
  if (file !== recordFile(stacks, record.number, record.app))
    throw refusal(
      "preview/record-file",
      `pull request ${record.number}'s preview of ${record.app} is opened at ${file}:${record.origin.line}, not in its own record file`,
      `remove or edit that call by hand; sluice preview open and close only touch ${recordFile(stacks, record.number, record.app)}`,
    );
  return file;
}

function recordText(appText: string, app: AppModel, file: string, number: number, sha: string | undefined): string {
  const platform = platformImport(appText, app, file);
  return [
    `// Pull request ${number}'s preview of ${app.name}, opened by \`sluice preview open\`.`,
    `// \`sluice preview close ${number}\` deletes this file, and the engine the preview.`,
    platform.statement,
    "",
    `export default ${platform.local}.preview(${number}, ${JSON.stringify(app.name)}${sha ? `, { sha: ${JSON.stringify(sha)} }` : ""});`,
    "",
  ].join("\n");
}

/**
 * Writes (text) or deletes (no text) each file, then synthesises; when the
 * synth fails, every file goes back to what it was, and so does out/ (synth
 * writes nothing when it fails).
 */
async function withEdits(
  root: string,
  edits: readonly { readonly file: string; readonly text: string | undefined; readonly before: string | undefined }[],
  options: Pick<RecordOptions, "stacks" | "out" | "skipTypecheck">,
): Promise<WriteResult> {
  const undo: (() => void)[] = [];
  try {
    for (const { file, text, before } of edits) {
      const full = path.join(root, file);
      if (text === before) continue;
      if (text === undefined) {
        fs.rmSync(full);
        undo.push(() => fs.writeFileSync(full, before!));
      } else if (before === undefined) undo.push(createFile(full, text));
      else {
        fs.writeFileSync(full, text);
        undo.push(() => fs.writeFileSync(full, before));
      }
    }
    const result = await synth({
      root,
      ...(options.stacks ? { stacks: options.stacks } : {}),
      ...(options.out ? { out: options.out } : {}),
      skipTypecheck: Boolean(options.skipTypecheck),
    });
    return result.write!;
  } catch (error) {
    for (const step of undo.reverse()) step();
    throw error;
  }
}

function refusal(code: string, message: string, hint: string): SluiceError {
  return new SluiceError(`Refused: ${message}; nothing was changed.`, [{ code, message, hint }]);
}
