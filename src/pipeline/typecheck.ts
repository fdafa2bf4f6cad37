import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import type { Diagnostic } from "../model/diagnostic.js";
import { relativeTo } from "./discover.js";

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

export type TypecheckEngine = "native" | "ts-morph";

/**
 * Type-checks the stack files. "native" runs TypeScript 7's `tsc` (a Go
 * binary, several times faster); "ts-morph" uses the compiler bundled with
 * ts-morph and is the fallback where no native binary exists for the platform.
 * Returns every error, each with the file, line and column it points at.
 */
export function typecheckStacks(root: string, files: readonly string[], engine: TypecheckEngine = "native"): Diagnostic[] {
  if (files.length === 0) return [];
  if (engine === "native") {
    const tsc = nativeTsc();
    if (tsc) return runNativeTsc(tsc, root, files);
  }
  return runTsMorph(root, files);
}

function nativeTsc(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const pkgPath = require.resolve("typescript/package.json");
    const pkg = JSON.parse(fs.readFileSync(pkgPath, "utf8")) as { version: string; bin?: Record<string, string> };
    if (!pkg.version.startsWith("7.") || !pkg.bin?.tsc) return undefined;
    return path.join(path.dirname(pkgPath), pkg.bin.tsc);
  } catch {
    return undefined;
  }
}

function runNativeTsc(tsc: string, root: string, files: readonly string[]): Diagnostic[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-typecheck-"));
  try {
    const tsconfig = path.join(dir, "tsconfig.json");
    // The tsconfig lives in a temp dir, so type roots must be named: they are
    // looked up next to the tsconfig, not next to the stacks.
    const config = {
      compilerOptions: { ...STACK_COMPILER_OPTIONS, typeRoots: typeRoots(root) },
      files: files.map((file) => path.resolve(root, file)),
    };
    fs.writeFileSync(tsconfig, JSON.stringify(config));
    const result = spawnSync(process.execPath, [tsc, "-p", tsconfig, "--pretty", "false"], {
      cwd: root,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    if (result.error) throw result.error;
    if (result.status === 0) return [];
    const diagnostics = parseTscOutput(`${result.stdout}${result.stderr}`, root);
    if (diagnostics.length === 0) {
      return [{ code: "typecheck/tsc-failed", message: `tsc exited with ${result.status}: ${result.stderr || result.stdout}` }];
    }
    return diagnostics;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
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
