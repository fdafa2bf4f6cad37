import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { SluiceError } from "../errors.js";
import { RUN_LOCK_PATH, STAGING_DIR } from "./out-dir.js";

interface Holder {
  readonly pid: number;
  readonly hostname: string;
  /** The holder's process start time (Linux: clock ticks since boot), to tell a live holder from a reused pid. */
  readonly started?: string;
  readonly since: string;
  readonly runId: string;
  readonly command: string;
}

export interface RunLock {
  /** This run's id: its staging area is .sluice/staging/<runId>/. */
  readonly runId: string;
  release(): void;
}

/**
 * One writer at a time: a synth holds out/.sluice/synth.lock, created with
 * O_EXCL, for as long as it writes. A second synth exits 2 naming the holder.
 * A lock left by a killed run on this machine (its process is gone, or its pid
 * now belongs to a younger process) is taken over, and the dead run's staging
 * area removed; of two runs that both find it stale, exactly one wins, since
 * taking over is renaming the stale file away and creating a new one with
 * O_EXCL. A lock from another machine is never taken over.
 */
export function acquireRunLock(outDir: string): RunLock {
  const file = path.join(outDir, RUN_LOCK_PATH);
  // A committed symlink at any of these would lead the lock or the staging area outside out/.
  for (const entry of [path.dirname(RUN_LOCK_PATH), RUN_LOCK_PATH, STAGING_DIR]) {
    if (fs.lstatSync(path.join(outDir, entry), { throwIfNoEntry: false })?.isSymbolicLink()) throw symlinked(entry);
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const runId = `${process.pid}-${randomBytes(4).toString("hex")}`;
  const me: Holder = {
    pid: process.pid,
    hostname: os.hostname(),
    ...(processStart(process.pid) ? { started: processStart(process.pid)! } : {}),
    since: new Date().toISOString(),
    runId,
    command: process.argv
      .slice(1)
      .map((arg) => path.basename(arg))
      .join(" "),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, `${JSON.stringify(me, null, 2)}\n`, { flag: "wx" });
      return { runId, release: () => fs.rmSync(file, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = readHolder(file);
    if (holder && !isStale(holder)) throw held(holder);
    // Stale, or unreadable (a run killed while writing it): move it aside
    // atomically; only the run whose rename succeeds cleans up after it.
    const aside = `${file}.${runId}.stale`;
    try {
      fs.renameSync(file, aside);
    } catch {
      continue;
    }
    const dead = readHolder(aside);
    if (dead && isStale(dead)) fs.rmSync(path.join(outDir, STAGING_DIR, dead.runId), { recursive: true, force: true });
    fs.rmSync(aside, { force: true });
  }
  throw new SluiceError("Another synth keeps taking out/'s lock; nothing was written.", [
    { code: "write/locked", message: `could not take ${RUN_LOCK_PATH}`, hint: "wait for the other synth to finish, then run again" },
  ]);
}

/** The lock's holder; undefined when the lock is unreadable (a run killed while writing it). */
function readHolder(file: string): Holder | undefined {
  let holder: Partial<Holder>;
  try {
    holder = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<Holder>;
  } catch {
    return undefined;
  }
  if (typeof holder.pid !== "number" || typeof holder.hostname !== "string" || typeof holder.runId !== "string") return undefined;
  // The run id names the holder's staging directory, which a takeover deletes.
  if (!RUN_ID.test(holder.runId)) throw badRunId(holder.runId);
  return holder as Holder;
}

/** What acquireRunLock makes (`<pid>-<hex>`), loosely: never a separator or a dot. */
const RUN_ID = /^[A-Za-z0-9_-]{1,64}$/;

function badRunId(runId: string): SluiceError {
  return new SluiceError(
    `out/${RUN_LOCK_PATH} names the run id ${JSON.stringify(runId)}, which sluice never writes; nothing was written.`,
    [
      {
        code: "write/bad-run-lock",
        message: `out/${RUN_LOCK_PATH} names the run id ${JSON.stringify(runId)}, which is not the name of a directory in out/${STAGING_DIR}`,
        hint: `if no synth is running, delete out/${RUN_LOCK_PATH} and run again`,
      },
    ],
  );
}

function symlinked(entry: string): SluiceError {
  return new SluiceError(`out/${entry} is a symlink; nothing was written.`, [
    {
      code: "write/foreign-entry",
      message: `out/${entry} is a symlink; sluice never follows one, since it could lead outside out/`,
      hint: `delete out/${entry} (synth makes it while it runs) and run again`,
    },
  ]);
}

function isStale(holder: Holder): boolean {
  if (holder.hostname !== os.hostname()) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
  // The pid is alive; it is the holder only if it started when the holder did.
  const started = processStart(holder.pid);
  return holder.started !== undefined && started !== undefined && started !== holder.started;
}

/** Linux: field 22 of /proc/<pid>/stat, the process's start time. Undefined elsewhere. */
function processStart(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

function held(holder: Holder): SluiceError {
  const local = holder.hostname === os.hostname();
  return new SluiceError(
    `Another synth is writing out/ (pid ${holder.pid} on ${holder.hostname}, since ${holder.since}); nothing was written.`,
    [
      {
        code: "write/locked",
        message: `out/${RUN_LOCK_PATH} is held by \`${holder.command}\` (pid ${holder.pid} on ${holder.hostname})`,
        hint: local
          ? "wait for it to finish and run again"
          : `if no synth is running on ${holder.hostname}, delete out/${RUN_LOCK_PATH} and run again`,
      },
    ],
  );
}
