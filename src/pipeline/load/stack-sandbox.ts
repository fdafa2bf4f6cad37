import { callSites, type CallSite } from "../../dsl/call-site.js";

/** Something a stack did while it was imported that would make synth's output depend on when or where it ran. */
export interface SandboxEvent {
  readonly kind: "clock" | "random" | "env" | "host" | "io";
  /** What it called or read: "Date.now()", "Math.random()", "process.env.HOME", "process.env (all of it)". */
  readonly what: string;
  /** The environment variable read, for kind "env". */
  readonly name?: string;
  readonly sites: readonly CallSite[];
}

/** What a refused read does, in a sentence's end: "Date.now() reads the clock". */
export const SANDBOX_REASON: Readonly<Record<SandboxEvent["kind"], string>> = {
  clock: "reads the clock",
  random: "draws random numbers",
  env: "reads the environment",
  host: "reads where and how this process runs (paths, ids, arguments, memory)",
  io: "reaches the file system or native code",
};

/** The global that load's bundler puts where a stack says `import.meta` (see import-stacks.ts). */
export const IMPORT_META = "__sluiceImportMeta";

/**
 * Stacks are code that runs at synth time, and their output is committed and
 * compared by `synth --check` on other machines. So while they are imported,
 * reading the clock or random numbers throws (and is recorded, so that a
 * stack cannot catch it and carry on), and every read of `process.env` is
 * recorded with its call site, for load to check against the platform's
 * `stackEnv` allowlist. Everything is restored afterwards, whatever happens.
 *
 * Why so strict: sluice's caches are keyed by the files esbuild bundles; a
 * stack whose output depends on anything else would be cached wrongly.
 */
