import type { Diagnostic } from "../../model/diagnostic.js";
import { childOrigin, type Origin } from "../../model/origin.js";
import { isSecretValue } from "../../dsl/secrets.js";

/** Deeper than any Kubernetes object or stack setting needs; deep enough to stop a runaway structure. */
export const MAX_DEPTH = 64;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/**
 * Characters Go's YAML library refuses ("control characters are not
 * allowed") even when sluice writes them escaped: kubectl and kustomize turn
 * each object into JSON and read it back as YAML, unescaped. One of them
 * anywhere breaks `kubectl kustomize` on the whole directory. Measured with
 * kubectl 1.32 / kustomize 5.5 over U+0000–U+00A0 and the non-characters;
 * U+0085 (NEL), C0 controls and U+FEFF pass.
 */
const REFUSED_BY_GO_YAML = /[\u007F-\u0084\u0086-\u009F\uFFFE\uFFFF]/;
/**
 * The same round trip writes a key as a JSON string in a flow mapping, where
 * Go's YAML library allows at most 1024 characters from the key's opening
 * quote to its colon: a longer key breaks the whole directory too.
 */
const GO_YAML_KEY_LIMIT = 1024;

/**
 * Everything a stack declares must be plain JSON data, since it ends up as
 * YAML: strings that are valid Unicode, finite numbers, booleans, null, arrays
 * and plain objects, at most MAX_DEPTH deep, without cycles, and without keys
 * that JavaScript treats specially (`__proto__`). Today's alternatives are
 * worse: a Date or a Map renders as `{}`, NaN and functions crash the writer.
 * Walks with an explicit stack, so no input can exhaust the call stack, and
 * reports each problem at its property path.
 */
export function validateValues(value: unknown, origin: Origin): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const report = (path: readonly (string | number)[], message: string, hint: string) =>
    diagnostics.push({ code: "validate/not-data", message, origin: childOrigin(origin, ...path), hint });
  const onPath = new Set<object>();
  type Frame = { value: unknown; path: (string | number)[]; leave?: object };
  const stack: Frame[] = [{ value, path: [] }];
  while (stack.length > 0 && diagnostics.length < 100) {
    const frame = stack.pop()!;
    if (frame.leave) {
      onPath.delete(frame.leave);
      continue;
    }
    const { value: current, path } = frame;
    switch (typeof current) {
      case "string":
        if (LONE_SURROGATE.test(current))
          report(path, "contains a lone UTF-16 surrogate, which no YAML or JSON file can hold", "fix the string's escape sequences");
        else reportRefused(current, "", (message, hint) => report(path, message, hint));
        continue;
      case "number":
        if (!Number.isFinite(current))
          report(path, `is ${current}, which is not a number YAML or Kubernetes can hold`, "write a finite number");
        continue;
      case "boolean":
      case "undefined":
        continue;
      case "function":
        report(path, "is a function; stacks declare data", "call the function and write its result");
        continue;
      case "bigint":
        report(path, "is a bigint", "write a number (within 2^53) or a string");
        continue;
      case "symbol":
        report(path, "is a symbol", "write a string");
        continue;
    }
    if (current === null) continue;
    const object = current as object;
    if (path.length >= MAX_DEPTH) {
      report(path, `nests deeper than ${MAX_DEPTH} levels`, "flatten the structure");
      continue;
    }
    if (onPath.has(object)) {
      report(path, "refers back to an object that contains it (a cycle)", "write the value out instead of referring to itself");
      continue;
    }
    const proto = Object.getPrototypeOf(object) as unknown;
    if (!Array.isArray(object) && proto !== Object.prototype && proto !== null) {
      const name = (object as { constructor?: { name?: string } }).constructor?.name ?? "object";
      report(
        path,
        `is a ${name}, which would be written as {}`,
        name === "Date" ? "write the date as a string" : "write plain objects and arrays",
      );
      continue;
    }
    // A raw object is written out as it is: a reference there would land
    // in a ConfigMap or an annotation as a plain mapping.
    if (path[0] === "objects" && isSecretValue(object)) {
      report(
        path,
        "is a secret reference inside a raw object, which would be written out as plain data",
        'use the secret through the app\'s env, envFrom or secretFiles; for a custom resource, reference the Secret "<app>-<name>" by name',
      );
      continue;
    }
    onPath.add(object);
    stack.push({ value: undefined, path, leave: object });
    const keys = Object.keys(object);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i]!;
      if (key === "__proto__") {
        report([...path, key], 'is a key named "__proto__", which JavaScript turns into the object\'s prototype', "rename the key");
        continue;
      }
      if (!Array.isArray(object)) checkKey(key, (message, hint) => report([...path, key], message, hint));
      const segment = Array.isArray(object) ? Number(key) : key;
      stack.push({ value: (object as Record<string, unknown>)[key], path: [...path, segment] });
    }
  }
  return diagnostics;
}

/** A string that kubectl and kustomize cannot read back (see REFUSED_BY_GO_YAML). */
function reportRefused(text: string, what: string, report: (message: string, hint: string) => void): void {
  const found = REFUSED_BY_GO_YAML.exec(text);
  if (!found) return;
  const code = found[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
  report(
    `${what}contains U+${code} at index ${found.index}, a character kubectl, kustomize, Argo CD and Flux refuse in YAML ("control characters are not allowed"): one such value breaks every object of its directory`,
    "remove the character (U+007F–U+009F except U+0085, U+FFFE and U+FFFF are refused), or carry binary data base64-encoded in a Secret's or ConfigMap's binaryData",
  );
}

function checkKey(key: string, report: (message: string, hint: string) => void): void {
  if (LONE_SURROGATE.test(key)) {
    report("is a key with a lone UTF-16 surrogate, which no YAML or JSON file can hold", "fix the key's escape sequences");
    return;
  }
  reportRefused(key, "is a key that ", report);
  // The length as Go's encoding/json writes it: it escapes <, > and & as \u003c…, six characters each.
  const written = JSON.stringify(key).length + 5 * (key.match(/[<>&\u2028\u2029]/g)?.length ?? 0);
  if (written > GO_YAML_KEY_LIMIT) {
    report(
      `is a key of ${key.length} characters; kubectl and kustomize read keys of at most ${GO_YAML_KEY_LIMIT - 2} plain characters (Go's YAML key limit), so it would break every object of its directory`,
      "shorten the key; Kubernetes itself limits most keys far lower (253 characters for a ConfigMap key, 63 for a label name)",
    );
  }
}
