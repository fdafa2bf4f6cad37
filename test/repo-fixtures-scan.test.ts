/**
 * The repository practises what sluice preaches: no fixture, example stack,
 * README snippet or committed output holds a credential-looking literal.
 * Tests that need one build it from pieces at run time, so the scanner sees
 * none here; a literal that slips in fails this test, which names the file
 * and line.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { scanLiteral, scanText } from "../src/secrets/scan.js";
import { REPO } from "./helpers/project.js";

const tracked = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: REPO, encoding: "utf8" })
  .split("\0")
  .filter((file) => file && file !== "package-lock.json" && fs.existsSync(path.join(REPO, file)))
  .filter((file) => !/\.(png|jpg|gif|ico|tgz|gz)$/.test(file));

/** `NAME: "value"` pairs as stacks and README snippets write environment variables and fields, short ones included (a weak password is short). */
const PAIR = /\b([A-Za-z_][A-Za-z0-9_.-]*)["']?\s*:\s*"([^"\n]+)"/g;

describe("the repository's own fixtures", () => {
  it("hold no credential that the scanner would flag, in any tracked file", () => {
    expect(tracked.length).toBeGreaterThan(50);
    const findings = tracked.flatMap((file) =>
      scanText(fs.readFileSync(path.join(REPO, file), "utf8")).map((f) => `${file}:${f.line}: ${f.rule}`),
    );
    expect(findings).toEqual([]);
  });

  it("write no secret-looking value under a secret's name in the example stacks or the README", () => {
    const files = tracked.filter((file) => /^stacks\/.*\.ts$/.test(file) || file === "README.md" || /^test\/bench\/.*\.ts$/.test(file));
    expect(files).toContain("README.md");
    const findings = files.flatMap((file) =>
      [...fs.readFileSync(path.join(REPO, file), "utf8").matchAll(PAIR)].flatMap(([, name, value]) => {
        const finding = scanLiteral(name!, value!);
        return finding ? [`${file}: ${name}: ${finding.rule}`] : [];
      }),
    );
    expect(findings).toEqual([]);
  });

  it("would catch one: the scan is not vacuous", () => {
    const planted = `env:\n  - name: DEPLOY_URL\n    value: ${["https://ci", ":", "t0ken", "@git.example.com"].join("")}\n`;
    expect(scanText(planted)).toEqual([expect.objectContaining({ rule: "url-credentials", line: 3 })]);
    const pair = [...`DB_PASSWORD: "${["hunter2", "s3cr3t", "Xy9!"].join("-")}"`.matchAll(PAIR)][0]!;
    expect(scanLiteral(pair[1]!, pair[2]!)?.rule).toBe("named-secret");
  });
});
