import type fs from "node:fs";
import { Worker } from "node:worker_threads";

/** What a file's stat said when it was read: size, mtime, ctime and inode. */
function signature(stat: Pick<fs.BigIntStats, "size" | "mtimeNs" | "ctimeNs" | "ino">): string {
  return `${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}:${stat.ino}`;
}

/**
 * The worker's code, plain JavaScript (it runs as it is, from the sources
 * under test as from dist): every regular file below out/ (not .git),
 * read and given its git blob id, with its stat before and after the read;
 * a file whose stat moved during the read is left out.
 */
const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const fs = require("node:fs");
const path = require("node:path");
const crypto = require("node:crypto");
const signature = ${signature.toString()};
const found = [];
try {
  for (const entry of fs.readdirSync(workerData.outDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    const file = path.relative(workerData.outDir, full).split(path.sep).join("/");
    if (file.startsWith(".git/")) continue;
    try {
      const before = fs.lstatSync(full, { bigint: true });
      const content = fs.readFileSync(full);
      const after = fs.lstatSync(full, { bigint: true });
      if (signature(before) !== signature(after)) continue;
      const blob = crypto.createHash("sha1").update("blob " + content.length + "\\0").update(content).digest("hex");
      found.push(file, signature(after), blob);
    } catch {}
  }
} catch {}
parentPort.postMessage(found);
`;

/**
 * out/'s files read ahead on the second core, while the main thread loads
 * and renders the stacks: what \`synth --check\` and \`verify\` compare on a
 * new checkout, where no stat cache can vouch for a file and every one must
 * be read. A file's blob id is given only while its stat is still what it
 * was when it was read, so the result is what reading it at compare time
 * would give.
 */
export class Prefetch {
  private readonly blobs = new Map<string, { readonly signature: string; readonly blob: string }>();
  /** Settles when every file has been read (or the worker failed: then compare reads them itself). */
  readonly done: Promise<void>;

  constructor(outDir: string) {
    this.done = new Promise<void>((resolve) => {
      const worker = new Worker(WORKER, { eval: true, workerData: { outDir } });
      worker.once("message", (found: string[]) => {
        for (let i = 0; i + 2 < found.length; i += 3) this.blobs.set(found[i]!, { signature: found[i + 1]!, blob: found[i + 2]! });
        resolve();
      });
      worker.once("error", () => resolve());
      worker.once("exit", () => resolve());
      worker.unref();
    });
  }

  /** The blob id of `file` (relative to out/) as read ahead, if its stat is still `stat`. */
  blob(file: string, stat: fs.BigIntStats): string | undefined {
    const known = this.blobs.get(file);
    return known && known.signature === signature(stat) ? known.blob : undefined;
  }
}
