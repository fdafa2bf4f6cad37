/**
 * Issue 18, items 5–9: the local caches may cost time, never a result. Each
 * case is what a run without caches gives, compared byte for byte, through
 * the real CLI where the behaviour is the CLI's.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { synth } from "sluice";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { CLI, copyProject, type Project } from "./helpers/project.js";
import { runCli } from "./helpers/cli.js";
import { edit } from "./helpers/stack-edit.js";
import { removeApp } from "./helpers/releases.js";

const CACHE = "node_modules/.cache/sluice";
const DEV = "out/apps/payments/dev-1/manifest.yaml";

/** A `sluice` command in this process (helpers/cli.ts): the caches it reads and writes are on disk, as a process's are. */
function sluice(project: Project, ...args: string[]) {
  return runCli(args, { cwd: project.root });
}

/**
 * The same as a process of its own, for what only a process shows: a hang
 * (killed after a minute), which process ids are alive, and a run with no
 * cache dir, whose stack bundle lies in the system temp dir (where the test
 * runner's own source maps would change the stack lines sluice reads).
 */
function spawned(project: Project, ...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: project.root, encoding: "utf8", timeout: 60_000 });
  return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

/** What a run without caches writes for these stacks (bytes only: the type-check, which writes none, is skipped). */
async function freshTree(project: Project, also: readonly string[] = []): Promise<Record<string, string>> {
  const fresh = copyProject(project, ["stacks", "CODEOWNERS", ...also]);
  await synth({ root: fresh.root, cache: false, skipTypecheck: true });
  return fresh.tree();
}

/** Sets a file's mtime to one a minute ago (older than any cache file), to the nanosecond of `like` if given. */
function backdate(file: string, like?: string): void {
  const time = like ?? fs.statSync(file).mtimeMs / 1000 - 60;
  if (typeof time === "string") execFileSync("touch", ["-m", "-r", time, file]);
  else fs.utimesSync(file, time, time);
}

