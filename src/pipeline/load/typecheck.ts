import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { scratchDir } from "../../cache/cache-dir.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import { relativeTo } from "./discover.js";
import { reachesOthers } from "./global-scope.js";

/**
 * Compiler options for stacks: ESM as bundlers and tsx resolve it (imports
 * without extensions work), strict, no DOM. Node's types are included because
 * the type-check also covers sluice's own source, which stacks import.
 */
export const STACK_COMPILER_OPTIONS = {
  strict: true,
  noEmit: true,
  target: "es2022",
  lib: ["es2023"],
  module: "preserve",
  moduleResolution: "bundler",
  allowImportingTsExtensions: true,
  skipLibCheck: true,
  types: ["node"] as string[],
} as const;

export type TypeChecker = "native" | "ts-morph";

export interface TypecheckResult {
  readonly diagnostics: Diagnostic[];
  /** Every file the compiler read (stacks, sluice's types, node_modules declarations), absolute; empty when unknown. */
  readonly files: readonly string[];
}

/**
 * Type-checks the stack files in the background. "native" runs TypeScript 7's
 * `tsc` (a Go binary, several times faster) in its own process, incrementally,
 * with its build info in sluice's cache dir, while sluice loads and renders the
 * stacks on the other core; "ts-morph" uses the compiler bundled with ts-morph
 * and is the fallback where no native binary exists for the platform. Returns
 * every error, each with the file, line and column it points at.
 */
export async function typecheckStacksAsync(
  root: string,
  files: readonly string[],
  checker: TypeChecker = "native",
  subset = false,
): Promise<TypecheckResult> {
  if (files.length === 0) return { diagnostics: [], files: [] };
  const tsc = checker === "native" ? nativeTsc() : undefined;
  if (!tsc) return { diagnostics: runTsMorph(root, files), files: [] };
  const { command, args, options } = tscInvocation(tsc, root, files, subset);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", reject);
    child.on("close", (status) =>
      resolve(tscResult(root, status, Buffer.concat(out).toString("utf8"), Buffer.concat(err).toString("utf8"))),
    );
  });
}

interface Tsc {
  /** The native executable, or node plus TypeScript's launcher script. */
  readonly command: string;
  readonly prefix: readonly string[];
}

function nativeTsc(): Tsc | undefined {
  try {
    const require = createRequire(import.meta.url);
    const pkgPath = require.resolve("typescript/package.json");
    const pkg = JSON.parse(fs.readFileSync(pkgPath, "utf8")) as { version: string; bin?: Record<string, string> };
    if (!pkg.version.startsWith("7.") || !pkg.bin?.tsc) return undefined;
    // The launcher only starts the platform's binary; starting it directly saves a Node start.
    try {
      const platformPkg = createRequire(pkgPath).resolve(`@typescript/typescript-${process.platform}-${process.arch}/package.json`);
      const exe = path.join(path.dirname(platformPkg), "lib", process.platform === "win32" ? "tsc.exe" : "tsc");
      if (fs.existsSync(exe)) return { command: exe, prefix: [] };
    } catch {
      // No platform package where we expect it: use the launcher.
    }
    return { command: process.execPath, prefix: [path.join(path.dirname(pkgPath), pkg.bin.tsc)] };
  } catch {
    return undefined;
  }
}

/**
 * The generated tsconfig and the build info live in the cache dir. Type roots
 * must be named there, since they are looked up next to the tsconfig, not
 * next to the stacks. `--listFiles` tells load which files a passing
 * type-check depended on, so that an unchanged project can skip it. A check
 * of a few changed stacks (`subset`) gets a tsconfig of its own and no build
 * info, which would be thrown away by the next full check anyway.
 * `--singleThreaded`: the compiler runs beside sluice's own work on the
 * other core; its checker threads would only take turns with it, for about
 * twice the CPU time (measured on 2 cores, 500 stacks).
 */
function tscInvocation(tsc: Tsc, root: string, files: readonly string[], subset = false) {
  const dir = scratchDir(root);
  const tsconfig = path.join(dir, subset ? "tsconfig.changed-stacks.json" : "tsconfig.stacks.json");
  const config = {
    compilerOptions: {
      ...STACK_COMPILER_OPTIONS,
      typeRoots: typeRoots(root),
      ...(subset ? {} : { incremental: true, tsBuildInfoFile: path.join(dir, "stacks.tsbuildinfo") }),
    },
    files: files.map((file) => path.resolve(root, file)),
  };
  const text = JSON.stringify(config);
  // Anything but a regular file in their place (a FIFO would hang a read, a link lead a write elsewhere) is removed first.
  for (const file of [tsconfig, path.join(dir, "stacks.tsbuildinfo")]) {
    const stat = fs.lstatSync(file, { throwIfNoEntry: false });
    if (stat && !stat.isFile()) fs.rmSync(file, { recursive: true, force: true });
  }
  if (!subset) forgetOnGlobalChange(dir, root, files);
  // Rewritten only when it changes, so the compiler's incremental state stays valid.
  if (!fs.existsSync(tsconfig) || fs.readFileSync(tsconfig, "utf8") !== text) fs.writeFileSync(tsconfig, text);
  return {
    command: tsc.command,
    args: [...tsc.prefix, "-p", tsconfig, "--pretty", "false", "--listFiles", "--singleThreaded"],
    options: { cwd: root },
  };
}

