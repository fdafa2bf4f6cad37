import type { Model } from "../model/model.js";
import type { RawFinding } from "./finding.js";

export interface Waived {
  /** The findings no waiver covers. */
  readonly findings: RawFinding[];
  /** How many findings waivers covered. */
  readonly waived: number;
}

/**
 * Drops the findings an app's waivers cover (the rule, on every cluster or
 * the ones listed) and adds an error for every waiver past its expiry date:
 * a waiver is a loan, and the date is when it falls due. `today` is
 * "YYYY-MM-DD" in UTC.
 */
export function applyWaivers(model: Model, findings: readonly RawFinding[], today: string): Waived {
  const apps = new Map(model.apps.map((app) => [app.name, app]));
  const kept: RawFinding[] = [];
  let waived = 0;
  for (const finding of findings) {
    const app = finding.app !== undefined ? apps.get(finding.app) : undefined;
    const waiver = app && Object.hasOwn(app.waivers, finding.rule) ? app.waivers[finding.rule] : undefined;
    const applies = waiver && (!waiver.clusters || (finding.cluster !== undefined && waiver.clusters.includes(finding.cluster)));
    if (applies && !(waiver.expires !== undefined && waiver.expires <= today)) waived++;
    else kept.push(finding);
  }
  for (const app of model.apps) {
    for (const [rule, waiver] of Object.entries(app.waivers)) {
      if (waiver.expires === undefined || waiver.expires > today) continue;
      kept.push({
        rule: "waiver-expired",
        severity: "error",
        message: `the waiver of ${rule} expired on ${waiver.expires}`,
        hint: `make ${app.name} follow ${rule} and remove the waiver, or agree a new date with the platform team`,
        app: app.name,
        origin: { ...waiver.origin, path: [...(waiver.origin.path ?? []), "expires"] },
      });
    }
  }
  return { findings: kept, waived };
}

/** Today's date in UTC, as waivers write dates. */
export function utcToday(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}
