import type { Diagnostic } from "../model/diagnostic.js";
import { childOrigin, type Origin } from "../model/origin.js";
import { isSecretValue } from "../dsl/secrets.js";

/** Deeper than any Kubernetes object or stack setting needs; deep enough to stop a runaway structure. */
export const MAX_DEPTH = 64;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

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
        if (LONE_SURROGATE.test(current)) report(path, "contains a lone UTF-16 surrogate, which no YAML or JSON file can hold", "fix the string's escape sequences");
        continue;
      case "number":
        if (!Number.isFinite(current)) report(path, `is ${current}, which is not a number YAML or Kubernetes can hold`, "write a finite number");
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
      report(path, `is a ${name}, which would be written as {}`, name === "Date" ? "write the date as a string" : "write plain objects and arrays");
      continue;
    }
    // A raw object is written out as it is: a reference there would land
    // in a ConfigMap or an annotation as a plain mapping.
    if (path[0] === "objects" && isSecretValue(object)) {
      report(
        path,
        "is a secret reference inside a raw object, which would be written out as plain data",
        "use the secret through the app's env, envFrom or secretFiles; for a custom resource, reference the Secret \"<app>-<name>\" by name",
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
      const segment = Array.isArray(object) ? Number(key) : key;
      stack.push({ value: (object as Record<string, unknown>)[key], path: [...path, segment] });
    }
  }
  return diagnostics;
}
