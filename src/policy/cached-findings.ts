import type { AppModel, ClusterModel, EnvironmentModel, PlatformModel } from "../model/model.js";
import type { Origin } from "../model/origin.js";
import type { RawFinding } from "./finding.js";

/**
 * A finding as the render cache keeps it: its origin relative to the
 * declaration it lies in (the app, its cluster or environment, the platform),
 * since lines move without changing what renders — a comment added above an
 * app must not leave a cached finding pointing at the old line.
 */
export type CachedFinding = readonly [
  rule: string,
  severity: string,
  message: string,
  hint: string,
  kind: string,
  name: string,
  anchor: string,
  ...path: (string | number)[],
];

interface Anchors {
  readonly app: AppModel;
  readonly cluster: ClusterModel;
  readonly environment: EnvironmentModel;
  readonly platform: PlatformModel;
}

function anchorsOf({ app, cluster, environment, platform }: Anchors): [string, Origin][] {
  return [
    ["app", app.origin],
    ["cluster", cluster.origin],
    ["environment", environment.origin],
    ["platform", platform.origin],
  ];
}

export function encodeFindings(findings: readonly RawFinding[], anchors: Anchors): CachedFinding[] {
  const known = anchorsOf(anchors);
  return findings.map((finding) => {
    const { origin } = finding;
    const match = known.find(
      ([, at]) =>
        at.file === origin.file &&
        at.line === origin.line &&
        at.column === origin.column &&
        (at.path ?? []).every((segment, index) => origin.path?.[index] === segment),
    );
    const anchor = match ? match[0] : `@${origin.file}:${origin.line}:${origin.column}`;
    const path = match ? (origin.path ?? []).slice(match[1].path?.length ?? 0) : [...(origin.path ?? [])];
    return [
      finding.rule,
      finding.severity,
      finding.message,
      finding.hint ?? "",
      finding.object?.kind ?? "",
      finding.object?.name ?? "",
      anchor,
      ...path,
    ];
  });
}

export function decodeFindings(cached: readonly CachedFinding[], anchors: Anchors): RawFinding[] {
  const known = new Map(anchorsOf(anchors));
  return cached.map(([rule, severity, message, hint, kind, name, anchor, ...path]) => {
    let origin: Origin;
    const base = known.get(anchor);
    if (base) origin = { ...base, path: [...(base.path ?? []), ...path] };
    else {
      const [, file = "", line = "0", column = "0"] = /^@(.*):([0-9]+):([0-9]+)$/.exec(anchor) ?? [];
      origin = { file, line: Number(line), column: Number(column), ...(path.length > 0 ? { path } : {}) };
    }
    return {
      rule,
      severity: severity === "warn" ? "warn" : "error",
      message,
      ...(hint ? { hint } : {}),
      app: anchors.app.name,
      cluster: anchors.cluster.name,
      ...(kind ? { object: { kind, name } } : {}),
      origin,
    };
  });
}
