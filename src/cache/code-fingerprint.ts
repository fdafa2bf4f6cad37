import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

let fingerprint: string | undefined;

/** The record `npm run build` leaves beside the compiled code (scripts/build.mjs). */
const RECORD = "code-fingerprint.json";

interface BuildRecord {
  readonly fingerprint: string;
  /** Each hashed file's path under the code root, size, mtime and ctime (ms), sorted by path. */
  readonly files: readonly (readonly [string, number, number, number])[];
}

/**
 * A hash of sluice's own code (src/ and lib/, or their compiled dist/) and
 * version. Every cache entry is keyed by it, so that a new sluice, a patched
 * blueprint or a developer's edit to the renderer never reuses output the old
 * code rendered.
 *
 * The build hashes the compiled code once and records the hash with each
 * file's size, mtime and ctime, the way git's index vouches for a worktree.
 * A run from dist/ takes that hash when the same files are there with the same
 * stats, which saves reading and hashing 2.5 MB of code and schemas on every
 * run; a file added, removed, patched or copied elsewhere (a new ctime) is
 * hashed again. So is a package installed from a registry, whose files carry
 * the packer's times. A run from the TypeScript source (sluice's tests) hashes.
 */
export function codeFingerprint(): string {
  // This file is <code root>/src/cache/code-fingerprint.{ts,js}.
  fingerprint ??= fingerprintOf(path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../.."));
  return fingerprint;
}

/** The fingerprint of the code under codeRoot (its src/ and lib/): the build's record when it still holds, else a hash. */
export function fingerprintOf(codeRoot: string): string {
  const files = codeFiles(codeRoot);
  return recorded(codeRoot, files) ?? hashCode(codeRoot, files);
}

/** The build's record of the code under codeRoot, written for codeFingerprint() to take. */
export function writeBuildRecord(codeRoot: string): void {
  const files = codeFiles(codeRoot);
  const record: BuildRecord = {
    fingerprint: hashCode(codeRoot, files),
    files: files.map((file) => {
      const stat = fs.statSync(file);
      return [path.relative(codeRoot, file), stat.size, stat.mtimeMs, stat.ctimeMs] as const;
    }),
  };
  fs.writeFileSync(path.join(codeRoot, RECORD), `${JSON.stringify(record)}\n`);
}

function recorded(codeRoot: string, files: readonly string[]): string | undefined {
  let record: BuildRecord;
  try {
    record = JSON.parse(fs.readFileSync(path.join(codeRoot, RECORD), "utf8")) as BuildRecord;
  } catch {
    return undefined;
  }
  if (typeof record.fingerprint !== "string" || !Array.isArray(record.files) || record.files.length !== files.length) return undefined;
  for (let i = 0; i < files.length; i++) {
    const [name, size, mtimeMs, ctimeMs] = record.files[i] ?? [];
    const file = files[i]!;
    if (name !== path.relative(codeRoot, file)) return undefined;
    const stat = fs.statSync(file);
    if (size !== stat.size || mtimeMs !== stat.mtimeMs || ctimeMs !== stat.ctimeMs) return undefined;
  }
  return record.fingerprint;
}

function hashCode(codeRoot: string, files: readonly string[]): string {
  const hash = createHash("sha256");
  for (const file of files) {
    hash
      .update(`${path.relative(codeRoot, file)}\0`)
      .update(fs.readFileSync(file))
      .update("\0");
  }
  return hash.digest("hex").slice(0, 32);
}

function codeFiles(codeRoot: string): string[] {
  return ["src", "lib"].flatMap((dir) => {
    const top = path.join(codeRoot, dir);
    if (!fs.existsSync(top)) return [];
    return fs
      .readdirSync(top, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && /\.(ts|js|mjs|json)$/.test(entry.name) && !entry.name.endsWith(".d.ts"))
      .map((entry) => path.join(entry.parentPath, entry.name))
      .sort();
  });
}
