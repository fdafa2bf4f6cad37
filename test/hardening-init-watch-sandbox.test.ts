/**
 * Issue 18, items 4, 15, 16, 21 and part of 25: `init` writes nothing through
 * a symbolic link, into a malformed package.json, an immutable directory or a
 * file, nor before its answers pass synth's rules; `synth --watch` always
 * synthesizes the last edit and survives the stacks directory being
 * replaced; the stack sandbox refuses the process's machine-dependent values.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { synth } from "sluice";
import { runCli } from "./helpers/cli.js";
import { exampleStacks, makeProject, type Project } from "./helpers/project.js";
import { waitFor, watching } from "./helpers/watch.js";
import { expectAt, lineOf, rejection, show } from "./helpers/stack-edit.js";

/** Every path below the project (links not followed), with a file's content or a link's target. */
function snapshot(p: Project): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of fs.readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      const stat = fs.lstatSync(full);
      const key = path.relative(p.root, full);
      if (stat.isSymbolicLink()) out[key] = `-> ${fs.readlinkSync(full)}`;
      else if (stat.isDirectory()) {
        out[`${key}/`] = "";
        walk(full);
      } else out[key] = fs.readFileSync(full, "utf8");
    }
  };
  walk(p.root);
  return out;
}

async function sluice(p: Project, args: readonly string[]) {
  const run = await runCli(args, { cwd: p.root, env: { NO_COLOR: "1" } });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** `sluice init` refused: exit 2, a message matching `pattern`, no internal error, and the project exactly as it was. */
async function refusesInit(p: Project, args: readonly string[], pattern: RegExp): Promise<string> {
  const before = snapshot(p);
  const run = await sluice(p, ["init", ...args, "--yes", "--no-synth"]);
  expect(run.stderr).not.toContain("internal error");
  expect(run.stderr).toMatch(pattern);
  expect(run.status).toBe(2);
  expect(snapshot(p)).toEqual(before);
  return run.stderr;
}

describe("init writes nothing through a symbolic link (item 4)", () => {
  it("package.json linked to a file outside the project", async () => {
    const p = makeProject();
    p.remove("package.json");
    fs.symlinkSync(path.join(p.sentinel, "victim.txt"), path.join(p.root, "package.json"));
    await refusesInit(p, ["."], /package\.json is a symbolic link .*outside the project/);
  });

  it("stacks linked to a directory outside the project", async () => {
    const p = makeProject();
    fs.symlinkSync(p.sentinel, path.join(p.root, "stacks"), "dir");
    await refusesInit(p, ["."], /stacks is a symbolic link/);
  });

  it("a dangling tsconfig.json link", async () => {
    const p = makeProject();
    fs.symlinkSync(path.join(p.sentinel, "tsconfig.json"), path.join(p.root, "tsconfig.json"));
    await refusesInit(p, ["."], /tsconfig\.json is a symbolic link/);
  });

  it("the project directory itself a link to outside, even with --force", async () => {
    const p = makeProject();
    fs.symlinkSync(p.sentinel, path.join(p.root, "elsewhere"), "dir");
    await refusesInit(p, ["elsewhere", "--force"], /elsewhere is a symbolic link/);
  });
});

describe("init refuses what it cannot write into, naming it (item 15)", () => {
  it.each([
    ["null", /package\.json must hold a JSON object, not null/],
    ["[]", /package\.json must hold a JSON object, not an array/],
    ['"a string"', /package\.json must hold a JSON object, not the string "a string"/],
    ['{ "name": "x", "scripts": "x" }', /package\.json has "scripts": the string "x"; it must be an object/],
    ['{ "name": "x", "devDependencies": { "a": 1 } }', /package\.json has "devDependencies"\."a": the number 1; it must be a string/],
    ["{ not json", /package\.json is not valid JSON/],
  ])("package.json %s", async (manifest, pattern) => {
    const p = makeProject();
    p.write("package.json", manifest);
    await refusesInit(p, ["."], pattern);
  });

  it("a directory nobody may write in (immutable, or read-only for a user)", async () => {
    const p = makeProject();
    const locked = path.join(p.root, "locked");
    fs.mkdirSync(locked);
    const root = process.getuid?.() === 0;
    const lock = (on: boolean) => {
      if (root) return spawnSync("chattr", [on ? "+i" : "-i", locked]).status;
      fs.chmodSync(locked, on ? 0o555 : 0o755);
      return 0;
    };
    if (lock(true) !== 0) return; // No chattr here, and root writes anywhere: nothing to test.
    try {
      await refusesInit(p, ["locked"], /locked is not writable/);
    } finally {
      lock(false);
    }
  });

  it("a directory argument that is a regular file", async () => {
    const p = makeProject({ "notes.txt": "mine\n" });
    await refusesInit(p, ["notes.txt"], /notes\.txt is a file, not a directory/);
  });

  it("a file where init makes a directory", async () => {
    const p = makeProject({ stacks: "not a directory\n" });
    await refusesInit(p, ["."], /stacks is a file, but init writes stacks\/\S+ inside it/);
  });
});

describe("init checks every answer before it writes (item 25)", () => {
  it.each([
    [
      ["--env-repo", "git@example.com: platform/env repo.git"],
      /env repo "git@example\.com: platform\/env repo\.git" must be a git URL without spaces/,
    ],
    [["--owner", "acme-platform"], /owner "acme-platform" must be a CODEOWNERS owner/],
    [["--team", "kube-system"], /team "kube-system" is also its namespace, which is a Kubernetes system namespace/],
    [["--environments", `dev,${"p".repeat(62)}`], /its cluster "p+-1" is 64 characters long/],
  ])("%s", async (flags, pattern) => {
    const p = makeProject();
    await refusesInit(p, [".", ...flags], pattern);
  });

  it("answers that pass give a project synth accepts", async () => {
    const p = makeProject();
    const run = await sluice(p, [
      "init",
      ".",
      "--yes",
      "--owner",
      "platform@example.com",
      "--env-repo",
      "ssh://git@example.com/platform/env.git",
      "--team",
      "shop",
    ]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(p.read("out/clusters/prod-1/apps/hello.yaml")).toContain("repoURL: ssh://git@example.com/platform/env.git");
  }, 60_000);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` holds, or fails with what it last saw. */
async function eventually(check: () => boolean, what: () => string, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out: ${what()}`);
    await sleep(50);
  }
}

describe("synth --watch (item 16)", () => {
  const manifest = "out/apps/catalog-api/dev-1/manifest.yaml";
  // A stack that takes a while to load (a loop, no clock) and says when it starts: the edits land during synths.
  const slow = (stack: string, spins: number) =>
    `process.stdout.write("loading catalog-api\\n");\n{ let n = 0; for (let i = 0; i < ${spins}; i++) n ^= i; if (n === -1) throw new Error("never"); }\n${stack}`;

  // 25 edits prove what 100 did: every gap is shorter than the synth it lands in.
  const edits = 25;
  it.each([
    ["5 ms apart during the first synth", 5, 2e9],
    ["150 ms apart, each synth slower than that", 150, 3e8],
  ])(
    "25 edits %s: out/ ends with the last one",
    async (_what, gap, spins) => {
      const p = makeProject(exampleStacks());
      const original = p.read("stacks/catalog-api.ts");
      expect(original).toContain('CACHE_TTL_SECONDS: "300"');
      p.write("stacks/catalog-api.ts", slow(original, 2e9));
      const { child, output } = watching(p);
      const stack = slow(original, spins);
      try {
        await waitFor(output, /loading catalog-api/);
        for (let i = 1; i <= edits; i++) {
          p.write("stacks/catalog-api.ts", stack.replace('CACHE_TTL_SECONDS: "300"', `CACHE_TTL_SECONDS: "${1000 + i}"`));
          await sleep(gap);
        }
        await eventually(
          () => p.exists(manifest) && p.read(manifest).includes(`CACHE_TTL_SECONDS: "${1000 + edits}"`),
          () =>
            `out/ has ${p.exists(manifest) ? /CACHE_TTL_SECONDS: "\d+"/.exec(p.read(manifest))?.[0] : "nothing"}; the watch printed:\n${output.text
              .split("\n")
              .filter((l) => !l.startsWith("  ~"))
              .join("\n")}`,
        );
      } finally {
        child.kill("SIGINT");
      }
    },
    90_000,
  );

  it("the stacks directory replaced by another: the watch follows the new one", async () => {
    const p = makeProject(exampleStacks());
    const { child, output } = watching(p);
    try {
      await waitFor(output, /Watching stacks\/ for changes/);
      fs.cpSync(path.join(p.root, "stacks"), path.join(p.root, "stacks2"), { recursive: true });
      p.write("stacks2/catalog-api.ts", p.read("stacks2/catalog-api.ts").replace('CACHE_TTL_SECONDS: "300"', 'CACHE_TTL_SECONDS: "777"'));
      fs.rmSync(path.join(p.root, "stacks"), { recursive: true });
      fs.renameSync(path.join(p.root, "stacks2"), path.join(p.root, "stacks"));
      await eventually(
        () => p.read(manifest).includes('CACHE_TTL_SECONDS: "777"'),
        () => `exit ${output.exit}; the watch printed:\n${output.text}`,
      );
      // And it goes on watching the new directory.
      p.write("stacks/catalog-api.ts", p.read("stacks/catalog-api.ts").replace('CACHE_TTL_SECONDS: "777"', 'CACHE_TTL_SECONDS: "888"'));
      await eventually(
        () => p.read(manifest).includes('CACHE_TTL_SECONDS: "888"'),
        () => `exit ${output.exit}; the watch printed:\n${output.text}`,
      );
      expect(output.exit).toBeUndefined();
    } finally {
      child.kill("SIGINT");
    }
  }, 90_000);

  it("the stacks directory removed for good: the watch says so and exits 2", async () => {
    const p = makeProject(exampleStacks());
    const { child, output } = watching(p);
    try {
      await waitFor(output, /Watching stacks\/ for changes/);
      fs.rmSync(path.join(p.root, "stacks"), { recursive: true });
      await eventually(
        () => output.exit !== undefined,
        () => `still running; printed:\n${output.text}`,
      );
      expect(output.text).toMatch(/stacks\/ is gone/);
      expect(output.exit).toBe(2);
    } finally {
      child.kill("SIGINT");
    }
  }, 90_000);
});

describe("the stack sandbox refuses the process's own values (item 21)", () => {
  it.each([
    ["process.cwd()", "CWD: process.cwd(),", "load/host"],
    ["import.meta.url", "URL: import.meta.url,", "load/host"],
    ["Intl.DateTimeFormat().format()", 'DAY: new Intl.DateTimeFormat("en").format(),', "load/clock"],
    ["process.uptime()", "UP: String(process.uptime()),", "load/host"],
    ["process.pid", "PID: String(process.pid),", "load/host"],
    ["process.argv", 'ARGS: process.argv.join(" "),', "load/host"],
    ["performance.timeOrigin", "ORIGIN: String(performance.timeOrigin),", "load/clock"],
    ["process.memoryUsage()", "MEM: String(process.memoryUsage().rss),", "load/host"],
    ['process.getBuiltinModule("fs")', 'FILE: String(process.getBuiltinModule("fs").readFileSync("/etc/hostname", "utf8")),', "load/io"],
  ])("%s is an error at its line, and nothing is written", async (_what, line, code) => {
    const stacks = exampleStacks();
    const anchor = '  env: {\n    DB_HOST: "payments-db.payments.svc",';
    expect(stacks["stacks/payments.ts"]!.split(anchor)).toHaveLength(2);
    stacks["stacks/payments.ts"] = stacks["stacks/payments.ts"]!.replace(
      anchor,
      `  env: {\n    ${line}\n    DB_HOST: "payments-db.payments.svc",`,
    );
    const p = makeProject(stacks);
    const diagnostics = await rejection(synth({ root: p.root, skipTypecheck: true }));
    const d = diagnostics.find((x) => x.code === code);
    expect(d, show(diagnostics)).toBeDefined();
    expectAt(d!, "stacks/payments.ts", lineOf(p.read("stacks/payments.ts"), line));
    expect(p.exists("out")).toBe(false);
    // The process's own values work again afterwards.
    expect(process.cwd()).toBeTruthy();
    expect(process.pid).toBeGreaterThan(0);
    expect(new Intl.DateTimeFormat("en").format()).toBeTruthy();
  });
});
