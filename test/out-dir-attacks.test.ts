import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { isSluiceError, synth } from "sluice";
import { runCli } from "./helpers/cli.js";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { CLI, copyProject, readTree, type Project } from "./helpers/project.js";

/**
 * Reproductions from a security review of the CLI: each tries to make sluice
 * write, delete or trust something outside what it owns. In every case synth
 * must refuse (or do the right thing) and leave everything as it was.
 */
const LEDGER = `import { platform } from "./platform.js";\nexport default platform.app("ledger", { team: "payments", image: "registry.example.com/ledger", release: { dev: "1.0.0" } });\n`;

async function refusal(run: Promise<unknown>): Promise<string> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isSluiceError(error), String(error)).toBe(true);
  return (error as Error).message;
}

/** Adds a path to out/'s lock, as an attacker with write access to the env repo could. */
function claim(project: Project, file: string): void {
  const lock = JSON.parse(project.read("out/.sluice/lock.json")) as { files: Record<string, unknown> };
  lock.files[file] = { sources: ["stacks/platform.ts"] };
  project.write("out/.sluice/lock.json", JSON.stringify(lock, null, 2));
}

describe("out/ under attack", () => {
  let base: Project;
  beforeAll(() => {
    base = synthesizedExample();
  });

  it.each(["apps/ledger", "apps"])("R1: never writes through a symlink at out/%s to a directory outside out/", async (link) => {
    const project = copyProject(base);
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-outside-"));
    fs.writeFileSync(path.join(outside, "precious.txt"), "keep me\n");
    if (link === "apps") fs.rmSync(path.join(project.root, "out/apps"), { recursive: true });
    fs.symlinkSync(outside, path.join(project.root, "out", link), "dir");
    claim(project, link);
    project.write("stacks/ledger.ts", LEDGER);
    const before = readTree(outside);

    expect(await refusal(synth({ root: project.root, skipTypecheck: true }))).toMatch(new RegExp(`out/${link} is a symlink`));
    expect(readTree(outside)).toEqual(before);
    expect(fs.readdirSync(outside)).toEqual(["precious.txt"]);
    fs.rmSync(outside, { recursive: true, force: true });
  });

  it("a dangling symlink in out/ is refused by name, not an internal error", async () => {
    const project = copyProject(base);
    fs.symlinkSync("/nonexistent/target", path.join(project.root, "out/apps/payments/notes"));
    expect(await refusal(synth({ root: project.root, skipTypecheck: true }))).toMatch(/out\/apps\/payments\/notes is a symlink/);
    expect((await synth({ root: project.root, check: true, skipTypecheck: true })).drift!.extra).toEqual(["apps/payments/notes"]);
  });

  it("R2: files named like Object.prototype's properties are foreign, never deleted as if the lock listed them", async () => {
    const project = copyProject(base);
    for (const name of ["constructor", "toString", "__proto__", "hasOwnProperty"]) project.write(`out/${name}`, "mine\n");
    const before = project.tree();
    expect(await refusal(synth({ root: project.root, skipTypecheck: true }))).toMatch(
      /out\/__proto__ is not in out\/\.sluice\/lock\.json[\s\S]*out\/toString/,
    );
    expect(project.tree()).toEqual(before);
  });

  it("R2: a user's file named like a temp file is foreign, not deleted by a no-op synth", async () => {
    const project = copyProject(base);
    project.write("out/apps/payments/backup.sluice-2024.tmp", "mine\n");
    expect(await refusal(synth({ root: project.root, skipTypecheck: true }))).toMatch(
      /out\/apps\/payments\/backup\.sluice-2024\.tmp is not in/,
    );
    expect(project.read("out/apps/payments/backup.sluice-2024.tmp")).toBe("mine\n");
  });

  it("a lock that is not a sluice lock is a clear error, and nothing is written", async () => {
    const project = copyProject(base);
    project.write("out/.sluice/lock.json", JSON.stringify({ lockVersion: 2, files: { "README.md": "not an entry" } }));
    const before = project.tree();
    expect(await refusal(synth({ root: project.root, skipTypecheck: true }))).toMatch(/lock\.json cannot be read/);
    expect(project.tree()).toEqual(before);
  });

  const chattr = spawnSync("chattr", ["--help"], { encoding: "utf8" }).error === undefined && process.getuid?.() === 0;
  it.skipIf(!chattr)(
    chattr
      ? "R4: a rename that fails part-way (an immutable file) rolls everything back, the lock included"
      : "R4 skipped: chattr or root unavailable",
    async () => {
      // GIVEN a change to two apps, one of whose manifests cannot be replaced
      const project = copyProject(base);
      project.write("stacks/payments.ts", project.read("stacks/payments.ts").replace('dev: "1.7.0"', 'dev: "1.7.1"'));
      project.write("stacks/search.ts", project.read("stacks/search.ts").replace('dev: "0.9.2"', 'dev: "0.9.3"'));
      project.write("stacks/ledger.ts", LEDGER);
      const immutable = path.join(project.root, "out/apps/search/dev-1/manifest.yaml");
      const before = project.tree();
      expect(spawnSync("chattr", ["+i", immutable]).status).toBe(0);
      try {
        expect(await refusal(synth({ root: project.root, skipTypecheck: true }))).toMatch(/Writing out\/ failed; it was left as it was/);
      } finally {
        spawnSync("chattr", ["-i", immutable]);
      }
      // THEN out/ is byte for byte as it was: no new manifest, no new lock, no staging area
      expect(project.tree()).toEqual(before);
      expect(project.exists("out/.sluice/staging")).toBe(false);
      expect(project.exists("out/.sluice/synth.lock")).toBe(false);
    },
  );

  it("R8: a --root reached through a symlink gives the same lock and messages as the real path", async () => {
    const project = copyProject(base);
    const link = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sluice-link-")), "c07");
    fs.symlinkSync(project.root, link, "dir");
    project.write("stacks/payments.ts", project.read("stacks/payments.ts").replace('dev: "1.7.0"', 'dev: "1.7.1"'));
    const lockBefore = project.read("out/.sluice/lock.json");
    const run = await runCli(["synth", "--root", link]);
    expect(run.status, run.stderr).toBe(0);
    expect(project.read("out/.sluice/lock.json")).toBe(lockBefore);
    project.write("stacks/payments.ts", project.read("stacks/payments.ts").replace("team: ", "replicas: -1, team: "));
    const bad = await runCli(["synth", "--root", link]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^stacks\/payments\.ts:\d+:\d+: error/m);
    expect(bad.stderr).not.toContain("../");
    fs.rmSync(path.dirname(link), { recursive: true, force: true });
  });

  it("leaves nothing in the system temp dir, whether synth succeeds or a stack fails to load", () => {
    const project = copyProject(base);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-tmpdir-"));
    const env = { ...process.env, TMPDIR: tmp, TMP: tmp, TEMP: tmp };
    expect(spawnSync(process.execPath, [CLI, "synth"], { cwd: project.root, env, encoding: "utf8" }).status).toBe(0);
    project.write("stacks/broken.ts", 'throw new Error("boom");\n');
    expect(spawnSync(process.execPath, [CLI, "synth"], { cwd: project.root, env, encoding: "utf8" }).status).toBe(2);
    expect(fs.readdirSync(tmp)).toEqual([]);
    // The bundle lives in the cache dir only while it is imported.
    expect(
      fs
        .readdirSync(path.join(project.root, "node_modules/.cache/sluice"))
        .filter((f) => f.endsWith(".mjs") || f.startsWith("stacks-") || f.startsWith(".spill.")),
    ).toEqual([]);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("--out naming a file is a clear error, exit 2", async () => {
    const project = copyProject(base);
    const run = await runCli(["synth", "--out", "package.json"], { cwd: project.root });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/package\.json is not a directory/);
    expect(run.stderr).not.toMatch(/internal error/);
  });
});

describe("one writer at a time", () => {
  it("a second synth on the same out/ exits 2 naming the first, which finishes normally", async () => {
    const project = synthesizedExample({ caches: true });
    // GIVEN a live process holding out/'s run lock, as a running synth does
    const holder = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
    try {
      const lock = {
        pid: holder.pid,
        hostname: os.hostname(),
        since: "2026-11-22T10:00:00.000Z",
        runId: `${holder.pid}-live`,
        command: "sluice synth",
      };
      project.write("out/.sluice/synth.lock", JSON.stringify(lock));
      project.write("stacks/payments.ts", project.read("stacks/payments.ts").replace('dev: "1.7.0"', 'dev: "1.7.1"'));
      const before = project.tree();
      const second = spawnSync(process.execPath, [CLI, "synth"], { cwd: project.root, encoding: "utf8" });
      expect(second.status, second.stderr).toBe(2);
      expect(second.stderr).toContain(`Another synth is writing out/ (pid ${holder.pid} on ${os.hostname()}`);
      expect(project.tree()).toEqual(before);
    } finally {
      holder.kill();
    }
  });

  it("two synths started together: both finish, one after the other, and out/ is right", async () => {
    const project = synthesizedExample({ caches: true });
    project.write("stacks/payments.ts", project.read("stacks/payments.ts").replace('dev: "1.7.0"', 'dev: "1.7.1"'));
    const run = () =>
      new Promise<{ status: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [CLI, "synth"], { cwd: project.root });
        let stderr = "";
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("close", (status) => resolve({ status, stderr }));
      });
    const results = await Promise.all([run(), run()]);
    // Each either wrote or was told, cleanly, that the other one holds the lock.
    for (const result of results) {
      expect([0, 2], result.stderr).toContain(result.status);
      if (result.status === 2) expect(result.stderr).toMatch(/Another synth is writing out\//);
    }
    expect(results.some((r) => r.status === 0)).toBe(true);
    expect((await synth({ root: project.root, check: true, skipTypecheck: true })).drift).toEqual({ stale: [], missing: [], extra: [] });
    expect(project.exists("out/.sluice/synth.lock")).toBe(false);
  });

  it("a lock held on another machine is never taken over; the message says how to remove it", async () => {
    const project = synthesizedExample({ caches: true });
    project.write(
      "out/.sluice/synth.lock",
      JSON.stringify({ pid: 1, hostname: "ci-runner-7", since: "2026-11-22T10:00:00.000Z", runId: "1-x", command: "sluice synth" }),
    );
    const message = await refusal(synth({ root: project.root, skipTypecheck: true }));
    expect(message).toContain("pid 1 on ci-runner-7");
    expect(message).toContain("if no synth is running on ci-runner-7, delete out/.sluice/synth.lock");
    expect(project.exists("out/.sluice/synth.lock")).toBe(true);
  });
});
