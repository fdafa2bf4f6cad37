import { createHash } from "node:crypto";

/** The id git gives `content` as a blob, so a file is compared with a tree without reading it. */
export function blobId(content: string | Buffer): string {
  const bytes = typeof content === "string" ? Buffer.byteLength(content, "utf8") : content.length;
  return createHash("sha1").update(`blob ${bytes}\0`).update(content).digest("hex");
}
