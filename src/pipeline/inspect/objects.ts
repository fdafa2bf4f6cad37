import { createHash } from "node:crypto";
import { SluiceError } from "../../errors.js";
import type { KubernetesObject } from "../../k8s/object.js";
import { schemaCheck, type SchemaProblem } from "../../k8s/schemas.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import { childOrigin } from "../../model/origin.js";
import type { RenderedObject } from "../../model/rendered.js";
import { sizeProblem } from "./object-size.js";

/** Objects that passed on an earlier run, by a digest of their content (the render cache keeps them). */
export interface SchemaMemory {
  schemaChecked(digest: string): boolean;
  passedSchema(digest: string): void;
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** The error for what the inspection found: each problem once per line once they are at their lines. */
export function inspectionError(diagnostics: readonly Diagnostic[]): SluiceError {
  return new SluiceError("Some objects would be refused by Kubernetes or their controller; nothing was written.", diagnostics, collapse);
}

/**
 * Validates every rendered object against the strict schema of its real
 * consumer (src/k8s/schemas.ts) and checks the label values the API server
 * would refuse, and objects too large for the API server to store, before
 * anything is written. A problem in an object the stack
 * wrote points at the line of the offending field; one in a generated object
 * points at the app. Returns the problems (not yet pointed at lines: see
 * inspectionError) so that a caller can check the fleet a part at a time. With a memory, those of its objects that passed on an
 * earlier run with the same content are not checked again.
 */
export function inspectObjects(
  objects: readonly RenderedObject[],
  memory?: { readonly known: SchemaMemory; readonly of: ReadonlySet<RenderedObject> },
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const item of objects) {
    const { object, origin, path, verbatim } = item;
    // A SOPS file: the engine decrypts it before the API server sees it, and validate-sops checked its shape.
    if (verbatim !== undefined) continue;
    const known = memory?.of.has(item) ? memory.known : undefined;
    const digest = known ? createHash("sha1").update(JSON.stringify(object)).digest("base64") : undefined;
    if (digest !== undefined && known!.schemaChecked(digest)) continue;
    const before = diagnostics.length;
    const where = `${object.kind} ${object.metadata.name} (${path})`;
    for (const [key, value] of Object.entries(object.metadata.labels ?? {})) {
      if (typeof value !== "string" || value.length > 63 || !LABEL_VALUE.test(value)) {
        diagnostics.push({
          code: "check/label-value",
          message: `${where}: label ${key}=${JSON.stringify(value)} is not a valid label value`,
          origin: childOrigin(origin, "metadata", "labels", key),
          hint: "label values are at most 63 characters of letters, digits, '-', '_' and '.', starting and ending with a letter or digit",
        });
      }
    }
    const tooLarge = sizeProblem(object);
    if (tooLarge) {
      // A generated ConfigMap holds the app's plain env vars: point at the one written in the stack.
      const generated = !origin.path?.length && object.kind === "ConfigMap" && tooLarge.segments[0] === "data";
      diagnostics.push({
        code: "check/too-large",
        message: `${where} ${tooLarge.message}`,
        origin: childOrigin(origin, ...(generated ? ["env", ...tooLarge.segments.slice(1)] : tooLarge.segments)),
        hint: tooLarge.hint,
      });
    }
    for (const problem of schemaProblems(object) ?? []) {
      const segments = problem.instancePath
        .split("/")
        .slice(1)
        .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
        .map((s) => (/^[0-9]+$/.test(s) ? Number(s) : s));
      diagnostics.push({
        code: "check/schema",
        message: `${where}: ${problem.instancePath || "/"} ${problem.message ?? "is invalid"}`,
        origin: childOrigin(origin, ...segments),
        hint: `see the ${object.kind} reference for ${object.apiVersion}`,
      });
    }
    if (digest !== undefined && diagnostics.length === before) known!.passedSchema(digest);
  }
  return diagnostics;
}

/**
 * What the strict schema of the object's kind says is wrong with it; undefined
 * for kinds sluice has no schema of (custom resources the platform declares),
 * which the cluster judges.
 */
function schemaProblems(object: KubernetesObject): readonly SchemaProblem[] | undefined {
  return schemaCheck(object.apiVersion, object.kind)?.(object);
}

/** One stack line rendered on several clusters fails the same way on each: say it once. */
function collapse(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const groups = new Map<string, Diagnostic[]>();
  for (const d of diagnostics) {
    const key = `${d.code}|${d.origin?.file}:${d.origin?.line}:${d.origin?.column}|${d.message.replace(/ \([^)]*\.yaml\)/, "")}`;
    const group = groups.get(key);
    if (group) group.push(d);
    else groups.set(key, [d]);
  }
  return [...groups.values()].map(([first, ...rest]) =>
    rest.length === 0
      ? first!
      : { ...first!, message: `${first!.message} (and the same in ${rest.length} more file${rest.length === 1 ? "" : "s"})` },
  );
}
