import { cronParser } from "../model/cron-parser.js";
import { pinpoint } from "../locate/index.js";
import { freezeDurationMs, type FreezeWindow } from "../model/freeze-schema.js";
import type { ClusterModel, PlatformModel, WaveModel } from "../model/model.js";

/** One window in force at a time, with when that occurrence of it started and ends. */
export interface ActiveWindow {
  readonly window: FreezeWindow;
  readonly start: Date;
  readonly end: Date;
}

/** Why a wave takes no release now: the windows in force on its clusters, and when the last of them ends. */
export interface WaveFreeze {
  readonly wave: string;
  /** The wave's clusters that are frozen now, sorted, and the GitOps engines they run (what holds the freeze there). */
  readonly clusters: readonly string[];
  readonly engines: readonly string[];
  /** When none of the wave's clusters is frozen any more (windows that follow on from each other count as one freeze), UTC. */
  readonly until: string;
  readonly windows: readonly {
    readonly reason: string;
    /** "environment prod" or "cluster prod-us-1". */
    readonly declaredOn: string;
    /** The window in the platform's stack. */
    readonly file: string;
    readonly line: number;
    readonly clusters: readonly string[];
    /** When this window ends, UTC, and in its own time zone when it has one. */
    readonly ends: string;
    readonly endsLocal?: string;
    readonly timeZone?: string;
    readonly manualSync: boolean;
  }[];
}

/**
 * The occurrence of a window that holds `now`, if any. A recurring window is
 * open from each time its schedule fires, in its time zone, for its duration:
 * the latest start at or before now is the one that could still hold it
 * (every earlier start ends earlier). Argo CD reads the same schedule with
 * the zone's offset of the moment it evaluates it (SyncWindow.active), so
 * the two can differ by an hour right around a daylight-saving change.
 */
export function activeAt(window: FreezeWindow, now: Date): ActiveWindow | undefined {
  const { timing } = window;
  if (timing.kind === "once") {
    const [start, end] = [new Date(timing.from), new Date(timing.until)];
    return start <= now && now < end ? { window, start, end } : undefined;
  }
  // prev() is strictly before currentDate: a window that starts this very millisecond holds now.
  const cron = cronParser().parse(timing.schedule, {
    currentDate: new Date(now.getTime() + 1),
    tz: timing.timeZone ?? "UTC",
  });
  const start = cron.prev().toDate();
  const end = new Date(start.getTime() + freezeDurationMs(timing.duration));
  return now < end ? { window, start, end } : undefined;
}

/** The windows in force on a cluster at `now`. */
export function activeWindows(cluster: Pick<ClusterModel, "freeze">, now: Date): ActiveWindow[] {
  return cluster.freeze.flatMap((window) => activeAt(window, now) ?? []);
}

/**
 * Whether a wave is frozen at `now`, and until when: any of its clusters in a
 * window is enough (a release enters a wave on all its clusters at once).
 * Windows that open as others close make one freeze: its end is followed
 * through them (for at most a year, after which a window that never closes
 * is reported as ending then).
 */
export function waveFreeze(root: string, platform: PlatformModel, wave: WaveModel, now: Date): WaveFreeze | undefined {
  const clusters = platform.clusters.filter((cluster) => wave.clusters.includes(cluster.name));
  const active = clusters.flatMap((cluster) =>
    activeWindows(cluster, now).map((found) => ({ ...found, cluster: cluster.name, engine: cluster.engine })),
  );
  if (active.length === 0) return undefined;
  let until = new Date(Math.max(...active.map((found) => found.end.getTime())));
  for (let step = 0; step < 400; step++) {
    const next = clusters.flatMap((cluster) => activeWindows(cluster, until));
    if (next.length === 0) break;
    until = new Date(Math.max(...next.map((found) => found.end.getTime())));
  }
  // An environment's window is in force on each of its clusters: one declaration, told once.
  const told = new Map<string, { found: ActiveWindow; clusters: string[] }>();
  for (const found of active) {
    const key = `${found.window.origin.file}:${JSON.stringify(found.window.origin.path)}`;
    const entry = told.get(key) ?? told.set(key, { found, clusters: [] }).get(key)!;
    entry.clusters.push(found.cluster);
  }
  const windows = [...told.values()].map(({ found: { window, end }, clusters: on }) => {
    const where = pinpoint(root, window.origin);
    const timeZone = window.timing.kind === "recurring" ? window.timing.timeZone : undefined;
    return {
      reason: window.reason,
      declaredOn: `${window.declaredOn.kind} ${window.declaredOn.name}`,
      file: where.file,
      line: where.line,
      clusters: [...new Set(on)].sort(),
      ends: utc(end),
      ...(timeZone ? { endsLocal: local(end, timeZone), timeZone } : {}),
      manualSync: window.manualSync,
    };
  });
  return {
    wave: wave.name,
    clusters: [...new Set(active.map((found) => found.cluster))].sort(),
    engines: [...new Set(active.map((found) => found.engine))].sort(),
    until: utc(until),
    windows,
  };
}

/** The refusal's words, the same in `gates` and `promote`. */
export function freezeMessage(change: string, freeze: WaveFreeze): { message: string; hint: string } {
  const windows = freeze.windows.map(
    (w) =>
      `"${w.reason}" (${w.declaredOn}, ${w.file}:${w.line}; on ${w.clusters.join(", ")}) until ${w.ends}${w.endsLocal ? ` (${w.endsLocal} ${w.timeZone})` : ""}`,
  );
  // What a forced release meets on the clusters: Argo CD enforces the windows, Flux has none.
  const clusters = [
    ...(freeze.engines.includes("argocd")
      ? [
          freeze.windows.every((w) => w.manualSync)
            ? "on Argo CD clusters a forced release then waits for someone to sync it by hand"
            : "on Argo CD clusters the window denies every sync, so a forced release arrives when it ends",
        ]
      : []),
    ...(freeze.engines.includes("flux") ? ["on Flux clusters it deploys as soon as it merges"] : []),
  ]
    .map((text) => `; ${text}`)
    .join("");
  return {
    message: `${change} enters ${freeze.wave}, which is frozen: ${windows.join("; ")}`,
    hint: `the freeze of ${freeze.wave} ends at ${freeze.until}; promote then, or a person may override with --force --reason "<why>"${clusters}`,
  };
}

/** "2026-12-07T08:00:00Z": an instant in UTC, to the second. */
function utc(time: Date): string {
  return time.toISOString().replace(/\.000Z$/, "Z");
}

/** "2026-12-07 09:00": the wall-clock time in a zone. */
function local(time: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    })
      .formatToParts(time)
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}
