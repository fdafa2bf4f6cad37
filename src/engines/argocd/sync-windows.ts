import { freezeDurationMs, type FreezeWindow } from "../../model/freeze-schema.js";
import type { ArgoSyncWindow } from "./types.js";

/** Which of a project's Applications a window holds: all of them, or those whose destination is one of `clusters`. */
export interface SyncWindowScope {
  /**
   * Destination cluster names or servers (Argo CD matches either, with
   * globs): for a project whose Applications deploy to several clusters, as
   * on a hub Argo CD. Default: every Application of the project.
   */
  readonly clusters?: readonly string[];
}

/**
 * A cluster's freeze windows as Argo CD sync windows of kind "deny", for a
 * team's AppProject. Argo CD reads a window as "from each time `schedule`
 * fires, for `duration`" (SyncWindow.active in its
 * pkg/apis/application/v1alpha1/types.go) and denies every sync of a
 * matching Application while one is active; `manualSync: true` lets a person
 * sync by hand, and only when every active deny window allows it (hasDeny).
 *
 * A one-off window becomes the cron of its start in UTC (minute, hour, day,
 * month) and its length: Argo CD's schedules have no year, so it recurs on
 * the same date every year until the stack drops it.
 */
export function syncWindows(windows: readonly FreezeWindow[], scope: SyncWindowScope = {}): ArgoSyncWindow[] {
  const matches = scope.clusters ? { clusters: [...scope.clusters] } : { applications: ["*"] };
  return windows.map((window) => {
    const { timing } = window;
    const when =
      timing.kind === "recurring"
        ? {
            schedule: timing.schedule,
            duration: goDuration(freezeDurationMs(timing.duration)),
            timeZone: timing.timeZone ?? "UTC",
          }
        : {
            schedule: startCron(new Date(timing.from)),
            duration: goDuration(Date.parse(timing.until) - Date.parse(timing.from)),
            timeZone: "UTC",
          };
    return {
      kind: "deny",
      ...when,
      ...matches,
      manualSync: window.manualSync,
      description: description(window),
    };
  });
}

/** "M H D Mo *": the minute a one-off window starts, in UTC. */
function startCron(start: Date): string {
  return `${start.getUTCMinutes()} ${start.getUTCHours()} ${start.getUTCDate()} ${start.getUTCMonth() + 1} *`;
}

/** A length as Go's time.ParseDuration reads it (which has no days): "63h", "2h30m", "90s". */
function goDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const [h, m, s] = [Math.floor(seconds / 3600), Math.floor((seconds % 3600) / 60), seconds % 60];
  return `${h ? `${h}h` : ""}${m ? `${m}m` : ""}${s || (!h && !m) ? `${s}s` : ""}`;
}

/**
 * What the Argo CD UI shows for the window: the reason and where it is
 * declared, within Argo CD's 255 characters (the reason alone is kept to
 * that by the schema, so the suffix goes first when it would not fit).
 */
function description(window: FreezeWindow): string {
  const { kind, name } = window.declaredOn;
  const once =
    window.timing.kind === "once" ? `; one-off ${window.timing.from} to ${window.timing.until}, recurs yearly until removed` : "";
  // The file, not its line: a line number would change every project whenever a line above it moves.
  const suffix = ` (sluice: freeze of ${kind} ${name} in ${window.origin.file}${once})`;
  return `${window.reason}${suffix}`.length <= 255 ? `${window.reason}${suffix}` : window.reason;
}
