import path from "node:path";
import { isSluiceError } from "../errors.js";
import type { Model } from "../model/model.js";
import { resolve } from "../pipeline/resolve/index.js";
import { own } from "../model/own.js";
import { loadModel, type PlanOptions } from "../synth.js";
import { placesOf, ReleaseHistory, releasePlaces } from "./history.js";
import { formatDuration } from "./duration.js";
import { checkSoak, releaseAge } from "./soak.js";
import { waveFreeze, type WaveFreeze } from "./freeze.js";
import { analysesMissing, progressiveOn } from "./analyses-gate.js";

export interface WaveStatus {
  readonly wave: string;
  readonly release?: string;
  /** When the wave started running it (the commit that brought it onto HEAD's first-parent history); undefined when not committed yet or forged. */
  readonly since?: string;
  /** Why the date of that commit is refused as forged (see releaseAge). */
  readonly forged?: string;
  /** The wave's clusters where the release moves progressively: the controller and the strategy on each. */
  readonly progressive?: readonly { readonly cluster: string; readonly controller: string; readonly strategy: "canary" | "blueGreen" }[];
}

/** What `sluice promote` would do next for an app. */
export interface NextStep {
  readonly state: "ready" | "blocked" | "done";
  readonly version?: string;
  readonly to?: string;
  /** Why it is blocked, or who must approve once it is ready. */
  readonly reason?: string;
  readonly readyAt?: string;
  readonly approvers?: readonly string[];
}

export interface AppStatus {
  readonly app: string;
  readonly waves: readonly WaveStatus[];
  readonly next: NextStep;
}

export interface StatusResult {
  readonly now: string;
  readonly waves: readonly string[];
  /** Each wave's clusters, sorted. */
  readonly clusters: Readonly<Record<string, readonly string[]>>;
  readonly apps: readonly AppStatus[];
}

/**
 * `sluice status`: every app across the waves — the release each wave runs,
 * since when (git history), and whether its next promotion is ready, blocked
 * (and why) or done.
 */
export async function status(options: Pick<PlanOptions, "root" | "stacks"> & { readonly now?: Date } = {}): Promise<StatusResult> {
  const root = path.resolve(options.root ?? ".");
  const model = await loadModel({ ...options, root, skipTypecheck: true });
  const history = await ReleaseHistory.open(root);
  await history.preload(releasePlaces(model.apps));
  const now = options.now ?? new Date();
  // Once per wave, not per app: a frozen wave's windows are located in the stack (parsed) for the message.
  const freezes = new Map(model.platform.waves.map((wave) => [wave.name, waveFreeze(root, model.platform, wave, now)]));
  const apps = await Promise.all(model.apps.map((app) => appStatus(root, model, app, history, now, freezes)));
  return {
    now: now.toISOString(),
    waves: model.platform.waves.map((w) => w.name),
    clusters: Object.fromEntries(model.platform.waves.map((w) => [w.name, w.clusters])),
    apps,
  };
}

