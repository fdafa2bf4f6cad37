import { expect } from "vitest";
import { isPolicyViolation, isSluiceError, synth, type Diagnostic, type Finding, type PolicyViolation } from "sluice";
import type { Project } from "./project.js";

/**
 * Replaces the one occurrence of `from` in a project file with `to`. Throws
 * when `from` is not there exactly once, so that a drifting example stack
 * makes the test fail loudly instead of silently testing nothing.
 */
export function edit(project: Project, file: string, from: string, to: string): string {
  const text = project.read(file);
  const count = text.split(from).length - 1;
  if (count !== 1) throw new Error(`expected ${JSON.stringify(from)} exactly once in ${file}, found it ${count} times`);
  const next = text.replace(from, () => to);
  project.write(file, next);
  return next;
}

/** The platform grants team payments one cluster-scoped kind it may own: PriorityClass. */
export function grantPaymentsPriorityClass(project: Project): void {
  edit(
    project,
    "stacks/platform.ts",
    'payments: { owners: ["@acme/payments"],',
    'payments: { clusterResources: ["scheduling.k8s.io/PriorityClass"], owners: ["@acme/payments"],',
  );
}

/** The 1-based line of the only line of `text` that contains `marker`. */
export function lineOf(text: string, marker: string): number {
  const lines = text.split("\n");
  const hits = lines.flatMap((line, index) => (line.includes(marker) ? [index + 1] : []));
  if (hits.length !== 1) throw new Error(`expected ${JSON.stringify(marker)} on exactly one line, found it on ${hits.length}`);
  return hits[0]!;
}

/** Awaits `promise`, which must reject with a SluiceError; returns its diagnostics. */
export async function rejection(promise: Promise<unknown>): Promise<readonly Diagnostic[]> {
  let error: unknown;
  try {
    await promise;
  } catch (caught) {
    error = caught;
  }
  expect(error, "expected a SluiceError, but it succeeded").toBeDefined();
  expect(isSluiceError(error), `expected a SluiceError, got ${String(error)}`).toBe(true);
  const { diagnostics } = error as { diagnostics: readonly Diagnostic[] };
  expect(diagnostics.length, "a SluiceError without diagnostics").toBeGreaterThan(0);
  return diagnostics;
}

/** The one diagnostic reported; fails, listing all of them, when there is not exactly one. */
export function only(diagnostics: readonly Diagnostic[]): Diagnostic {
  expect(diagnostics, `expected exactly one diagnostic:\n${show(diagnostics)}`).toHaveLength(1);
  return diagnostics[0]!;
}

/** The diagnostics with this code; fails, listing all of them, when there is none. */
export function withCode(diagnostics: readonly Diagnostic[], code: string): Diagnostic[] {
  const found = diagnostics.filter((d) => d.code === code);
  expect(found.length, `expected a diagnostic with code ${code}:\n${show(diagnostics)}`).toBeGreaterThan(0);
  return found;
}

/** Asserts the diagnostic points at `file`, line `line` (1-based). */
export function expectAt(diagnostic: Diagnostic, file: string, line: number): void {
  expect(diagnostic.origin, `no origin on: ${show([diagnostic])}`).toBeDefined();
  expect({ file: diagnostic.origin!.file, line: diagnostic.origin!.line }, show([diagnostic])).toEqual({ file, line });
  expect(diagnostic.origin!.column).toBeGreaterThanOrEqual(1);
}

export function show(diagnostics: readonly Diagnostic[]): string {
  return diagnostics
    .map((d) => `  ${d.code} ${d.origin ? `${d.origin.file}:${d.origin.line}:${d.origin.column} ` : ""}${d.message}`)
    .join("\n");
}

/**
 * WHEN synth runs (type-check skipped) THEN it fails with `code` at the line
 * of `marker` in `file`, and the project's files are exactly as they were.
 */
export async function failsAt(p: Project, code: string, file: string, marker: string): Promise<Diagnostic> {
  const before = p.tree();
  const diagnostics = await rejection(synth({ root: p.root, skipTypecheck: true }));
  const found = diagnostics.find((d) => d.code === code);
  expect(found, `expected ${code}:\n${show(diagnostics)}`).toBeDefined();
  expectAt(found!, file, lineOf(p.read(file), marker));
  expect(p.tree()).toEqual(before);
  return found!;
}

/** The findings of a synth that a policy error stopped; fails if it succeeded or failed otherwise. */
export async function policyFailure(promise: Promise<unknown>): Promise<readonly Finding[]> {
  let error: unknown;
  try {
    await promise;
  } catch (caught) {
    error = caught;
  }
  expect(error, "expected a policy error, but it succeeded").toBeDefined();
  expect(isPolicyViolation(error), `expected a PolicyViolation, got ${String(error)}`).toBe(true);
  return (error as PolicyViolation).findings;
}

/** The one finding of `rule`; fails, listing all of them, when there is not exactly one. */
export function findingOf(findings: readonly Finding[], rule: string): Finding {
  const matching = findings.filter((f) => f.rule === rule);
  expect(matching.length, JSON.stringify(findings, null, 1)).toBe(1);
  return matching[0]!;
}

/** The example platform without prod-us-1's two spokes (stacks/platform.ts): five clusters, each with its own engine. */
export function withoutSpokes(project: Project): void {
  const platform = project.read("stacks/platform.ts");
  const start = platform.indexOf("    // Two more US clusters without an Argo CD of their own");
  const end = platform.indexOf("    // The Asia-Pacific cluster runs Flux");
  if (start === -1 || end === -1) throw new Error("stacks/platform.ts no longer declares the spokes where withoutSpokes looks for them");
  project.write("stacks/platform.ts", platform.slice(0, start) + platform.slice(end));
  edit(
    project,
    "stacks/platform.ts",
    'clusters: ["prod-us-1", "prod-us-west-1", "prod-us-central-1", "prod-ap-1"],',
    'clusters: ["prod-us-1", "prod-ap-1"],',
  );
  edit(
    project,
    "stacks/platform.ts",
    '"prod-eu-1", "prod-us-1", "prod-us-west-1", "prod-us-central-1", "prod-ap-1"]',
    '"prod-eu-1", "prod-us-1", "prod-ap-1"]',
  );
}

/** The example with checkout-web's progressive plan taken out (stacks/checkout-web.ts): it rolls out all at once everywhere. */
export function withoutCanary(project: Project): void {
  const stack = project.read("stacks/checkout-web.ts");
  const start = stack.indexOf("  // In production each release takes 10 %");
  const end = stack.indexOf("  dependsOn:");
  if (start === -1 || end === -1) throw new Error("stacks/checkout-web.ts no longer declares its plan where withoutCanary looks for it");
  project.write("stacks/checkout-web.ts", stack.slice(0, start) + stack.slice(end));
}
