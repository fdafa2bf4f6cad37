import { createHash } from "node:crypto";

/** The id git gives `content` as a blob, so a file is compared with a tree without reading it. */
export function blobId(content: string): string {
  return createHash("sha1")
    .update(`blob ${Buffer.byteLength(content, "utf8")}\0`)
    .update(content, "utf8")
    .digest("hex");
}
