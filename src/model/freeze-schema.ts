import { cronParser } from "./cron-parser.js";
import { z } from "zod";
import { scheduleProblem, timeZoneProblem } from "./cron.js";
import type { Origin } from "./origin.js";

/**
 * Freeze windows: times in which an environment's or a cluster's apps take no
 * release. A recurring window is a cron schedule that opens it and how long it
 * stays open (the shape of Argo CD's sync windows, which enforce it on Argo CD
 * clusters); a one-off window is two instants (an incident, a holiday). A
 * cluster's windows add to its environment's.
 */

/** A window's length, as the soak gate writes durations: "63h", "2h30m", "1d12h". */
const FREEZE_DURATION = /^([0-9]+[smhd])+$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** An instant with its offset, whole minutes: "2026-12-24T00:00:00+01:00", "2026-12-24T17:00Z". */
const INSTANT = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:00(\.0+)?)?(Z|[+-][0-9]{2}:[0-9]{2})$/;
/** Argo CD keeps a sync window's description to 255 characters; the reason becomes it. */
const REASON_MAX = 255;
/** A one-off window recurs yearly on Argo CD (its schedule has no year): one as long as a year would never end. */
const ONE_OFF_MAX_MS = 364 * UNIT_MS.d;

/** A freeze window's length in milliseconds ("63h", "1d12h"; see FREEZE_DURATION). */
export function freezeDurationMs(text: string): number {
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/([0-9]+)([smhd])/g)) total += Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
  return total;
}

export const freezeWindowSchema = z
  .strictObject({
    /** Recurring: when the window opens, as five cron fields ("0 18 * * FRI": Fridays at 18:00), in `timeZone`. */
    schedule: z.string().optional(),
    /** Recurring: how long it stays open from each start: "63h" (Friday 18:00 to Monday 09:00), "2h30m", "1d12h". */
    duration: z.string().optional(),
    /** Recurring: the IANA time zone the schedule is read in ("Europe/Berlin"). Default: UTC. */
    timeZone: z.string().optional(),
    /** One-off: when it opens, an RFC 3339 time with its offset, whole minutes ("2026-12-24T00:00:00+01:00"). */
    from: z.string().optional(),
    /** One-off: when it ends (RFC 3339, after `from`). Remove the window once it has ended: Argo CD repeats it every year. */
    until: z.string().optional(),
    /** Why nothing may be released then, in a sentence: shown by `gates` and `promote`, and in Argo CD. */
    reason: z
      .string()
      .trim()
      .min(10, { message: "say why, in a sentence the people who are refused can read" })
      .max(REASON_MAX, { message: `keep it to ${REASON_MAX} characters: Argo CD shows it as the sync window's description` }),
    /** Argo CD: syncing by hand stays allowed during the window (automated syncs are denied). Default false: all syncs denied. */
    manualSync: z.boolean().optional(),
  })
  .superRefine((window, context) => {
    const problem = (path: string, message: string, hint: string) =>
      context.addIssue({ code: "custom", path: [path], message, params: { hint } });
    const recurring = window.schedule !== undefined || window.duration !== undefined || window.timeZone !== undefined;
    const once = window.from !== undefined || window.until !== undefined;
    const both = "a window is recurring ({ schedule, duration, timeZone? }) or one-off ({ from, until }), each with its reason";
    if (recurring && once)
      return problem(window.from !== undefined ? "from" : "until", "a window is either recurring or one-off, not both", both);
    if (!recurring && !once)
      return problem("reason", "the window says neither when it recurs (schedule) nor when it is (from, until)", both);
    if (recurring) {
      if (window.schedule === undefined) problem("duration", "a recurring window needs its schedule", 'schedule: "0 18 * * FRI"');
      else {
        const bad = window.schedule.trim().startsWith("@")
          ? "is a descriptor, which Argo CD's sync windows do not take"
          : scheduleProblem(window.schedule);
        const never = bad ? undefined : neverFires(window.schedule);
        if (bad ?? never)
          problem("schedule", `the schedule ${JSON.stringify(window.schedule)} ${bad ?? never}`, 'five cron fields, e.g. "0 18 * * FRI"');
      }
      if (window.duration === undefined) problem("schedule", "a recurring window needs its duration", 'duration: "63h"');
      else if (!FREEZE_DURATION.test(window.duration) || freezeDurationMs(window.duration) < UNIT_MS.m)
        problem(
          "duration",
          `the duration ${JSON.stringify(window.duration)} is not a duration of a minute or more`,
          'e.g. "63h", "2h30m", "1d12h"',
        );
      if (window.timeZone !== undefined) {
        const bad = timeZoneProblem(window.timeZone);
        if (bad) problem("timeZone", `the time zone ${JSON.stringify(window.timeZone)} ${bad}`, 'an IANA name such as "Europe/Berlin"');
      }
      return;
    }
    const instant = (field: "from" | "until") => {
      const text = window[field];
      if (text === undefined) {
        problem(
          field === "from" ? "until" : "from",
          `a one-off window needs \`${field}\``,
          'from: "2026-12-24T00:00:00+01:00", until: "2026-12-27T00:00:00+01:00"',
        );
        return undefined;
      }
      const time = INSTANT.test(text) ? Date.parse(text) : Number.NaN;
      if (Number.isNaN(time))
        problem(
          field,
          `${JSON.stringify(text)} is not an RFC 3339 time with its offset, in whole minutes`,
          'e.g. "2026-12-24T00:00:00+01:00" or "2026-12-23T23:00:00Z"',
        );
      return Number.isNaN(time) ? undefined : time;
    };
    const from = instant("from");
    const until = instant("until");
    if (from === undefined || until === undefined) return;
    if (until <= from)
      problem("until", `the window ends (${window.until}) before it starts (${window.from})`, "until must come after from");
    else if (until - from > ONE_OFF_MAX_MS)
      problem(
        "until",
        "a one-off window of a year or more cannot be expressed: Argo CD's windows repeat every year",
        "take the wave's clusters out of the rollout instead, or split the freeze",
      );
  });

