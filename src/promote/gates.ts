import fs from "node:fs";
import path from "node:path";
import type { Diagnostic } from "../model/diagnostic.js";
import { own } from "../model/own.js";
import { loadModel, type PlanOptions } from "../synth.js";
import { GitRepo } from "../git/git.js";
import { placesOf, ReleaseHistory, releasePlaces } from "./history.js";
import { formatDuration } from "./duration.js";
import { findReleaseCall, findReleases } from "../pipeline/load/index.js";
import { releaseFileOf, type AppModel, type Model } from "../model/model.js";
import { checkSoak, FORGED_HINT, releaseAge } from "./soak.js";
import { freezeMessage, waveFreeze, type WaveFreeze } from "./freeze.js";
import { analysesMissing } from "./analyses-gate.js";

export interface GatesResult {
  readonly base: string;
  /** Every release that changes between the base and the working tree, and whether its gate allows it. */
  readonly changes: readonly {
    readonly app: string;
    readonly wave: string;
    readonly from?: string;
    readonly to: string;
    readonly allowed: boolean;
    /** The wave's freeze, when one of its clusters is in a freeze window now. */
    readonly frozen?: WaveFreeze;
  }[];
  readonly findings: readonly Diagnostic[];
  /** Set when a person forced the gates: the findings stand, recorded with the reason. */
  readonly forced?: string;
}

/**
 * `sluice gates --base <ref>`, for CI on a pull request: the release changes
 * between the base and the working tree, each held to the waves' gates. A
 * release may enter a wave only when the wave before it already ran it at the
 * base (so one change advances an app by one wave, and never skips one), and
 * only once it has soaked there for the gate's time, measured from the commit
 * that brought it onto the base's first-parent history (releaseAge: the
 * merge, never a date inside the merged branch; a forged date closes the
 * gate). Going back to a release the wave ran before is a rollback, allowed
 * by the order and the soak. No release enters a wave while one of its clusters
 * is in a freeze window at `now` (waveFreeze), rollback or not.
 */
export async function gates(
  options: Pick<PlanOptions, "root" | "stacks"> & {
    readonly base: string;
    readonly now?: Date;
    readonly force?: { readonly reason: string };
    /** The stacks' model, when the caller compiled them already (sluice verify): one compile per pipeline. */
    readonly model?: Model;
  },
): Promise<GatesResult> {
  const root = path.resolve(options.root ?? ".");
  // The base is a commit that exists, resolved before anything else: never an option to git, never
  // a missing ref that would make every release look new.
  const repo = await GitRepo.at(root);
  const base = await repo.commit(options.base);
  const model = options.model ?? (await loadModel({ root, ...(options.stacks ? { stacks: options.stacks } : {}), skipTypecheck: true }));
  const apps = await appsThatMayChange(repo, root, base, model);
  const history = await ReleaseHistory.open(root, base, options.base);
  await history.preload(releasePlaces(apps));
  const now = options.now ?? new Date();
  const waves = model.platform.waves;
  const changes: GatesResult["changes"][number][] = [];
  const findings: Diagnostic[] = [];
  const freezes = new Map(waves.map((wave) => [wave.name, waveFreeze(root, model.platform, wave, now)]));
  const texts = new Map<string, string>();
  const textOf = (file: string) => texts.get(file) ?? texts.set(file, fs.readFileSync(path.join(root, file), "utf8")).get(file)!;
  for (const app of apps) {
    const before = async (wave: string) => history.committed(placesOf(app, wave), app.name, wave);
    for (const [i, wave] of waves.entries()) {
      const to = own(app.release, wave.name);
      const from = await before(wave.name);
      if (to === undefined || to === from) continue;
      const file = releaseFileOf(app, wave.name);
      const literal = releaseLiteral(textOf(file), app.name, wave.name, file !== app.origin.file);
      const origin = literal ? { file, line: literal.line, column: literal.column } : app.origin;
      const refuse = (message: string, hint: string) => findings.push({ code: "gates/closed", message, origin, hint });
      let allowed = true;
      const previous = waves[i - 1];
      const rollback = from !== undefined && (await history.hasRun(placesOf(app, wave.name), app.name, wave.name, to));
      if (previous && !rollback) {
        if (own(app.release, previous.name) !== to) {
          allowed = false;
          refuse(
            `${app.name} ${to} enters ${wave.name}, but ${previous.name} does not run it`,
            `promote through ${previous.name} first: a release reaches a wave only after the waves before it`,
          );
        } else if ((await before(previous.name)) !== to) {
          allowed = false;
          refuse(
            `${app.name} ${to} enters ${previous.name} and ${wave.name} in one change`,
            `advance one wave per change: move ${wave.name} in a later pull request, once ${previous.name} has run it`,
          );
        } else if (wave.gate.soak) {
          const check = checkSoak(
            await releaseAge(history, placesOf(app, previous.name), app.name, previous.name, to, now),
            wave.gate.soak,
          );
          if (!check.open) {
            allowed = false;
            if (check.age.state === "forged") {
              findings.push({
                code: "gates/forged-date",
                message: `${app.name} ${to}'s soak in ${previous.name} cannot be measured: ${check.age.problem}`,
                origin,
                hint: FORGED_HINT,
              });
            } else {
              refuse(
                `${app.name} ${to} has run in ${previous.name} for ${formatDuration(check.soakedMs)}; ${wave.name} requires ${wave.gate.soak}`,
                check.readyAt ? `ready at ${check.readyAt.toISOString()}` : `${previous.name}'s release is not on ${options.base} yet`,
              );
            }
          }
        }
      }
      if (allowed && previous && !rollback && wave.gate.analyses) {
        const missing = analysesMissing(root, model, app, previous);
        if (missing) {
          allowed = false;
          refuse(
            missing,
            `give ${app.name} a progressive plan with an analysis in ${previous.name} (progressive: { canary: { steps: [..., { analysis: "<name>" }] } }), or ask the platform team about the gate`,
          );
        }
      }
      // A rollback too: the frozen clusters' Argo CD would not sync it either.
      const frozen = freezes.get(wave.name);
      if (frozen) {
        allowed = false;
        findings.push({ code: "gates/frozen", origin, ...freezeMessage(`${app.name} ${to}`, frozen) });
      }
      changes.push({ app: app.name, wave: wave.name, ...(from !== undefined ? { from } : {}), to, allowed, ...(frozen ? { frozen } : {}) });
    }
  }
  const forced = options.force?.reason ?? (await forcedInHistory(root, base));
  return { base: options.base, changes, findings, ...(forced ? { forced } : {}) };
}

