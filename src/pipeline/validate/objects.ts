import { ENGINE_LIST } from "../../engines/index.js";
import { BUILTIN_KINDS, KUBERNETES_VERSION } from "../../k8s/builtin-kinds.js";
import { CRD_KINDS } from "../../k8s/crd-kinds.js";
import { apiGroup, type KubernetesObject } from "../../k8s/object.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import type { PlatformModel } from "../../model/model.js";
import { GUARD_KINDS, RESERVED_PREFIX } from "../../model/names.js";
import { own } from "../../model/own.js";
import { childOrigin, type Origin } from "../../model/origin.js";
import { editDistance } from "../../model/spelling.js";

const BUILTIN_GROUPS = new Set(Object.keys(BUILTIN_KINDS).map(apiGroup));
/**
 * Kubernetes' own groups, including one it no longer serves (extensions):
 * never a custom resource. Other "*.k8s.io" groups are CRDs that SIGs
 * publish (Gateway API's gateway.networking.k8s.io, the CSI snapshotter's
 * snapshot.storage.k8s.io): sluice ships the schemas of some, and the
 * platform declares the others.
 */
const kubernetesGroup = (group: string) => BUILTIN_GROUPS.has(group) || group === "extensions";
const API_VERSIONS_OF = new Map<string, string[]>();
for (const [apiVersion, kinds] of Object.entries(BUILTIN_KINDS)) {
  for (const kind of Object.keys(kinds)) API_VERSIONS_OF.set(kind, [...(API_VERSIONS_OF.get(kind) ?? []), apiVersion]);
}

/**
 * GitOps objects decide what gets deployed where, so they are the platform's:
 * an app that could ship an Argo CD Application or AppProject, a Flux
 * Kustomization or a kustomize Kustomization could escape its project.
 */
export function gitOpsKind(apiVersion: string, kind: string): string | undefined {
  const group = apiGroup(apiVersion);
  const owner = ENGINE_LIST.find((engine) => engine.ownsKind(group, kind));
  if (owner) return owner.objectNoun;
  if (group === "kustomize.config.k8s.io" || group === "config.kubernetes.io") return "a kustomize file";
  return undefined;
}

const QUALIFIED_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Why a label or annotation key is not a Kubernetes qualified name ("prefix/name"), or undefined. */
function keyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf("/");
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  const name = key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return "has a prefix that is not a DNS subdomain";
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    return "is not a qualified name: at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit, after an optional DNS prefix and '/'";
  }
  return undefined;
}

/**
 * The scope of a kind: "Namespaced" or "Cluster", or undefined when neither
 * Kubernetes, sluice (the custom resources it ships schemas for) nor the
 * platform knows it.
 */
export function scopeOf(
  platform: Pick<PlatformModel, "customResources">,
  apiVersion: string,
  kind: string,
): "Namespaced" | "Cluster" | undefined {
  if (kubernetesGroup(apiGroup(apiVersion))) {
    return own(own(BUILTIN_KINDS, apiVersion) ?? {}, kind)?.scope;
  }
  const shipped = own(own(CRD_KINDS, apiVersion) ?? {}, kind);
  if (shipped) return shipped.scope;
  const declared = own(platform.customResources, apiVersion);
  return declared ? own(declared, kind)?.scope : undefined;
}

/**
 * Checks an app's extra objects: a kind Kubernetes (or the platform's declared
 * custom resources) serves under that apiVersion, no GitOps objects, nothing
 * cluster-scoped, nothing in another namespace, valid label and annotation
 * keys and label values, names valid for the kind, no object listed twice.
 */
