import { callSites, type CallSite } from "../dsl/call-site.js";

/** Something a stack did while it was imported that would make synth's output depend on when or where it ran. */
export interface SandboxEvent {
  readonly kind: "clock" | "random" | "env";
  /** What it called or read: "Date.now()", "Math.random()", "process.env.HOME", "process.env (all of it)". */
  readonly what: string;
  /** The environment variable read, for kind "env". */
  readonly name?: string;
  readonly sites: readonly CallSite[];
}

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
    throw new Error(`${what} ${kind === "clock" ? "reads the clock" : "draws random numbers"}: stacks must give the same output on every run`);
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
  const realEnv = process.env;
  const read = (name: string, what: string) => {
    const sites = callSites();
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
