import type { z } from "zod";
import type { Diagnostic } from "../model/diagnostic.js";
import { childOrigin, type Origin } from "../model/origin.js";

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
      // A record key (an environment, cluster or team name) failed its own check.
      return {
        code: "validate/invalid-name",
        message: issue.issues.map((inner) => inner.message).join("; "),
        origin: childOrigin(origin, ...basePath, ...issuePath),
        hint: 'names become directory and object names; use lower-case letters, digits and "-"',
      };
    }
    return {
      code: "validate/invalid",
      message: issue.message,
      origin: childOrigin(origin, ...basePath, ...issuePath),
    };
  });
}
