import type { z } from "zod";
import type { Diagnostic } from "../../model/diagnostic.js";
import { childOrigin, type Origin } from "../../model/origin.js";

/** Turns zod issues into diagnostics whose origin path points at the offending property. */
export function zodDiagnostics(error: z.ZodError, origin: Origin, basePath: readonly (string | number)[] = []): Diagnostic[] {
  return error.issues.map((issue) => {
    const issuePath = issue.path.map((segment) => (typeof segment === "symbol" ? String(segment) : segment));
    if (issue.code === "unrecognized_keys") {
      const keys = issue.keys;
      return {
        code: "validate/unknown-property",
        message: `unknown propert${keys.length === 1 ? "y" : "ies"} ${keys.map((k) => JSON.stringify(k)).join(", ")}`,
        origin: childOrigin(origin, ...basePath, ...issuePath, keys[0]!),
        hint: "check the spelling; your editor lists the properties this object accepts",
      };
    }
    if (issue.code === "invalid_key") {
      // A record key failed its own check: what it is decides the rule to explain.
      const map = [...basePath, ...issuePath].filter((segment) => typeof segment === "string").at(-2);
      const key = issuePath.at(-1);
      const rule = keyRule(typeof map === "string" ? map : "");
      return {
        code: rule.code,
        message: `${rule.what} ${JSON.stringify(key)}: ${issue.issues.map((inner) => inner.message).join("; ")}`,
        origin: childOrigin(origin, ...basePath, ...issuePath),
        hint: rule.hint,
      };
    }
    // A check of sluice's own may say what to do (params.hint).
    const said: unknown = issue.code === "custom" ? issue.params?.["hint"] : undefined;
    const hint = typeof said === "string" ? { hint: said } : {};
    return {
      code: "validate/invalid",
      message: issue.message,
      origin: childOrigin(origin, ...basePath, ...issuePath),
      ...hint,
    };
  });
}

/** What a record's keys are, by the record's property name, and the rule they follow, with an example. */
function keyRule(map: string): { code: string; what: string; hint: string } {
  switch (map) {
    case "env":
      return {
        code: "validate/env-name",
        what: "environment variable name",
        hint: 'environment variable names are letters, digits, "_", "-" and ".", not starting with a digit, e.g. LOG_LEVEL or DB_HOST',
      };
    case "ports":
      return {
        code: "validate/port-name",
        what: "port name",
        hint: 'port names are at most 15 lower-case letters, digits and "-", with a letter, e.g. http or metrics',
      };
    case "labels":
    case "annotations":
      return {
        code: "validate/label-key",
        what: `${map.slice(0, -1)} key`,
        hint: 'a key is an optional DNS prefix and "/", then up to 63 letters, digits, "-", "_" and ".", e.g. app.kubernetes.io/name or team',
      };
    case "secretFiles":
      return {
        code: "validate/mount-path",
        what: "mount directory",
        hint: 'write an absolute directory without "..", ":" or a trailing "/", e.g. /etc/app/tls',
      };
    case "quota":
      return {
        code: "validate/quota-key",
        what: "quota key",
        hint: 'use a ResourceQuota key such as "requests.cpu", "limits.memory" or "pods"',
      };
    default:
      return {
        code: "validate/invalid-name",
        what: map ? `name in ${map}` : "name",
        hint: 'these names become directory and object names: lower-case letters, digits and "-", e.g. "payments" or "prod-eu-1"',
      };
  }
}
