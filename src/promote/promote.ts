import fs from "node:fs";
import path from "node:path";
import { SluiceError } from "../errors.js";
import { release as releaseSchema } from "../model/app-schema.js";
import { imageReference } from "../model/release.js";
import { releaseFileOf, type AppModel, type Model, type WaveModel } from "../model/model.js";
import { own } from "../model/own.js";
import { loadModel, synth, type PlanOptions } from "../synth.js";
import type { WriteResult } from "../env-repo/index.js";
import { placesOf, ReleaseHistory } from "./history.js";
import { formatDuration } from "./duration.js";
import { findReleaseCall, findReleases, withRelease } from "../pipeline/load/index.js";
import { isApproved, releaseFile } from "../pipeline/validate/index.js";
import { createFile, releaseFileText } from "./release-file.js";
import { checkSoak, FORGED_HINT, releaseAge } from "./soak.js";
import { freezeMessage, waveFreeze, type WaveFreeze } from "./freeze.js";

export interface PromoteOptions extends Pick<PlanOptions, "root" | "stacks" | "skipTypecheck"> {
  readonly out?: string;
  readonly app: string;
  /** The wave to promote into. Default: the next wave after the furthest that runs the version. */
  readonly to?: string;
  /** The release to promote. Default: the first wave's, the newest. */
  readonly version?: string;
  /** A person overriding the soak gate and a freeze window, with the reason; never a skipped wave. */
  readonly force?: { readonly reason: string };
  /** The time the soak is measured to and freeze windows are read at. Default: now. */
  readonly now?: Date;
  /**
   * Runs once the change is known and before anything is edited: `--commit`
   * refuses here (a branch that exists, a dirty worktree), leaving the stack
   * and out/ exactly as they were.
   */
  readonly beforeEdit?: (change: { readonly app: string; readonly wave: string; readonly version: string }) => Promise<void>;
}

export interface Promotion {
  readonly app: string;
  readonly version: string;
  /** The wave it entered, and the one it came from (none for `release`). */
  readonly to: string;
  readonly from?: string;
  /** The image reference the wave now runs, and who the change concerns: for the deployment record. */
  readonly image: string;
  readonly team: string;
  /** The clusters of the wave it entered, and the approvers its gate names. */
  readonly clusters: readonly string[];
  readonly approvers: readonly string[];
  /** The stack file and line of the literal that was edited. */
  readonly file: string;
  readonly line: number;
  /** The soak the gate asked for and what the previous wave had run, in ms. */
  readonly gate?: { readonly soak: string; readonly soakedMs: number; readonly since?: string; readonly commit?: string };
  readonly forced?: string;
  /** The freeze the promotion was forced through. */
  readonly frozen?: WaveFreeze;
  /** Set by rollback: the release the wave ran until now. */
  readonly rolledBackFrom?: string;
  readonly write: WriteResult;
}

/** A promotion the gates do not allow, with why and what would allow it. */
export interface Refusal {
  readonly refused: string;
  readonly hint: string;
  /** Set when the wave is in a freeze window. */
  readonly frozen?: WaveFreeze;
}

/**
 * `sluice promote`: moves one app's release one wave on, as the platform's
 * waves and gates allow: only into the next wave, only a release the previous
 * wave runs, only once it has soaked there for the gate's time (measured from
 * the commit that brought it onto HEAD's first-parent history: releaseAge), and
 * never while one of the wave's clusters is in a freeze window. Edits only that wave's release
 * literal in the stack, then synthesizes out/; a failed synth puts the stack
 * back as it was.
 */
