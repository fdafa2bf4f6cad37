import type { ComponentModel } from "../model/model.js";

/** A component's Helm values on an environment: its own, with the environment's merged over them key by key. */
export function componentValues(component: ComponentModel, environment: string): Record<string, unknown> {
  const over = Object.hasOwn(component.environmentValues, environment) ? component.environmentValues[environment]! : {};
  return merge(component.values, over);
}

function merge(base: Readonly<Record<string, unknown>>, over: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const result: Record<string, unknown> = structuredClone(base) as Record<string, unknown>;
  for (const [key, value] of Object.entries(over)) {
    const current = Object.hasOwn(result, key) ? result[key] : undefined;
    result[key] = isRecord(current) && isRecord(value) ? merge(current, value) : structuredClone(value);
  }
  return result;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** "oci://ghcr.io/org/charts/name" → the repository without the scheme ("ghcr.io/org/charts"), and the chart ("name"). */
export function ociParts(url: string): { readonly repository: string; readonly chart: string; readonly url: string } {
  const bare = url.replace(/^oci:\/\//, "");
  const slash = bare.lastIndexOf("/");
  return { repository: bare.slice(0, slash), chart: bare.slice(slash + 1), url };
}
