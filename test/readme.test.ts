import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { formatDiagnostic, isSluiceError, synth } from "sluice";
import { makeProject, REPO } from "./helpers/project.js";

const README = fs.readFileSync(path.join(REPO, "README.md"), "utf8");
/** The README's stack examples: ```ts blocks whose first line names the stack file (a release file below stacks/releases/ too). */
const examples = Object.fromEntries(
  [...README.matchAll(/```ts\n\/\/ (stacks\/[\w/-]+\.ts)\n([\s\S]*?)```/g)].map((m) => [m[1]!, `// ${m[1]}\n${m[2]}`]),
);

describe("the README", () => {
  it("shows stacks that compile as written", async () => {
    expect(Object.keys(examples).sort()).toEqual([
      "stacks/payments.ts",
      "stacks/platform.ts",
      "stacks/releases/prod/payments.ts",
      "stacks/settlement-report.ts",
    ]);
    const project = makeProject(examples);
    const result = await synth({ root: project.root });
    expect(result.rendered.map((r) => `${r.app}@${r.cluster}`)).toEqual([
      "payments@dev-1",
      "payments@prod-us-1",
      "settlement-report@dev-1",
    ]);
  });

  it("shows the error a misspelt cluster really gives", async () => {
    const shown = /\n(stacks\/payments\.ts):(\d+):(\d+): error: (.*)\n {2}hint: (.*)\n/.exec(README);
    expect(shown).not.toBeNull();
    const project = makeProject({
      ...examples,
      "stacks/payments.ts": examples["stacks/payments.ts"]!.replace('"prod-us-1": { env', '"prod-us1": { env'),
    });
    const error = await synth({ root: project.root }).catch((e: unknown) => e);
    expect(isSluiceError(error)).toBe(true);
    const [diagnostic] = isSluiceError(error) ? error.diagnostics : [];
    expect([diagnostic!.origin!.file, diagnostic!.origin!.line, diagnostic!.origin!.column]).toEqual([
      shown![1],
      Number(shown![2]),
      Number(shown![3]),
    ]);
    expect(formatDiagnostic(diagnostic!)).toBe(`${shown![1]}:${shown![2]}:${shown![3]} ${shown![4]}\n  hint: ${shown![5]}`);
  });

  it.each(["synth", "check", "init"])("documents every flag of sluice %s", async (command) => {
    const { main } = await import("../src/cli/main.js");
    let help = "";
    const io = { stdout: (t: string) => (help += t), stderr: () => {}, color: false, progress: false };
    expect(await main([command, "--help"], io)).toBe(0);
    const flags = [...help.matchAll(/--[a-z-]+/g)].map((m) => m[0]).filter((f) => f !== "--help");
    expect(flags.length).toBeGreaterThan(2);
    for (const flag of flags) expect(README, `README lacks ${flag}`).toContain(`\`${flag}`);
  });
});
