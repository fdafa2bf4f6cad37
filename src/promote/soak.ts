import type { Arrival, Places, ReleaseHistory } from "./history.js";
import { durationMs, formatDuration } from "./duration.js";

/**
 * How far a commit's date may be ahead of the clock reading it, or behind the
 * commit before it, before it is refused: machines' clocks differ a little
 * (a laptop a minute behind the forge that made the merge before it), and
 * five minutes covers that without giving a soak anything worth forging.
 */
export const CLOCK_SKEW_MS = 5 * 60_000;

/** How long a wave has run a release, as `status`, `gates` and `promote` all measure it. */
export type ReleaseAge =
  | { readonly state: "uncommitted" }
  /** The date of the commit that brought it cannot be true: the soak cannot be measured. */
  | { readonly state: "forged"; readonly commit: string; readonly problem: string }
  | { readonly state: "committed"; readonly commit: string; readonly since: Date; readonly ageMs: number };

/**
 * The age of `version` in `wave` of `app`: from the committer date of the
 * first commit of the evaluated branch's first-parent history that carries
 * it (the merge commit, the squash or the direct push: see ReleaseHistory),
 * never a date inside a merged branch. That date is refused as forged when it
 * is in the future, or older than the commit it follows on the branch (each
 * beyond CLOCK_SKEW_MS): git lets anyone write any date, and these are the
 * two lies the history itself can disprove.
 */
export async function releaseAge(
  history: ReleaseHistory,
  file: Places,
  app: string,
  wave: string,
  version: string,
  now: Date,
): Promise<ReleaseAge> {
  const arrival = await history.since(file, app, wave, version);
  if (!arrival) return { state: "uncommitted" };
  return commitAge(arrival, `brought ${app} ${version} into ${wave} on ${history.ref}`, now);
}

/**
 * The age of what `arrival` brought (`what`: "brought … into …"), by its
 * committer date, unless that date is one of the two lies the history can
 * disprove (see releaseAge).
 */
export function commitAge(arrival: Arrival, what: string, now: Date): ReleaseAge {
  const short = arrival.commit.slice(0, 12);
  const dated = `commit ${short} (which ${what}) is dated ${arrival.time.toISOString()}`;
  const ahead = arrival.time.getTime() - now.getTime();
  if (ahead > CLOCK_SKEW_MS) {
    return {
      state: "forged",
      commit: arrival.commit,
      problem: `${dated}, ${formatDuration(ahead)} in the future: its date is refused as forged`,
    };
  }
  const parent = arrival.parent;
  if (parent?.time && parent.time.getTime() - arrival.time.getTime() > CLOCK_SKEW_MS) {
    return {
      state: "forged",
      commit: arrival.commit,
      problem: `${dated}, before the commit it follows (${parent.commit.slice(0, 12)}, ${parent.time.toISOString()}): its date is refused as forged`,
    };
  }
  return { state: "committed", commit: arrival.commit, since: arrival.time, ageMs: Math.max(0, now.getTime() - arrival.time.getTime()) };
}

/** A soak gate held to a release's age: open, or closed with when it opens (if it ever will by waiting). */
export interface SoakCheck {
  readonly open: boolean;
  readonly soak: string;
  readonly age: ReleaseAge;
  /** How long it has soaked (0 when uncommitted or forged). */
  readonly soakedMs: number;
  readonly readyAt?: Date;
}

export function checkSoak(age: ReleaseAge, soak: string): SoakCheck {
  if (age.state !== "committed") return { open: false, soak, age, soakedMs: 0 };
  const readyAt = new Date(age.since.getTime() + durationMs(soak));
  return { open: age.ageMs >= durationMs(soak), soak, age, soakedMs: age.ageMs, readyAt };
}

/** The hint for a soak refused because of a forged date: the same words in every command. */
export const FORGED_HINT =
  "soak counts from the commit that brought the release onto the branch (a merge, a squash or a direct push) by its committer date; fix the clock that made it and commit the release again, or a person may override with --force --reason";