/**
 * tsc 7's incremental state misses a change to what a file declares globally
 * (a stack adding `declare global { var x: number }` where another declares
 * `x: string` passes): when the files that declare anything globally, or
 * their content, differ from the last full check's, its build info is removed.
 */
function forgetOnGlobalChange(dir: string, root: string, files: readonly string[]): void {
  const hash = createHash("sha256");
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(path.resolve(root, file), "utf8");
    } catch {
      continue;
    }
    if (reachesOthers(text)) hash.update(file).update("\0").update(text).update("\0");
  }
  const signature = hash.digest("hex");
  const record = path.join(dir, "stacks.globals");
  const stat = fs.lstatSync(record, { throwIfNoEntry: false });
  if (stat?.isFile() && fs.readFileSync(record, "utf8") === signature) return;
  fs.rmSync(path.join(dir, "stacks.tsbuildinfo"), { force: true });
  if (stat) fs.rmSync(record, { recursive: true, force: true });
  fs.writeFileSync(record, signature);
}

function tscResult(root: string, status: number | null, stdout: string, stderr: string): TypecheckResult {
  if (status === 0) {
    return { diagnostics: [], files: stdout.split(/\r?\n/).filter((line) => path.isAbsolute(line)) };
  }
  const diagnostics = parseTscOutput(`${stdout}${stderr}`, root);
  if (diagnostics.length === 0) {
    return { diagnostics: [{ code: "typecheck/tsc-failed", message: `tsc exited with ${status}: ${stderr || stdout}` }], files: [] };
  }
  return { diagnostics, files: [] };
}

function typeRoots(root: string): string[] {
  const roots = [path.join(root, "node_modules", "@types")];
  try {
    const nodeTypes = createRequire(import.meta.url).resolve("@types/node/package.json");
    roots.push(path.dirname(path.dirname(nodeTypes)));
  } catch {
    // No @types/node next to sluice: the project's own node_modules must have it.
  }
  return [...new Set(roots)].filter((dir) => fs.existsSync(dir));
}

const TSC_LINE = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/;
const TSC_GLOBAL = /^error (TS\d+): (.*)$/;

/** Parses `tsc --pretty false` output: one error per line, continuation lines indented. */
export function parseTscOutput(output: string, root: string): Diagnostic[] {
  const diagnostics: { code: string; message: string; file?: string; line?: number; column?: number }[] = [];
  for (const line of output.split(/\r?\n/)) {
    const located = TSC_LINE.exec(line);
    const global = located ? undefined : TSC_GLOBAL.exec(line);
    if (located) {
      diagnostics.push({
        code: `typecheck/${located[4]}`,
        message: located[5]!,
        file: relativeTo(root, path.resolve(root, located[1]!)),
        line: Number(located[2]),
        column: Number(located[3]),
      });
    } else if (global) {
      diagnostics.push({ code: `typecheck/${global[1]}`, message: global[2]! });
    } else if (line.startsWith(" ") && diagnostics.length > 0) {
      diagnostics[diagnostics.length - 1]!.message += `\n  ${line.trim()}`;
    }
  }
  return diagnostics.map(({ code, message, file, line, column }) =>
    file ? { code, message, origin: { file, line: line!, column: column! } } : { code, message },
  );
}

function runTsMorph(root: string, files: readonly string[]): Diagnostic[] {
  // ts-morph is large; it is only loaded when the native compiler is unavailable
  // or explicitly asked for. The synchronous require keeps this function sync.
  const require = createRequire(import.meta.url);
  const { Project, ts } = require("ts-morph") as typeof import("ts-morph");
  const project = new Project({
    compilerOptions: {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      lib: ["lib.es2023.d.ts"],
      module: ts.ModuleKind.Preserve,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      allowImportingTsExtensions: true,
      skipLibCheck: true,
      types: ["node"],
    },
  });
  for (const file of files) project.addSourceFileAtPath(path.resolve(root, file));
  project.resolveSourceFileDependencies();
  const diagnostics = project.getPreEmitDiagnostics();
  return diagnostics
    .filter((d) => d.getCategory() === ts.DiagnosticCategory.Error)
    .map((d) => {
      const message = ts.flattenDiagnosticMessageText(d.compilerObject.messageText, "\n  ");
      const sourceFile = d.getSourceFile();
      const start = d.getStart();
      if (!sourceFile || start === undefined) return { code: `typecheck/TS${d.getCode()}`, message };
      const { line, column } = sourceFile.getLineAndColumnAtPos(start);
      return {
        code: `typecheck/TS${d.getCode()}`,
        message,
        origin: { file: relativeTo(root, sourceFile.getFilePath()), line, column },
      };
    });
}