export async function promote(options: PromoteOptions): Promise<Promotion | Refusal> {
  const root = path.resolve(options.root ?? ".");
  const model = await loadModel({ ...options, root, skipTypecheck: true });
  const app = findApp(model, options.app);
  const waves = model.platform.waves;
  const version = options.version ?? own(app.release, waves[0]!.name);
  if (version === undefined)
    return {
      refused: `app ${app.name} has no release in its first wave, ${waves[0]!.name}`,
      hint: `sluice release ${app.name} <version> sets it`,
    };
  const immutable = immutableProblem(version);
  if (immutable) return immutable;
  // The furthest wave, in rollout order, that runs this version.
  let furthest = -1;
  waves.forEach((wave, i) => {
    if (own(app.release, wave.name) === version) furthest = i;
  });
  if (furthest === -1)
    return {
      refused: `no wave runs ${app.name} ${version}`,
      hint: `promote a release a wave runs, or \`sluice release ${app.name} ${version}\` to start it in ${waves[0]!.name}`,
    };
  const next = waves[furthest + 1];
  if (!next) return { refused: `${app.name} ${version} already runs in every wave`, hint: "nothing to promote" };
  if (options.to !== undefined && options.to !== next.name) {
    const index = waves.findIndex((w) => w.name === options.to);
    if (index === -1) return { refused: `there is no wave ${options.to}`, hint: `the waves are: ${waves.map((w) => w.name).join(", ")}` };
    return index <= furthest
      ? {
          refused: `${options.to} already has ${app.name} ${version} or a later step of it`,
          hint: `the next wave for ${version} is ${next.name}`,
        }
      : {
          refused: `promoting ${app.name} ${version} to ${options.to} would skip ${waves
            .slice(furthest + 1, index)
            .map((w) => w.name)
            .join(", ")}`,
          hint: `promote to ${next.name} first: a release reaches a wave only after the waves before it`,
        };
  }
  const previous = waves[furthest]!;
  let gate: Promotion["gate"];
  if (next.gate.soak) {
    const age = await releaseAge(
      await ReleaseHistory.open(root),
      placesOf(app, previous.name),
      app.name,
      previous.name,
      version,
      options.now ?? new Date(),
    );
    const check = checkSoak(age, next.gate.soak);
    gate = {
      soak: next.gate.soak,
      soakedMs: check.soakedMs,
      ...(age.state === "committed" ? { since: age.since.toISOString(), commit: age.commit } : {}),
    };
    if (!check.open && !options.force) {
      if (age.state === "forged")
        return { refused: `${app.name} ${version}'s soak in ${previous.name} cannot be measured: ${age.problem}`, hint: FORGED_HINT };
      return {
        refused: `${app.name} ${version} has run in ${previous.name} for ${formatDuration(check.soakedMs)}${age.state === "uncommitted" ? " (not committed yet)" : ""}; ${next.name} requires ${next.gate.soak}`,
        hint: check.readyAt
          ? `ready at ${check.readyAt.toISOString()}; a person may override with --force --reason "<why>"`
          : "commit the release to the previous wave first; its soak starts with the commit that brings it onto the branch",
      };
    }
  }
  const frozen = waveFreeze(root, model.platform, next, options.now ?? new Date());
  if (frozen && !options.force) {
    const { message, hint } = freezeMessage(`${app.name} ${version}`, frozen);
    return { refused: message, hint, frozen };
  }
  const done = await setRelease(root, options, model, app, next, version);
  return {
    ...done,
    from: previous.name,
    ...(gate ? { gate } : {}),
    ...(options.force ? { forced: options.force.reason } : {}),
    ...(frozen ? { frozen } : {}),
  };
}

/** `sluice release <app> <version>`: what CI calls after building an image — sets the first wave's release. */
export async function release(
  options: Omit<PromoteOptions, "to" | "force" | "now"> & { readonly version: string },
): Promise<Promotion | Refusal> {
  const root = path.resolve(options.root ?? ".");
  const immutable = immutableProblem(options.version);
  if (immutable) return immutable;
  const model = await loadModel({ ...options, root, skipTypecheck: true });
  const app = findApp(model, options.app);
  return setRelease(root, options, model, app, model.platform.waves[0]!, options.version);
}

/**
 * `sluice rollback <app> --wave <w>`: the wave goes back to the release it ran
 * before its current one (from git history), through the same edit and synth
 * as a promotion. Reverting the promotion's commit does the same.
 */
export async function rollback(
  options: Omit<PromoteOptions, "to" | "version" | "force" | "now"> & { readonly wave: string },
): Promise<Promotion | Refusal> {
  const root = path.resolve(options.root ?? ".");
  const model = await loadModel({ ...options, root, skipTypecheck: true });
  const app = findApp(model, options.app);
  const wave = model.platform.waves.find((w) => w.name === options.wave);
  if (!wave)
    return { refused: `there is no wave ${options.wave}`, hint: `the waves are: ${model.platform.waves.map((w) => w.name).join(", ")}` };
  const current = own(app.release, wave.name);
  if (current === undefined) return { refused: `${app.name} does not run in ${wave.name}`, hint: "nothing to roll back" };
  const history = await ReleaseHistory.open(root);
  if (!history.available)
    return {
      refused: "rollback reads the previous release from git history, and there is no git repository here",
      hint: "set the release by hand",
    };
  const previous = await history.previous(placesOf(app, wave.name), app.name, wave.name, current);
  if (!previous)
    return { refused: `git history has no release of ${app.name} in ${wave.name} before ${current}`, hint: "set the release by hand" };
  const done = await setRelease(root, options, model, app, wave, previous.version);
  return { ...done, rolledBackFrom: current };
}

