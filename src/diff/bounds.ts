/**
 * What `sluice diff` reads and computes is bounded, so that whatever was
 * committed at the base (a binary blob, a YAML alias bomb, a 60 MB file) or
 * whatever changed (20,000 env vars) gives a result in seconds, and the
 * result says what it left out.
 */

/**
 * The largest file diff parses. A file sluice writes holds one app
 * instance's objects, each at most 1.5 MiB (etcd's limit, which synth
 * enforces): far below this.
 */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;
/** Changed fields kept per object; the rest are counted (the formats show fewer still). */
export const MAX_FIELDS = 200;
/**
 * The most lines removed and added (the line diff's edits: a changed line is
 * one of each) a YAML patch is computed for: the line diff costs the number
 * of lines times the number of edits, which for a fleet of changed lines is
 * minutes. Past it, the field list says what changed.
 */
export const MAX_PATCH_EDITS = 2000;
/**
 * At most this many aliases in a file: `yaml`'s resource-exhaustion guard.
 * sluice writes no aliases at all; the guard stops an alias bomb (each alias
 * expanding to many) long before it fills memory.
 */
export const MAX_ALIASES = 100;

/** Why a file of this size and content is not compared object by object, or undefined when it can be. */
export function unreadable(text: string, bytes: number): string | undefined {
  if (bytes > MAX_FILE_BYTES)
    return `is ${bytes.toLocaleString("en")} bytes, more than the ${MAX_FILE_BYTES.toLocaleString("en")} sluice diff reads`;
  // A NUL never appears in YAML; bytes that are not UTF-8 decode to U+FFFD and change the length.
  if (text.includes("\u0000") || (text.includes("\uFFFD") && Buffer.byteLength(text) !== bytes)) return "is binary, not YAML";
  return undefined;
}