export async function inStackSandbox<T>(
  run: () => Promise<T>,
  fromStack: (sites: readonly CallSite[]) => boolean,
): Promise<{ value: T; events: SandboxEvent[] } | { error: unknown; events: SandboxEvent[] }> {
  const events: SandboxEvent[] = [];
  // Node's own module loader reads the clock and the environment too while it
  // imports; only calls made from the stacks' code count.
  const refuse = <R>(kind: SandboxEvent["kind"], what: string, real: () => R): R => {
    const sites = callSites();
    if (!fromStack(sites)) return real();
    events.push({ kind, what, sites });
    throw new Error(`${what} ${SANDBOX_REASON[kind]}: stacks must give the same output on every run`);
  };

  const RealDate = Date;
  const SandboxDate = function (this: unknown, ...args: unknown[]) {
    if (!new.target) return refuse("clock", "Date()", () => RealDate());
    if (args.length === 0) refuse("clock", "new Date()", () => undefined);
    return Reflect.construct(RealDate, args, new.target) as Date;
  } as unknown as DateConstructor;
  Object.setPrototypeOf(SandboxDate, RealDate);
  Object.defineProperty(SandboxDate, "prototype", { value: RealDate.prototype });
  Object.defineProperty(SandboxDate, "now", { value: () => refuse("clock", "Date.now()", () => RealDate.now()), configurable: true });

  const restore: (() => void)[] = [];
  const patch = <O extends object>(target: O, key: keyof O & string, value: unknown) => {
    const own = Object.getOwnPropertyDescriptor(target, key);
    Object.defineProperty(target, key, { value, configurable: true, writable: true });
    restore.push(() => (own ? Object.defineProperty(target, key, own) : delete (target as Record<string, unknown>)[key]));
  };
  patch(globalThis, "Date", SandboxDate);
  const { random } = Math;
  const now = performance.now.bind(performance);
  const realHrtime = process.hrtime;
  patch(Math, "random", () => refuse("random", "Math.random()", random));
  patch(performance, "now", () => refuse("clock", "performance.now()", now));
  const hrtime = Object.assign((time?: [number, number]) => refuse("clock", "process.hrtime()", () => realHrtime(time)), {
    bigint: () => refuse("clock", "process.hrtime.bigint()", () => realHrtime.bigint()),
  });
  patch(process, "hrtime", hrtime);
  const webCrypto = globalThis.crypto;
  if (webCrypto) {
    const { randomUUID, getRandomValues } = webCrypto;
    patch(webCrypto, "randomUUID", () => refuse("random", "crypto.randomUUID()", () => randomUUID.call(webCrypto)));
    patch(webCrypto, "getRandomValues", (array: Parameters<typeof getRandomValues>[0]) =>
      refuse("random", "crypto.getRandomValues()", () => getRandomValues.call(webCrypto, array)),
    );
  }
  // The process and the machine: where it runs, since when, with what
  // arguments and memory. Read from a stack, each would put this run's
  // values in out/ (a bundle path, a pid) or let it read any file.
  const patchGetter = <O extends object>(target: O, key: keyof O & string, what: string, kind: SandboxEvent["kind"] = "host") => {
    const own = Object.getOwnPropertyDescriptor(target, key);
    const real = () => Reflect.get(target, key, target) as unknown;
    const current = real();
    Object.defineProperty(target, key, {
      get: () => refuse(kind, what, () => current),
      configurable: true,
      enumerable: own?.enumerable ?? true,
    });
    restore.push(() => (own ? Object.defineProperty(target, key, own) : delete (target as Record<string, unknown>)[key]));
  };
  const refuseCall = <O extends object>(target: O, key: keyof O & string, what: string, kind: SandboxEvent["kind"] = "host") => {
    const real = target[key];
    if (typeof real !== "function") return;
    const wrapped = Object.assign(
      (...args: unknown[]) => refuse(kind, what, () => (real as (...a: unknown[]) => unknown).apply(target, args)),
      real,
    );
    patch(target, key, wrapped);
  };
  refuseCall(process, "cwd", "process.cwd()");
  refuseCall(process, "uptime", "process.uptime()");
  refuseCall(process, "memoryUsage", "process.memoryUsage()");
  refuseCall(process, "cpuUsage", "process.cpuUsage()");
  refuseCall(process, "resourceUsage", "process.resourceUsage()");
  patchGetter(process, "pid", "process.pid");
  patchGetter(process, "ppid", "process.ppid");
  patchGetter(process, "argv", "process.argv");
  patchGetter(process, "execArgv", "process.execArgv");
  patchGetter(process, "execPath", "process.execPath");
  patchGetter(performance, "timeOrigin", "performance.timeOrigin", "clock");
  refuseCall(process, "getBuiltinModule" as keyof typeof process & string, "process.getBuiltinModule()", "io");
  refuseCall(process, "binding" as keyof typeof process & string, "process.binding()", "io");
  refuseCall(process, "dlopen", "process.dlopen()", "io");
  // import.meta (the bundle's path) is rewritten by load's bundler to this global.
  patchGetter(globalThis as { [IMPORT_META]?: unknown }, IMPORT_META, "import.meta");
  // A DateTimeFormat formats the current time when given no date.
  const formatter = Intl.DateTimeFormat.prototype;
  const format = Object.getOwnPropertyDescriptor(formatter, "format");
  if (format?.get) {
    const get = format.get;
    Object.defineProperty(formatter, "format", {
      ...format,
      get(this: Intl.DateTimeFormat) {
        const bound = get.call(this) as (date?: Date | number) => string;
        return (date?: Date | number) =>
          date === undefined ? refuse("clock", "Intl.DateTimeFormat().format()", () => bound()) : bound(date);
      },
    });
    restore.push(() => Object.defineProperty(formatter, "format", format));
  }
  const { formatToParts } = formatter;
  patch(formatter, "formatToParts", function (this: Intl.DateTimeFormat, date?: Date | number) {
    return date === undefined
      ? refuse("clock", "Intl.DateTimeFormat().formatToParts()", () => formatToParts.call(this))
      : formatToParts.call(this, date);
  });

  const realEnv = process.env;
  const CONSOLE_INTERNALS = ["node:internal/console/", "node:internal/util/colors", "node:internal/tty"];
  const read = (name: string, what: string) => {
    const sites = callSites();
    // console.log in a stack makes Node read FORCE_COLOR, NO_COLOR and TERM for its own
    // colours: that changes what the terminal shows, never what the stack declares.
    if (CONSOLE_INTERNALS.some((prefix) => sites[0]?.file.startsWith(prefix))) return;
    if (fromStack(sites)) events.push({ kind: "env", what, name, sites });
  };
  patch(
    process,
    "env",
    new Proxy(realEnv, {
      get: (target, key) => {
        if (typeof key === "string") read(key, `process.env.${key}`);
        return Reflect.get(target, key);
      },
      has: (target, key) => {
        if (typeof key === "string") read(key, `process.env.${key}`);
        return Reflect.has(target, key);
      },
      ownKeys: (target) => {
        read("*", "process.env (all of it)");
        return Reflect.ownKeys(target);
      },
      set: () => {
        throw new Error("stacks must not change process.env");
      },
      deleteProperty: () => {
        throw new Error("stacks must not change process.env");
      },
    }),
  );

  try {
    return { value: await run(), events };
  } catch (error) {
    return { error, events };
  } finally {
    for (const undo of restore.reverse()) undo();
  }
}
