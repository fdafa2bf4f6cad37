import fs from "node:fs";
import path from "node:path";
import { SluiceError } from "../errors.js";
import { own } from "../model/own.js";
import { findReleases, withoutRelease } from "../pipeline/load/index.js";
import { isApproved, releaseFile } from "../pipeline/validate/index.js";
import type { WriteResult } from "../env-repo/index.js";
import { loadModel, synth, type PlanOptions } from "../synth.js";
import { createFile, releaseFileText } from "./release-file.js";

export interface SplitResult {
  /** Each release moved: the app, the wave, and the release file that now holds it. */
  readonly moved: readonly { readonly app: string; readonly wave: string; readonly version: string; readonly file: string }[];
  readonly write?: WriteResult;
}

/**
 * `sluice split-releases`: moves every release of a wave whose gate names
 * approvers out of the app stacks, each into its release file
 * (<stacks>/releases/<wave>/<app>.ts), then synthesizes out/ and the
 * CODEOWNERS section. The releases' values, and what the clusters run, stay
 * as they were; a failed synth puts every file back.
 */
export async function splitReleases(
  options: Pick<PlanOptions, "root" | "stacks" | "skipTypecheck"> & { readonly out?: string },
): Promise<SplitResult> {
  const root = path.resolve(options.root ?? ".");
  const model = await loadModel({ ...options, root, skipTypecheck: true, inlineGatedReleases: "allow" });
  const texts = new Map<string, string | undefined>();
  const read = (file: string) => {
    if (!texts.has(file))
      texts.set(file, fs.existsSync(path.join(root, file)) ? fs.readFileSync(path.join(root, file), "utf8") : undefined);
    return texts.get(file);
  };
  const edited = new Map<string, string>();
  const moved: SplitResult["moved"][number][] = [];
  for (const app of model.apps) {
    for (const wave of model.platform.waves) {
      const version = own(app.release, wave.name);
      if (!isApproved(wave) || version === undefined || Object.hasOwn(app.releaseOrigins, wave.name)) continue;
      const file = releaseFile(model.stacks, wave.name, app.name);
      if (read(file) !== undefined || edited.has(file)) {
        throw new SluiceError(`${file} exists already; nothing was changed.`, [
          {
            code: "split/exists",
            message: `${app.name}'s ${wave.name} release would move to ${file}, which exists`,
            origin: { file, line: 1, column: 1 },
            hint: "merge the two by hand, then run split-releases again",
          },
        ]);
      }
      const appText = edited.get(app.origin.file) ?? read(app.origin.file)!;
      const found = findReleases(appText, app.name);
      if (!found || !("source" in found) || !found.source.literals.has(wave.name)) {
        throw new SluiceError(`${app.name}'s ${wave.name} release is not a string literal in its stack; nothing was changed.`, [
          {
            code: "split/not-a-literal",
            message: `cannot move ${app.name}'s ${wave.name} release`,
            origin: app.origin,
            hint: `write it in ${file} by hand: export default platform.release("${app.name}", { "${wave.name}": "${version}" })`,
          },
        ]);
      }
      edited.set(app.origin.file, withoutRelease(appText, found.source, wave.name));
      edited.set(file, releaseFileText(appText, app, file, wave.name, version));
      moved.push({ app: app.name, wave: wave.name, version, file });
    }
  }
  if (moved.length === 0) return { moved };
  const undo: (() => void)[] = [];
  for (const [file, text] of edited) {
    const before = texts.get(file);
    if (before === undefined) undo.push(createFile(path.join(root, file), text));
    else {
      fs.writeFileSync(path.join(root, file), text);
      undo.push(() => fs.writeFileSync(path.join(root, file), before));
    }
  }
  try {
    const result = await synth({
      root,
      ...(options.stacks ? { stacks: options.stacks } : {}),
      ...(options.out ? { out: options.out } : {}),
      skipTypecheck: Boolean(options.skipTypecheck),
    });
    return { moved, write: result.write! };
  } catch (error) {
    for (const step of undo.reverse()) step();
    throw error;
  }
}
