import { z } from "zod";

/**
 * RFC 1123 label, as Kubernetes uses for namespaces and most object names.
 * App, cluster, team, environment and wave names become directory names in the
 * env repo and parts of object names, so they must be labels: no dots, no
 * slashes, no upper case, at most 63 characters.
 */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function dnsLabelProblem(name: string): string | undefined {
  if (name.length === 0) return "is empty";
  if (name.length > 63) return `is ${name.length} characters long; the limit is 63`;
  if (!DNS_LABEL.test(name)) {
    return "must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit";
  }
  return undefined;
}

export const dnsLabel = z.string().superRefine((name, ctx) => {
  const problem = dnsLabelProblem(name);
  if (problem) ctx.addIssue({ code: "custom", message: `${JSON.stringify(name)} ${problem}` });
});

/** Environment variable names as Kubernetes accepts them in a container's env. */
export const envVarName = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
/**
 * A plain env var becomes a key of the app's ConfigMap, which the API server
 * limits to 253 characters (IsConfigMapKey in k8s.io/apimachinery's
 * util/validation: DNS1123SubdomainMaxLength). The env var name itself has
 * no length limit there, but one rule for every env var keeps a value free to
 * move between a literal and a secret.
 */
export const ENV_VAR_NAME_MAX = 253;

/**
 * The AppProject of each cluster's root app-of-apps; no team may be named so.
 */
export const PLATFORM_PROJECT = "sluice-platform";

/** The AppProject of the platform components' Applications on Argo CD clusters; no team may be named so either. */
export const COMPONENTS_PROJECT = "sluice-components";

/**
 * Namespaces no team may claim: the GitOps engine's own (whoever deploys
 * there controls every cluster-wide Application) and Kubernetes' system
 * namespaces. Checked with the engine's namespace added (see reservedNamespace).
 */
const SYSTEM_NAMESPACES = new Set(["default", "kube-system", "kube-public", "kube-node-lease"]);

/** Why a namespace is reserved, or undefined when a team may own it. */
export function reservedNamespace(name: string, engineNamespace: string): string | undefined {
  if (name === engineNamespace)
    return `is the GitOps engine's namespace: a team deploying there could ship Applications that escape its project`;
  if (SYSTEM_NAMESPACES.has(name) || name.startsWith("kube-")) return "is a Kubernetes system namespace";
  return undefined;
}

/**
 * App names that would collide with objects sluice generates on every
 * cluster: "root" is the name of each cluster's root Application, in the same
 * namespace as the apps' Applications.
 */
/**
 * The prefix of the objects sluice puts in every team namespace (the
 * LimitRange sluice-defaults, the ResourceQuota sluice-quota, the
 * NetworkPolicy sluice-default-deny) and of its projects and admission
 * policies: a team's object, or an app, named so would replace or fight one of them.
 */
export const RESERVED_PREFIX = "sluice-";

/**
 * Kinds that guard a team namespace (its ceiling and container defaults):
 * the platform's alone. A team that could ship one could lift its own quota;
 * each team's Argo CD project denies them too.
 */
export const GUARD_KINDS: readonly { readonly group: string; readonly kind: string }[] = [
  { group: "", kind: "LimitRange" },
  { group: "", kind: "ResourceQuota" },
];

export const RESERVED_APP_NAMES: ReadonlySet<string> = new Set(["root"]);