async function appStatus(
  root: string,
  model: Model,
  app: Model["apps"][number],
  history: ReleaseHistory,
  now: Date,
  freezes: ReadonlyMap<string, WaveFreeze | undefined>,
): Promise<AppStatus> {
  const { waves } = model.platform;
  const ages = await Promise.all(
    waves.map(async (wave) => {
      const release = own(app.release, wave.name);
      return release === undefined ? undefined : releaseAge(history, placesOf(app, wave.name), app.name, wave.name, release, now);
    }),
  );
  const statuses = waves.map((wave, i): WaveStatus => {
    const release = own(app.release, wave.name);
    const age = ages[i];
    if (release === undefined) return { wave: wave.name };
    const progressive = progressiveOn(model, app, wave);
    return {
      wave: wave.name,
      release,
      ...(progressive.length > 0 ? { progressive } : {}),
      ...(age?.state === "committed" ? { since: age.since.toISOString() } : age?.state === "forged" ? { forged: age.problem } : {}),
    };
  });
  const version = own(app.release, waves[0]!.name);
  let furthest = -1;
  waves.forEach((wave, i) => {
    if (version !== undefined && own(app.release, wave.name) === version) furthest = i;
  });
  const next = waves[furthest + 1];
  if (version === undefined || furthest === -1)
    return { app: app.name, waves: statuses, next: { state: "blocked", reason: "no release in the first wave" } };
  if (!next) return { app: app.name, waves: statuses, next: { state: "done", version } };
  const approvers = next.gate.approvers.length > 0 ? { approvers: next.gate.approvers } : {};
  if (next.gate.soak) {
    const check = checkSoak(ages[furthest]!, next.gate.soak);
    const blocked = (reason: string, readyAt?: Date): AppStatus => ({
      app: app.name,
      waves: statuses,
      next: { state: "blocked", version, to: next.name, reason, ...(readyAt ? { readyAt: readyAt.toISOString() } : {}), ...approvers },
    });
    if (check.age.state === "uncommitted") return blocked(`${waves[furthest]!.name}'s release is not committed yet`);
    if (check.age.state === "forged") return blocked(`soak cannot be measured: ${check.age.problem}`);
    if (!check.open)
      return blocked(`soak: ${formatDuration(check.readyAt!.getTime() - now.getTime())} left of ${next.gate.soak}`, check.readyAt);
  }
  // A frozen wave is not ready: `promote --all-ready` leaves it alone until the freeze ends.
  const frozen = freezes.get(next.name);
  if (frozen)
    return {
      app: app.name,
      waves: statuses,
      next: { state: "blocked", version, to: next.name, reason: `frozen until ${frozen.until}`, readyAt: frozen.until, ...approvers },
    };
  const unanalysed = next.gate.analyses ? analysesMissing(root, model, app, waves[furthest]!) : undefined;
  if (unanalysed)
    return { app: app.name, waves: statuses, next: { state: "blocked", version, to: next.name, reason: unanalysed, ...approvers } };
  const unready = wouldNotResolve(root, model, app, next.name, version);
  if (unready) return { app: app.name, waves: statuses, next: { state: "blocked", version, to: next.name, reason: unready, ...approvers } };
  return { app: app.name, waves: statuses, next: { state: "ready", version, to: next.name, ...approvers } };
}

/**
 * Why the app would not resolve on the next wave's clusters with this
 * release, or undefined: an app that has never run there may lack what those
 * clusters need (a sealed secret's ciphertext for each of them, say).
 */
function wouldNotResolve(root: string, model: Model, app: Model["apps"][number], wave: string, version: string): string | undefined {
  const candidate = { ...app, release: { ...app.release, [wave]: version } };
  const clusters = new Set(model.platform.waves.find((w) => w.name === wave)?.clusters ?? []);
  try {
    resolve(root, { ...model, apps: [candidate] }, (_app, cluster) => clusters.has(cluster.name));
    return undefined;
  } catch (error) {
    if (!isSluiceError(error)) throw error;
    return error.diagnostics[0]?.message ?? error.message;
  }
}

/** `sluice status` as a table: text for a terminal, or markdown. */
export function formatStatus(result: StatusResult, markdown: boolean): string {
  const now = Date.parse(result.now);
  // A digest is recognised by its first hex digits; the JSON format keeps it whole.
  const short = (release: string | undefined) => (release?.startsWith("sha256:") ? `${release.slice(0, 15)}…` : release);
  const waveSizes = new Map(Object.entries(result.clusters).map(([wave, clusters]) => [wave, clusters.length]));
  // Where the release moves by a canary or blue-green: "canary" when on all the wave's clusters, else how many.
  const moves = (w: WaveStatus) => {
    if (!w.progressive) return "";
    const strategies = [...new Set(w.progressive.map((p) => (p.strategy === "canary" ? "canary" : "blue-green")))].join("/");
    const all = waveSizes.get(w.wave) ?? 0;
    return ` ${strategies}${w.progressive.length === all ? "" : ` on ${w.progressive.length}/${all}`}`;
  };
  const cell = (w: WaveStatus) =>
    w.release === undefined
      ? "—"
      : `${short(w.release)}${w.since ? ` (${formatDuration(Math.max(0, now - Date.parse(w.since)))})` : w.forged ? " (forged date)" : " (uncommitted)"}${moves(w)}`;
  const next = (n: NextStep) =>
    n.state === "done"
      ? "done"
      : n.state === "ready"
        ? `${short(n.version)} → ${n.to}: ready${n.approvers ? ` (approval: ${n.approvers.join(" ")})` : ""}`
        : `${n.to ? `${short(n.version)} → ${n.to}: ` : ""}blocked, ${n.reason}`;
  const header = ["app", ...result.waves, "next"];
  const rows = result.apps.map((a) => [a.app, ...a.waves.map(cell), next(a.next)]);
  if (markdown)
    return `${[`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n")}\n`;
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((r) => r[i]!.length)));
  return `${[header, ...rows].map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ")).join("\n")}\n`;
}