/**
 * Why a schedule whose fields are each fine never fires ("0 0 31 2 *", the
 * 31st of February), or undefined: the gate could not find its last start,
 * and Argo CD would never open the window.
 */
function neverFires(schedule: string): string | undefined {
  try {
    cronParser()
      .parse(schedule, { currentDate: new Date(0), tz: "UTC" })
      .next();
    return undefined;
  } catch (error) {
    return `never fires (${error instanceof Error ? error.message : String(error)})`;
  }
}

/** An environment's or a cluster's freeze windows. */
export const freezeSchema = z.array(freezeWindowSchema);

export type FreezeWindowInput = z.input<typeof freezeWindowSchema>;

/** When a window is: recurring (a cron schedule and how long from each start) or one-off (two instants, as UTC ISO times). */
export type FreezeTiming =
  | { readonly kind: "recurring"; readonly schedule: string; readonly duration: string; readonly timeZone?: string }
  | { readonly kind: "once"; readonly from: string; readonly until: string };

/** One freeze window as the model keeps it, with where it was declared. */
export interface FreezeWindow {
  readonly timing: FreezeTiming;
  readonly reason: string;
  /** Argo CD may still be synced by hand during it. */
  readonly manualSync: boolean;
  /** What declared it: the environment, or the cluster itself. */
  readonly declaredOn: { readonly kind: "environment" | "cluster"; readonly name: string };
  /** The window in the platform's stack (its path ends at the window's index). */
  readonly origin: Origin;
}

/** The model's form of a parsed window. */
export function freezeWindow(input: FreezeWindowInput, declaredOn: FreezeWindow["declaredOn"], origin: Origin): FreezeWindow {
  const timing: FreezeTiming =
    input.schedule !== undefined
      ? {
          kind: "recurring",
          schedule: input.schedule.trim(),
          duration: input.duration!,
          ...(input.timeZone !== undefined ? { timeZone: input.timeZone } : {}),
        }
      : { kind: "once", from: new Date(input.from!).toISOString(), until: new Date(input.until!).toISOString() };
  return { timing, reason: input.reason.trim(), manualSync: input.manualSync ?? false, declaredOn, origin };
}
