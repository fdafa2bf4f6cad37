import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/**
 * One cache file: a header line `{"format":…,"code":…,"sha256":…}` and the
 * payload as JSON. The hash catches a truncated or damaged file and the code
 * fingerprint a file written by another sluice; either way the cache is
 * treated as empty, which costs time and never changes a result.
 */
const FORMAT = "sluice-cache-2";

export interface CacheRead<T> {
  readonly value: T;
  /** The file's own mtime in nanoseconds: entries recorded before it was written are older than it. */
  readonly mtimeNs: bigint;
}

/**
 * Reads a cache file written by this sluice. `isValid` is a cheap shape check:
 * the hash already proves the payload is what sluice wrote.
 */
export function readCacheFile<T>(file: string, code: string, isValid: (value: unknown) => value is T): CacheRead<T> | undefined {
  let text: string;
  let mtimeNs: bigint;
  try {
    // Non-blocking, and only a regular file is read: a FIFO in its place would wait forever for a writer.
    const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    try {
      const stat = fs.fstatSync(fd, { bigint: true });
      if (!stat.isFile()) return undefined;
      mtimeNs = stat.mtimeNs;
      text = fs.readFileSync(fd, "utf8");
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return undefined;
  }
  const newline = text.indexOf("\n");
  if (newline === -1) return undefined;
  try {
    const header = JSON.parse(text.slice(0, newline)) as { format?: unknown; code?: unknown; sha256?: unknown };
    const payload = text.slice(newline + 1);
    if (header.format !== FORMAT || header.code !== code || header.sha256 !== sha256(payload)) return undefined;
    const value: unknown = JSON.parse(payload);
    return isValid(value) ? { value, mtimeNs } : undefined;
  } catch {
    return undefined;
  }
}

/** Writes a cache file atomically (a reader sees the old file or the new one). Failures are ignored: a cache is optional. */
export function writeCacheFile(file: string, code: string, value: unknown): void {
  const payload = JSON.stringify(value);
  const header = JSON.stringify({ format: FORMAT, code, sha256: sha256(payload) });
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`);
  try {
    fs.writeFileSync(temp, `${header}\n${payload}`);
    fs.renameSync(temp, file);
  } catch {
    fs.rmSync(temp, { force: true });
  }
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** A plain JSON object (not an array, not null): the top level of every cache payload. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
