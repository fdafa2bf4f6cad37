import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/** Where a text was put in a Spill. */
export interface Spilled {
  readonly offset: number;
  readonly length: number;
}

/**
 * Rendered files on their way to out/, kept on disk rather than in memory:
 * a cold synth of a large fleet renders hundreds of megabytes of YAML before
 * it may write any of it (nothing is written until every stage passed), and
 * holding all of it would make the peak grow with the fleet. One file,
 * appended to a part at a time and read back a slice at a time: a single
 * sequential write costs far less than a file per rendered file.
 *
 * The file is in the scratch dir under a temp name (swept if the process is
 * killed) and removed as soon as it is open where the system allows it.
 */
export class Spill {
  private readonly fd: number;
  private readonly file: string | undefined;
  private size = 0;

  constructor(dir: string) {
    const file = path.join(dir, `.spill.${process.pid}-${randomBytes(4).toString("hex")}.tmp`);
    this.fd = fs.openSync(file, "wx+");
    try {
      fs.rmSync(file);
    } catch {
      // Windows keeps an open file: it is removed by close(), or swept later.
      this.file = file;
    }
  }

  /** Appends the texts; where each one is, in order. */
  put(texts: readonly string[]): Spilled[] {
    const buffers = texts.map((text) => Buffer.from(text, "utf8"));
    const joined = Buffer.concat(buffers);
    let written = 0;
    while (written < joined.length) written += fs.writeSync(this.fd, joined, written, joined.length - written, this.size + written);
    const places: Spilled[] = [];
    let offset = this.size;
    for (const buffer of buffers) {
      places.push({ offset, length: buffer.length });
      offset += buffer.length;
    }
    this.size += joined.length;
    return places;
  }

  get(at: Spilled): string {
    const buffer = Buffer.alloc(at.length);
    let read = 0;
    while (read < at.length) {
      const n = fs.readSync(this.fd, buffer, read, at.length - read, at.offset + read);
      if (n === 0) throw new Error("sluice's spill file was cut short");
      read += n;
    }
    return buffer.toString("utf8");
  }

  close(): void {
    fs.closeSync(this.fd);
    if (this.file !== undefined) fs.rmSync(this.file, { force: true });
  }
}