export function validateObjects(
  objects: readonly KubernetesObject[],
  namespace: string,
  platform: PlatformModel,
  origin: Origin,
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const at = (...path: (string | number)[]) => childOrigin(origin, ...path);
  const seen = new Set<string>();
  objects.forEach((object, index) => {
    const { apiVersion, kind, metadata } = object;
    const what = `${kind} ${metadata.name}`;
    const gitOps = gitOpsKind(apiVersion, kind);
    if (gitOps) {
      diagnostics.push({
        code: "validate/gitops-object",
        message: `${what} is ${gitOps}; GitOps objects decide what is deployed where, so only the platform may define them`,
        origin: at("objects", index, "kind"),
        hint: "sluice generates each app's Application and project; ask the platform team for anything more",
      });
      return;
    }
    if (GUARD_KINDS.some((guard) => guard.group === apiGroup(apiVersion) && guard.kind === kind)) {
      diagnostics.push({
        code: "validate/guard-kind",
        message: `${what} is a ${kind}, which guards the team's namespace; only the platform sets one`,
        origin: at("objects", index, "kind"),
        hint:
          kind === "ResourceQuota"
            ? "ask the platform team to change the team's quota (teams.<team>.quota)"
            : "ask the platform team to change the environment's default resources, or set resources on the app",
      });
      return;
    }
    if (metadata.name.startsWith(RESERVED_PREFIX)) {
      diagnostics.push({
        code: "validate/reserved-object-name",
        message: `${what}: names starting "${RESERVED_PREFIX}" are sluice's (it puts sluice-default-deny, sluice-quota and sluice-defaults in every team namespace)`,
        origin: at("objects", index, "metadata", "name"),
        hint: "give the object a name of the app's, e.g. one starting with the app's name",
      });
      return;
    }
    const scope = scopeOf(platform, apiVersion, kind);
    if (scope === undefined) {
      diagnostics.push(unknownKind(apiVersion, kind, at("objects", index, kubernetesGroup(apiGroup(apiVersion)) ? "kind" : "apiVersion")));
    } else if (scope === "Cluster") {
      // Allowed only where the platform grants the kind: the no-cluster-scoped-objects rule judges it.
      if (metadata.namespace !== undefined) {
        diagnostics.push({
          code: "validate/object-namespace",
          message: `${what} is cluster-scoped, so it has no namespace`,
          origin: at("objects", index, "metadata", "namespace"),
          hint: "remove metadata.namespace",
        });
      }
    } else if (metadata.namespace !== undefined && metadata.namespace !== namespace) {
      diagnostics.push({
        code: "validate/object-namespace",
        message: `${what} is in namespace ${metadata.namespace}, not the app's namespace ${namespace}`,
        origin: at("objects", index, "metadata", "namespace"),
        hint: "leave metadata.namespace out; sluice puts the object in the app's namespace",
      });
    }
    const nameProblem = kindNameProblem(kind, metadata.name);
    if (nameProblem) {
      diagnostics.push({
        code: "validate/object-name",
        message: `${kind} name ${JSON.stringify(metadata.name)} ${nameProblem}`,
        origin: at("objects", index, "metadata", "name"),
      });
    }
    for (const field of ["labels", "annotations"] as const) {
      const map = metadata[field];
      if (map === undefined) continue;
      for (const [key, value] of Object.entries(map)) {
        const problem = keyProblem(key);
        if (problem) {
          diagnostics.push({
            code: "validate/label-key",
            message: `${what}: ${field.slice(0, -1)} key ${JSON.stringify(key)} ${problem}`,
            origin: at("objects", index, "metadata", field, key),
            hint: 'a key is an optional DNS prefix and "/", then up to 63 letters, digits, "-", "_" and ".", e.g. app.kubernetes.io/name or team',
          });
        }
        if (field === "labels" && (typeof value !== "string" || value.length > 63 || !LABEL_VALUE.test(value))) {
          diagnostics.push({
            code: "validate/label-value",
            message: `${what}: label ${key}=${JSON.stringify(value)} is not a valid label value`,
            origin: at("objects", index, "metadata", field, key),
            hint: "label values are at most 63 characters of letters, digits, '-', '_' and '.', starting and ending with a letter or digit",
          });
        }
      }
    }
    const id = `${apiGroup(apiVersion)}/${kind}/${metadata.name}`;
    if (seen.has(id)) {
      diagnostics.push({
        code: "validate/duplicate-object",
        message: `${what} is listed twice`,
        origin: at("objects", index),
        hint: "give each object its own name",
      });
    }
    seen.add(id);
  });
  return diagnostics;
}

/** Kinds whose names Kubernetes restricts beyond a DNS subdomain. */
function kindNameProblem(kind: string, name: string): string | undefined {
  if (kind === "Service" && (name.length > 63 || !DNS_1035.test(name))) {
    return "must be a DNS-1035 label: at most 63 lower-case letters, digits and '-', starting with a letter";
  }
  // A CronJob's name is suffixed with a timestamp for its Jobs, which must stay within 63 characters.
  if (kind === "CronJob" && name.length > 52) return "is longer than 52 characters, the limit for a CronJob";
  return undefined;
}

function unknownKind(apiVersion: string, kind: string, origin: Origin): Diagnostic {
  if (!kubernetesGroup(apiGroup(apiVersion))) {
    return {
      code: "validate/unknown-kind",
      message: `${kind} (${apiVersion}) is a custom resource the platform does not declare, so sluice cannot know whether it is namespaced`,
      origin,
      hint: `ask the platform team to declare it as its CRD does (spec.scope and spec.names.plural): customResources: { ${JSON.stringify(apiVersion)}: { ${kind}: { scope: "Namespaced" or "Cluster", plural: "<its spec.names.plural>" } } }`,
    };
  }
  const served = API_VERSIONS_OF.get(kind);
  if (served) {
    return {
      code: "validate/unknown-kind",
      message: `Kubernetes ${KUBERNETES_VERSION} serves ${kind} as ${served.join(" or ")}, not ${apiVersion}`,
      origin,
      hint: `write apiVersion: ${JSON.stringify(served[served.length - 1])}`,
    };
  }
  const kinds = Object.keys(own(BUILTIN_KINDS, apiVersion) ?? {});
  const close = [...kinds, ...API_VERSIONS_OF.keys()].find((k) => editDistance(k.toLowerCase(), kind.toLowerCase()) <= 2);
  return {
    code: "validate/unknown-kind",
    message: `Kubernetes ${KUBERNETES_VERSION} has no kind ${kind} in ${apiVersion}`,
    origin,
    hint: close ? `did you mean ${close}?` : `${apiVersion} serves: ${kinds.join(", ") || "nothing sluice knows"}`,
  };
}
