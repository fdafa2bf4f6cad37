import { own } from "../model/own.js";
import { BUILTIN_KINDS } from "./builtin-kinds.js";
import { CRD_KINDS } from "./crd-kinds.js";
import { apiGroup } from "./object.js";

/** A custom resource as the platform declares it: its scope and, for RBAC and admission rules, its plural. */
export interface CustomResource {
  readonly scope: "Namespaced" | "Cluster";
  readonly plural?: string;
  /** Where its pod spec is ("spec.template.spec"), for a kind that makes pods: the pod rules then judge it (see workloads.ts). */
  readonly podSpec?: string;
  /** Where its replica count is ("spec.replicas"), for one that scales. */
  readonly replicas?: string;
}

/** apiVersion → kind → the custom resources the platform declares. */
export type CustomResources = Readonly<Record<string, Readonly<Record<string, CustomResource>>>>;

/**
 * A kind's resource name (its plural, as RBAC rules and admission policies
 * name it), from the API paths of the pinned Kubernetes, the CRDs sluice
 * ships, or the platform's declaration; undefined when nobody says it. The
 * name is never guessed from the kind: `Endpoints` is `endpoints`, and a
 * guessed name makes a rule that matches nothing.
 */
export function pluralOf(group: string, kind: string, custom: CustomResources): string | undefined {
  for (const [apiVersion, kinds] of Object.entries(BUILTIN_KINDS)) {
    if (apiGroup(apiVersion) === group && Object.hasOwn(kinds, kind)) return kinds[kind]!.plural;
  }
  for (const [apiVersion, kinds] of Object.entries(CRD_KINDS)) {
    if (apiGroup(apiVersion) === group && Object.hasOwn(kinds, kind)) return kinds[kind]!.plural;
  }
  for (const [apiVersion, kinds] of Object.entries(custom)) {
    if (apiGroup(apiVersion) === group) {
      const plural = own(kinds, kind)?.plural;
      if (plural) return plural;
    }
  }
  return undefined;
}

/**
 * The scope of a kind in any version of its group: "Namespaced" or "Cluster",
 * or undefined when neither Kubernetes, the CRDs sluice ships nor the
 * platform knows it.
 */
export function scopeInGroup(group: string, kind: string, custom: CustomResources): "Namespaced" | "Cluster" | undefined {
  for (const table of [BUILTIN_KINDS, CRD_KINDS, custom]) {
    for (const [apiVersion, kinds] of Object.entries(table)) {
      if (apiGroup(apiVersion) === group && Object.hasOwn(kinds, kind)) return kinds[kind]!.scope;
    }
  }
  return undefined;
}
