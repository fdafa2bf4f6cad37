import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fingerprintOf, writeBuildRecord } from "../src/cache/code-fingerprint.js";

/**
 * Every cache entry is keyed by the fingerprint of sluice's code. The build
 * records it so that a run need not hash the code again; the record must be
 * taken only while the files are exactly those it describes.
 */
describe("the fingerprint of sluice's code", () => {
  let root: string;
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  };
  const hashed = () => {
    // The fingerprint a run computes with no record beside the code.
    const record = path.join(root, "code-fingerprint.json");
    const saved = fs.existsSync(record) ? fs.readFileSync(record) : undefined;
    fs.rmSync(record, { force: true });
    try {
      return fingerprintOf(root);
    } finally {
      if (saved) fs.writeFileSync(record, saved);
    }
  };
  const forgeRecord = () => {
    // A record whose hash no code has: if a run returns it, the run took the record.
    const file = path.join(root, "code-fingerprint.json");
    const record = JSON.parse(fs.readFileSync(file, "utf8")) as { fingerprint: string };
    fs.writeFileSync(file, JSON.stringify({ ...record, fingerprint: "f".repeat(32) }));
  };

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "sluice-code-"));
    write("src/cli/main.js", "export const answer = 5000;\n");
    write("src/k8s/openapi/core.json", "{}\n");
    write("lib/blueprints/service.js", "export const service = {};\n");
    write("src/cli/main.d.ts", "export declare const answer: number;\n");
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("is taken from the build's record while every file is as the build left it", () => {
    const before = hashed();
    writeBuildRecord(root);
    expect(fingerprintOf(root)).toBe(before);
    forgeRecord();
    expect(fingerprintOf(root)).toBe("f".repeat(32));
  });

  it("is hashed again when a file is patched to the same size, even with its mtime put back", () => {
    const file = path.join(root, "src/cli/main.js");
    const { atime, mtime } = fs.statSync(file);
    writeBuildRecord(root);
    forgeRecord();
    write("src/cli/main.js", "export const answer = 9000;\n");
    fs.utimesSync(file, atime, mtime);
    const now = fingerprintOf(root);
    expect(now).not.toBe("f".repeat(32));
    expect(now).toBe(hashed());
  });

  it("is hashed again when a file is added or removed", () => {
    writeBuildRecord(root);
    forgeRecord();
    write("lib/blueprints/worker.js", "export const worker = {};\n");
    expect(fingerprintOf(root)).toBe(hashed());
    writeBuildRecord(root);
    forgeRecord();
    fs.rmSync(path.join(root, "src/k8s/openapi/core.json"));
    expect(fingerprintOf(root)).toBe(hashed());
  });

  it("covers code and data but not type declarations, and changes with any byte of them", () => {
    const before = hashed();
    write("src/cli/main.d.ts", "export declare const answer: 5000;\n");
    expect(hashed()).toBe(before);
    write("src/k8s/openapi/core.json", "{ }\n");
    expect(hashed()).not.toBe(before);
  });

  it("is hashed when the record is damaged", () => {
    writeBuildRecord(root);
    fs.writeFileSync(path.join(root, "code-fingerprint.json"), "{");
    expect(fingerprintOf(root)).toBe(hashed());
  });
});
