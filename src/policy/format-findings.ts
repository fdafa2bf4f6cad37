import type { Diagnostic } from "../model/diagnostic.js";
import { formatPath } from "../model/origin.js";
import { countBySeverity, type Finding } from "./finding.js";
import type { Rule } from "../model/rule.js";

interface Paint {
  readonly bold: (text: string) => string;
  readonly red: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly cyan: (text: string) => string;
  readonly dim: (text: string) => string;
}

const plain: Paint = { bold: (t) => t, red: (t) => t, yellow: (t) => t, cyan: (t) => t, dim: (t) => t };

/** Where a finding is, in words: app, object and clusters. */
function subject(finding: Finding): string {
  const parts = [
    finding.app ? `app ${finding.app}` : "",
    finding.object ? `${finding.object.kind} ${finding.object.name}` : "",
    finding.clusters.length > 0 ? `on ${finding.clusters.join(", ")}` : "",
  ].filter(Boolean);
  return parts.join(", ");
}

/**
 * Findings for people, grouped by stack file, in line order, as linters
 * print them: `line:col  severity  rule  path: what (app, object, clusters)`
 * and the hint beneath.
 */
export function formatFindingsText(findings: readonly Finding[], waived: number, paint: Paint = plain): string {
  const lines: string[] = [];
  let file: string | undefined;
  for (const finding of findings) {
    if (finding.origin.file !== file) {
      if (file !== undefined) lines.push("");
      file = finding.origin.file;
      lines.push(paint.bold(file));
    }
    const severity = finding.severity === "error" ? paint.red("error") : paint.yellow("warn ");
    const path = finding.origin.path?.length ? `${paint.cyan(formatPath(finding.origin.path))}: ` : "";
    const where = subject(finding);
    lines.push(
      `  ${finding.origin.line}:${finding.origin.column}  ${severity}  ${finding.rule}  ${path}${finding.message}${where ? ` (${where})` : ""}`,
    );
    if (finding.hint) lines.push(`      ${paint.dim(`hint: ${finding.hint}`)}`);
  }
  if (lines.length > 0) lines.push("");
  lines.push(summary(findings, waived));
  return `${lines.join("\n")}\n`;
}

export function summary(findings: readonly Finding[], waived: number): string {
  const { errors, warnings } = countBySeverity(findings);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  return `${plural(errors, "error")}, ${plural(warnings, "warning")}${waived > 0 ? ` (${waived} waived)` : ""}.`;
}

export function findingJson(finding: Finding) {
  return {
    rule: finding.rule,
    severity: finding.severity,
    message: finding.message,
    file: finding.origin.file,
    line: finding.origin.line,
    column: finding.origin.column,
    ...(finding.origin.path?.length ? { path: formatPath(finding.origin.path) } : {}),
    ...(finding.app ? { app: finding.app } : {}),
    ...(finding.object ? { object: finding.object } : {}),
    clusters: finding.clusters,
    ...(finding.hint ? { hint: finding.hint } : {}),
  };
}

/** GitHub Actions workflow commands: one annotation per finding, on the stack line. */
export function formatFindingsGithub(findings: readonly Finding[], waived: number): string {
  const lines = findings.map((finding) => {
    const level = finding.severity === "error" ? "error" : "warning";
    const where = subject(finding);
    const path = finding.origin.path?.length ? `${formatPath(finding.origin.path)}: ` : "";
    const text = `${path}${finding.message}${where ? ` (${where})` : ""}${finding.hint ? `\nhint: ${finding.hint}` : ""}`;
    return `::${level} file=${property(finding.origin.file)},line=${finding.origin.line},col=${finding.origin.column},title=${property(`sluice ${finding.rule}`)}::${data(text)}`;
  });
  return `${[...lines, summary(findings, waived)].join("\n")}\n`;
}

/** GitHub workflow commands escape a message's %, CR and LF, and a property's : and , as well. */
const data = (text: string) => text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
const property = (text: string) => data(text).replace(/:/g, "%3A").replace(/,/g, "%2C");

/**
 * A diagnostic as a GitHub Actions annotation on its stack line (an error
 * that stopped the run: a compile error, a closed gate), titled by its code;
 * one without a place is a plain annotation.
 */
export function formatDiagnosticGithub(diagnostic: Diagnostic): string {
  const { origin } = diagnostic;
  const path = origin?.path?.length ? `${formatPath(origin.path)}: ` : "";
  const text = `${path}${diagnostic.message}${diagnostic.hint ? `\nhint: ${diagnostic.hint}` : ""}`;
  const where = origin ? `file=${property(origin.file)},line=${origin.line},col=${origin.column},` : "";
  return `::error ${where}title=${property(`sluice ${diagnostic.code}`)}::${data(text)}\n`;
}

/** SARIF 2.1.0, for code scanning: every rule in force, and a result per finding. */
export function formatFindingsSarif(findings: readonly Finding[], rules: readonly Rule[], version: string): string {
  const ids = [...rules.map((rule) => rule.id), "waiver-expired"];
  const describe = (id: string) => rules.find((rule) => rule.id === id);
  const sarif = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "sluice",
            version,
            rules: ids.map((id) => {
              const rule = describe(id);
              const text = rule?.description ?? "A waiver is past its expiry date.";
              return {
                id,
                shortDescription: { text },
                ...(rule?.hint ? { help: { text: rule.hint } } : {}),
                defaultConfiguration: {
                  level: rule && rule.severity !== "error" ? (rule.severity === "off" ? "none" : "warning") : "error",
                },
              };
            }),
          },
        },
        results: findings.map((finding) => ({
          ruleId: finding.rule,
          ruleIndex: Math.max(0, ids.indexOf(finding.rule)),
          level: finding.severity === "error" ? "error" : "warning",
          message: {
            text: `${finding.message}${subject(finding) ? ` (${subject(finding)})` : ""}${finding.hint ? `. Hint: ${finding.hint}` : ""}`,
          },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: finding.origin.file, uriBaseId: "%SRCROOT%" },
                region: { startLine: finding.origin.line, startColumn: finding.origin.column },
              },
              ...(finding.origin.path?.length
                ? { logicalLocations: [{ fullyQualifiedName: formatPath(finding.origin.path), kind: "member" }] }
                : {}),
            },
          ],
        })),
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