async function setRelease(
  root: string,
  options: Pick<PromoteOptions, "stacks" | "out" | "skipTypecheck" | "beforeEdit">,
  model: Model,
  app: AppModel,
  wave: WaveModel,
  version: string,
) {
  const edit = planEdit(root, model, app, wave, version);
  await options.beforeEdit?.({ app: app.name, wave: wave.name, version });
  const full = path.join(root, edit.file);
  const before = edit.before;
  let undo: () => void;
  if (before === undefined) undo = createFile(full, edit.after);
  else {
    fs.writeFileSync(full, edit.after);
    undo = () => fs.writeFileSync(full, before);
  }
  let write: WriteResult;
  try {
    write = (
      await synth({
        root,
        ...(options.stacks ? { stacks: options.stacks } : {}),
        ...(options.out ? { out: options.out } : {}),
        skipTypecheck: Boolean(options.skipTypecheck),
      })
    ).write!;
  } catch (error) {
    undo();
    throw error;
  }
  const written = fs.readFileSync(full, "utf8");
  const found = edit.inReleaseFile ? findReleaseCall(written, app.name) : findReleases(written, app.name);
  const line = (found && "source" in found ? found.source.literals.get(wave.name)?.line : undefined) ?? 1;
  const image = imageReference(app.image, version);
  return {
    app: app.name,
    version,
    to: wave.name,
    image,
    team: app.team,
    clusters: wave.clusters,
    approvers: wave.gate.approvers,
    file: edit.file,
    line,
    write,
  };
}

/** One stack file's text before (undefined: a new file) and after a release is set. */
interface Edit {
  readonly file: string;
  readonly before: string | undefined;
  readonly after: string;
  readonly inReleaseFile: boolean;
}

/**
 * Where `wave`'s release of `app` is set: where it is written now; for a wave
 * the app does not run yet, a release file when the wave's gate names
 * approvers (which CODEOWNERS gives them), else the app's own stack.
 */
function planEdit(root: string, model: Model, app: AppModel, wave: WaveModel, version: string): Edit {
  const order = model.platform.waves.map((w) => w.name);
  const written = Object.hasOwn(app.releaseOrigins, wave.name);
  const inReleaseFile = written || (own(app.release, wave.name) === undefined && isApproved(wave));
  const file = written ? releaseFileOf(app, wave.name) : inReleaseFile ? releaseFile(model.stacks, wave.name, app.name) : app.origin.file;
  const full = path.join(root, file);
  const where = (line: number, column: number) => ({ file, line, column });
  if (!fs.existsSync(full)) {
    return {
      file,
      before: undefined,
      after: releaseFileText(fs.readFileSync(path.join(root, app.origin.file), "utf8"), app, file, wave.name, version),
      inReleaseFile,
    };
  }
  const text = fs.readFileSync(full, "utf8");
  const found = inReleaseFile ? findReleaseCall(text, app.name) : findReleases(text, app.name);
  if (!found) {
    throw notEditable(
      inReleaseFile
        ? `${file} exists but sets no release of ${app.name} as platform.release("${app.name}", { … })`
        : `the declaration of app ${app.name} is not in ${file} as platform.app("${app.name}", …)`,
      inReleaseFile ? where(1, 1) : where(app.origin.line, app.origin.column),
    );
  }
  if ("problem" in found) throw notEditable(found.problem, where(found.line, found.column));
  const computed = found.source.computed.get(wave.name);
  if (computed)
    throw notEditable(`the ${wave.name} release of ${app.name} is computed, not a string literal`, where(computed.line, computed.column));
  return { file, before: text, after: withRelease(text, found.source, wave.name, version, order), inReleaseFile };
}

function findApp(model: Model, name: string): AppModel {
  const app = model.apps.find((a) => a.name === name);
  if (!app) {
    throw new SluiceError(`There is no app ${name}.`, [
      {
        code: "promote/unknown-app",
        message: `no stack declares app ${JSON.stringify(name)}`,
        hint: `the apps are: ${model.apps.map((a) => a.name).join(", ")}`,
      },
    ]);
  }
  return app;
}

function immutableProblem(version: string): Refusal | undefined {
  return releaseSchema.safeParse(version).success
    ? undefined
    : {
        refused: `${JSON.stringify(version)} is not an immutable release`,
        hint: 'use a semver tag such as "1.6.3", a digest "sha256:<64 hex>" or a tag pinned by digest "1.10@sha256:<64 hex>"; latest is never promoted',
      };
}

function notEditable(message: string, origin: { file: string; line: number; column: number }): SluiceError {
  return new SluiceError(`${message}; nothing was changed.`, [
    {
      code: "promote/not-a-literal",
      message,
      origin,
      hint: "write the release as a string literal in the app's release object, so that promote can edit it",
    },
  ]);
}