describe("caches never change a result (issue 18, items 5–9)", () => {
  let base: Project;
  beforeAll(() => {
    base = synthesizedExample({ caches: true });
  });

  for (const sharing of ["linked", "copied"] as const)
    it(`item 5: two projects whose node_modules/.cache is ${sharing} each get their own bytes, although an input has the same name, size and mtime`, async () => {
      // GIVEN two projects whose payments stack reads its dev replicas from a package,
      // 1 in the first and 7 in the second: same path, same size, same mtime
      const [first, second] = [1, 7].map((replicas) => {
        const p = copyProject(base, ["stacks", "CODEOWNERS"]);
        p.write(
          "node_modules/replicas-data/package.json",
          JSON.stringify({ name: "replicas-data", type: "module", main: "index.js", types: "index.d.ts" }),
        );
        p.write("node_modules/replicas-data/index.d.ts", "declare const replicas: number;\nexport default replicas;\n");
        p.write("node_modules/replicas-data/index.js", `export default ${replicas};\n`);
        edit(p, "stacks/payments.ts", "dev: { replicas: 1 }", "dev: { replicas: devReplicas }");
        p.write("stacks/payments.ts", `import devReplicas from "replicas-data";\n${p.read("stacks/payments.ts")}`);
        for (const file of ["node_modules/replicas-data/index.js", "stacks/payments.ts"]) {
          fs.utimesSync(path.join(p.root, file), 1_700_000_000, 1_700_000_000);
        }
        return p;
      }) as [Project, Project];
      // ... and the second's cache folder is the first's (a shared cache), or a copy of it (a restored CI cache)
      fs.mkdirSync(path.join(first.root, "node_modules/.cache"));
      if (sharing === "linked")
        fs.symlinkSync(path.join(first.root, "node_modules/.cache"), path.join(second.root, "node_modules/.cache"), "dir");
      // WHEN both synthesize, one after the other
      expect((await sluice(first, "synth")).status).toBe(0);
      if (sharing === "copied")
        fs.cpSync(path.join(first.root, "node_modules/.cache"), path.join(second.root, "node_modules/.cache"), {
          recursive: true,
          preserveTimestamps: true,
        });
      const second1 = await sluice(second, "synth");
      expect(second1.status, second1.stderr).toBe(0);
      expect((await sluice(first, "synth")).status).toBe(0);
      // THEN each has the bytes a run without caches gives
      expect(second.read(DEV)).toContain("replicas: 7");
      expect(first.read(DEV)).toContain("replicas: 1");
      expect(second.tree()).toEqual(await freshTree(second, ["node_modules/replicas-data"]));
      expect((await sluice(second, "synth", "--check")).status).toBe(0);
    });

  it("item 6: an edit that keeps a stack's size and mtime reaches out/, and --check calls out/ stale before", async () => {
    const p = copyProject(base, ["stacks", "out", "CODEOWNERS", CACHE]);
    expect((await sluice(p, "synth")).status).toBe(0);
    const file = path.join(p.root, "stacks/payments.ts");
    fs.copyFileSync(file, path.join(p.root, "mtime-reference"));
    backdate(path.join(p.root, "mtime-reference"));
    backdate(file, path.join(p.root, "mtime-reference"));
    expect((await sluice(p, "synth")).status).toBe(0);
    // Same size, same mtime, same inode: written in place.
    const before = fs.statSync(file, { bigint: true });
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("dev: { replicas: 1 }", "dev: { replicas: 7 }"));
    backdate(file, path.join(p.root, "mtime-reference"));
    const after = fs.statSync(file, { bigint: true });
    expect([after.size, after.mtimeNs, after.ino]).toEqual([before.size, before.mtimeNs, before.ino]);

    const check = await sluice(p, "synth", "--check");
    expect(check.status, check.stdout).toBe(1);
    expect(check.stdout).toContain("stale    out/apps/payments/dev-1/manifest.yaml");
    expect((await sluice(p, "synth")).status).toBe(0);
    expect(p.read(DEV)).toContain("replicas: 7");
    expect(p.tree()).toEqual(await freshTree(p));
  });

  it("item 6: a foreign file added under out/apps/<app>/<cluster>/ is reported by --check and refused by synth, though the directory's mtime was put back", async () => {
    const p = copyProject(base, ["stacks", "out", "CODEOWNERS", CACHE]);
    expect((await sluice(p, "synth")).status).toBe(0);
    expect((await sluice(p, "synth", "--check")).status).toBe(0); // the stat cache now holds every directory's listing
    const dir = path.join(p.root, "out/apps/payments/dev-1");
    const reference = path.join(p.root, "mtime-reference");
    fs.writeFileSync(reference, "");
    backdate(reference, dir);
    fs.writeFileSync(path.join(dir, "foreign.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: planted\n");
    backdate(dir, reference); // as tar, rsync -t or cp -p would leave it

    const check = await sluice(p, "synth", "--check");
    expect(check.stdout).toContain("extra    out/apps/payments/dev-1/foreign.yaml");
    expect(check.status).toBe(1);
    const refused = await sluice(p, "synth");
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain("out/apps/payments/dev-1/foreign.yaml");
  });

  it("item 6: a file in out/ edited in place with its size and mtime put back is found stale", async () => {
    const p = copyProject(base, ["stacks", "out", "CODEOWNERS", CACHE]);
    expect((await sluice(p, "synth")).status).toBe(0);
    expect((await sluice(p, "synth", "--check")).status).toBe(0);
    const file = path.join(p.root, DEV);
    const reference = path.join(p.root, "mtime-reference");
    fs.writeFileSync(reference, "");
    backdate(reference, file);
    const original = fs.readFileSync(file, "utf8");
    fs.writeFileSync(file, original.replace("replicas: 1", "replicas: 9"));
    backdate(file, reference);

    expect((await sluice(p, "synth", "--check")).stdout).toContain("stale    out/apps/payments/dev-1/manifest.yaml");
    expect((await sluice(p, "synth")).status).toBe(0);
    expect(p.read(DEV)).toBe(original);
  });

  describe("item 7: the type-check verdict is not reused across a change that makes another stack fail", () => {
    const globalIn = (p: Project, file: string, name: string, type: string) =>
      p.write(file, `${p.read(file)}\ndeclare global {\n  var ${name}: ${type};\n}\n`);

    it("a second app stack declaring the same global with another type", async () => {
      const p = copyProject(base, ["stacks", "out", "CODEOWNERS", CACHE]);
      globalIn(p, "stacks/search.ts", "sluiceShared", "string");
      expect((await sluice(p, "synth")).status).toBe(0);
      globalIn(p, "stacks/payments.ts", "sluiceShared", "number");
      const cached = await sluice(p, "synth");
      const fresh = copyProject(p, ["stacks", "out", "CODEOWNERS"]);
      const uncached = await sluice(fresh, "synth");
      expect(uncached.status).toBe(2);
      expect(cached.status, cached.stderr).toBe(2);
      expect(cached.stderr).toContain("Subsequent variable declarations must have the same type");
    });

    it("a global another stack uses, removed from the stack that declared it", async () => {
      const p = copyProject(base, ["stacks", "out", "CODEOWNERS", CACHE]);
      globalIn(p, "stacks/search.ts", "sluiceFlag", "string");
      p.write(
        "stacks/payments.ts",
        `${p.read("stacks/payments.ts")}\nexport const flagLength = (): number => globalThis.sluiceFlag.length;\n`,
      );
      expect((await sluice(p, "synth")).status).toBe(0);
      p.write("stacks/search.ts", p.read("stacks/search.ts").replace(/\ndeclare global \{[^}]*\}\n/, "\n"));
      const cached = await sluice(p, "synth");
      expect(cached.status, cached.stderr).toBe(2);
      expect(cached.stderr).toContain("stacks/payments.ts:");
    });
  });

  describe("item 8: a hostile or broken cache folder is a cold run, never a hang or an internal error", () => {
    it("FIFOs in place of the cache files", async () => {
      const p = copyProject(base, ["stacks", "out", "CODEOWNERS"]);
      fs.mkdirSync(path.join(p.root, CACHE), { recursive: true });
      for (const name of ["load.json", "render.json", "admission-compiled.json", "tsconfig.stacks.json", "stacks.tsbuildinfo"]) {
        execFileSync("mkfifo", [path.join(p.root, CACHE, name)]);
      }
      const statName = `out-${createHash("sha256")
        .update(fs.realpathSync(path.join(p.root, "out")))
        .digest("hex")
        .slice(0, 16)}.stat.json`;
      execFileSync("mkfifo", [path.join(p.root, CACHE, statName)]);
      const run = spawned(p, "synth");
      expect(run.signal, "synth hung on a FIFO").toBeNull();
      expect(run.status, run.stderr).toBe(0);
      expect(p.tree()).toEqual(base.tree());
      expect(spawned(p, "synth", "--check").status).toBe(0);
    });

    it("a render-cache entry naming ../../x.yaml", async () => {
      const p = copyProject(base, ["stacks", "out", "CODEOWNERS", CACHE]);
      expect((await sluice(p, "synth")).status).toBe(0); // the render cache now holds every instance
      const file = path.join(p.root, CACHE, "render.json");
      const text = fs.readFileSync(file, "utf8");
      const newline = text.indexOf("\n");
      const payload = text.slice(newline + 1).replaceAll("apps/payments/dev-1/manifest.yaml", "../../sentinel/x.yaml");
      expect(payload).toContain("../../sentinel/x.yaml");
      const header = { ...(JSON.parse(text.slice(0, newline)) as object), sha256: createHash("sha256").update(payload).digest("hex") };
      fs.writeFileSync(file, `${JSON.stringify(header)}\n${payload}`);
      const check = await sluice(p, "synth", "--check");
      expect(check.stdout).not.toContain("x.yaml");
      expect(check.status, check.stdout + check.stderr).toBe(0);
      const run = await sluice(p, "synth");
      expect(run.stderr).not.toContain("internal error");
      expect(run.status, run.stderr).toBe(0);
      expect(p.tree()).toEqual(await freshTree(p));
    });

    for (const [what, make] of [
      ["node_modules/.cache is a file", (p: Project) => p.write("node_modules/.cache", "not a folder\n")],
      ["node_modules/.cache/sluice is a file", (p: Project) => p.write("node_modules/.cache/sluice", "not a folder\n")],
    ] as const) {
      it(`${what}: every run is cold, with one warning`, async () => {
        const p = copyProject(base, ["stacks", "out", "CODEOWNERS"]);
        make(p);
        edit(p, "stacks/payments.ts", "dev: { replicas: 1 }", "dev: { replicas: 3 }");
        const run = spawned(p, "synth");
        expect(run.stderr).not.toContain("internal error");
        expect(run.status, run.stderr).toBe(0);
        expect(run.stderr.match(/warning/g)).toHaveLength(1);
        expect(run.stderr).toContain("node_modules/.cache");
        expect(p.tree()).toEqual(await freshTree(p));
        const check = spawned(p, "synth", "--check");
        expect(check.status, check.stderr).toBe(0);
        // Nothing sluice made was left in the project.
        expect(fs.readdirSync(p.root).sort()).toEqual(["CODEOWNERS", "node_modules", "out", "package.json", "stacks"]);
      });
    }
  });

  describe("item 9: what killed runs leave behind", () => {
    it("bundle and temp files of dead processes are removed from the cache dir on the next run; others' files are left", async () => {
      const p = copyProject(base, ["stacks", "out", "CODEOWNERS", CACHE]);
      const dir = path.join(p.root, CACHE);
      const dead = deadPid();
      const stale = [`stacks-${dead}-0a1b2c3d.mjs`, `.render.json.${dead}-0a1b2c3d.tmp`, `stacks-${dead}-0a1b2c3d.mjs.map`];
      const kept = [`stacks-${process.pid}-0a1b2c3d.mjs`, "notes.txt", `stacks-${dead}.mjs`];
      for (const name of [...stale, ...kept]) fs.writeFileSync(path.join(dir, name), "export {};\n");
      // A run's bundles are a directory of their own; a dead run's goes, a live one's and a link stay.
      const staleDir = `stacks-${dead}-1a2b3c4d`;
      fs.mkdirSync(path.join(dir, staleDir, "shared"), { recursive: true });
      fs.writeFileSync(path.join(dir, staleDir, "shared/platform.mjs"), "export {};\n");
      const liveDir = `stacks-${process.pid}-1a2b3c4d`;
      fs.mkdirSync(path.join(dir, liveDir));
      const outsideDir = path.join(p.sentinel, "kept");
      fs.mkdirSync(outsideDir);
      fs.writeFileSync(path.join(outsideDir, "x.mjs"), "export {};\n");
      const linkDir = `stacks-${dead}-2a2b3c4d`;
      fs.symlinkSync(outsideDir, path.join(dir, linkDir));
      stale.push(staleDir);
      kept.push(liveDir, linkDir);
      expect(spawned(p, "synth").status).toBe(0);
      expect(fs.readdirSync(outsideDir)).toEqual(["x.mjs"]);
      fs.rmSync(outsideDir, { recursive: true });
      const left = fs.readdirSync(dir);
      for (const name of stale) expect(left, name).not.toContain(name);
      for (const name of kept) expect(left, name).toContain(name);
    });

    it("a deleted app leaves no empty directories in out/", async () => {
      const p = copyProject(base, ["stacks", "out", "CODEOWNERS", CACHE]);
      removeApp(p, "search");
      expect((await sluice(p, "synth")).status).toBe(0);
      expect(fs.existsSync(path.join(p.root, "out/apps/search"))).toBe(false);
      expect(emptyDirs(path.join(p.root, "out"))).toEqual([]);
    });
  });
});

/** A process id that no process has. */
function deadPid(): number {
  for (let pid = 4_000_000; ; pid--) {
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ESRCH") return pid;
    }
  }
}

function emptyDirs(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter((full) => fs.readdirSync(full).length === 0);
}
