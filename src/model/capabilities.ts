import { z } from "zod";

/**
 * What a platform component can provide that sluice's output relies on: the
 * controller behind a kind sluice emits. A component says so with `provides`,
 * or is known by its chart's name (the upstream charts are named after what
 * they install); apps that need a capability on a cluster then wait for the
 * component that provides it there, and the env repo's Prerequisites section
 * names the component as what installs it.
 */
export const CAPABILITIES = [
  "external-secrets",
  "sealed-secrets",
  "metrics-server",
  "kyverno",
  "reloader",
  "argo-rollouts",
  "flagger",
] as const;

export type Capability = (typeof CAPABILITIES)[number];

export const capabilitySchema = z.enum(CAPABILITIES);

/**
 * The capabilities a component provides unless it says otherwise: the one its
 * chart is named after (the chart's name in its repository, or the last part
 * of an OCI reference), if any.
 */
export function chartCapabilities(chart: { readonly name: string } | { readonly oci: string }): Capability[] {
  const name = "oci" in chart ? chart.oci.slice(chart.oci.lastIndexOf("/") + 1) : chart.name;
  return (CAPABILITIES as readonly string[]).includes(name) ? [name as Capability] : [];
}