/** What a stack may import: a change to any other file cannot change a release. */
const SOURCE = /\.(m|c)?(ts|js)x?$|\.json$/;

/**
 * The apps whose releases may differ from the base: those one of whose
 * release files (its stack, its release files) changed since the base, when
 * every source file that changed is such a file. A change elsewhere — the
 * platform, a module stacks import, a file that moved — may reach any
 * release, and then every app is held to the gates, as before. So a pull
 * request that bumps one app reads the history of that app's files, not the
 * fleet's.
 */
async function appsThatMayChange(repo: GitRepo, root: string, base: string, model: Model): Promise<readonly AppModel[]> {
  const inRepo = (file: string) => path.relative(repo.root, path.join(root, file)).split(path.sep).join("/");
  const out = `${inRepo("out")}/`;
  const changed = (await repo.changedSince(base)).filter(
    (file) => SOURCE.test(file) && !file.startsWith(out) && !file.includes("node_modules/"),
  );
  const placesOfApp = new Map(model.apps.map((app) => [app, releasePlaces([app]).map(inRepo)]));
  const places = new Set([...placesOfApp.values()].flat());
  if (changed.some((file) => !places.has(file))) return model.apps;
  const touched = new Set(changed);
  return model.apps.filter((app) => placesOfApp.get(app)!.some((file) => touched.has(file)));
}

/** Where a wave's release literal is written: in a release call, or in the app's declaration. */
function releaseLiteral(text: string, app: string, wave: string, inReleaseFile: boolean) {
  const found = inReleaseFile ? findReleaseCall(text, app) : findReleases(text, app);
  return found && "source" in found ? found.source.literals.get(wave) : undefined;
}

/**
 * A person's override recorded in the change itself: a `Sluice-Forced:
 * <reason>` trailer on a commit since the base (what `sluice promote --force
 * --reason … --commit` writes), so CI honours it and the history keeps why.
 */
async function forcedInHistory(root: string, base: string): Promise<string | undefined> {
  try {
    const repo = await GitRepo.at(root);
    return (await repo.trailers(base, "Sluice-Forced"))[0];
  } catch {
    return undefined;
  }
}
