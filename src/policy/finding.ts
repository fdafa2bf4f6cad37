import type { Origin } from "../model/origin.js";
import { pinpointAll } from "../locate/locate.js";
import type { Severity } from "../model/rule.js";

/**
 * One thing a rule found: which rule, how bad, what to change, and where —
 * the stack file, line and property path that produced the offending field,
 * on which clusters, in which app and object.
 */
export interface Finding {
  readonly rule: string;
  readonly severity: Severity;
  readonly message: string;
  readonly hint?: string;
  /** The app at fault, when there is one. */
  readonly app?: string;
  /** The object at fault, when there is one. */
  readonly object?: { readonly kind: string; readonly name: string };
  /** The clusters it was found on, in name order (empty for findings about the stacks themselves). */
  readonly clusters: readonly string[];
  readonly origin: Origin;
}

/** A finding on one cluster, before findings from several clusters are merged. */
export type RawFinding = Omit<Finding, "clusters"> & { readonly cluster?: string };

/**
 * Findings in a stable order (file, line, column, rule, app, object,
 * message), one per stack line and rule: the same problem on four clusters is
 * one finding naming the four.
 */
export function mergeFindings(raw: readonly RawFinding[]): Finding[] {
  const merged = new Map<string, { finding: RawFinding; clusters: Set<string> }>();
  for (const finding of raw) {
    const { origin } = finding;
    const key = [
      finding.rule,
      finding.severity,
      origin.file,
      origin.line,
      origin.column,
      JSON.stringify(origin.path ?? []),
      finding.app ?? "",
      finding.object?.kind ?? "",
      finding.object?.name ?? "",
      finding.message,
    ].join("\0");
    const entry = merged.get(key);
    if (entry) {
      if (finding.cluster) entry.clusters.add(finding.cluster);
    } else {
      merged.set(key, { finding, clusters: new Set(finding.cluster ? [finding.cluster] : []) });
    }
  }
  const findings = [...merged.values()].map(({ finding: { cluster: _cluster, ...finding }, clusters }) => ({
    ...finding,
    clusters: [...clusters].sort(),
  }));
  return findings.sort(compareFindings);
}

function compareFindings(a: Finding, b: Finding): number {
  const keys = (f: Finding) =>
    [
      f.origin.file,
      f.origin.line,
      f.origin.column,
      f.severity,
      f.rule,
      f.app ?? "",
      f.object?.kind ?? "",
      f.object?.name ?? "",
      f.message,
      f.clusters.join(","),
    ] as const;
  const ka = keys(a);
  const kb = keys(b);
  for (let i = 0; i < ka.length; i++) {
    const x = ka[i]!;
    const y = kb[i]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export function countBySeverity(findings: readonly Finding[]): { readonly errors: number; readonly warnings: number } {
  let errors = 0;
  for (const finding of findings) if (finding.severity === "error") errors++;
  return { errors, warnings: findings.length - errors };
}

/** Moves each finding's origin to the line of the property its path names (see locate.ts), parsing each stack once. */
export function pinpointFindings(root: string, findings: readonly RawFinding[]): RawFinding[] {
  const located = pinpointAll(
    root,
    findings.map((finding) => ({ code: finding.rule, message: "", origin: finding.origin })),
  );
  return findings.map((finding, index) => ({ ...finding, origin: located[index]!.origin! }));
}
