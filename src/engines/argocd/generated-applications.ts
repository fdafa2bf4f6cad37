import type { KubernetesObject } from "../../k8s/object.js";
import { TEMPLATE_PATCH } from "./application-sets.js";
import { ARGO_API } from "./hub.js";

type JsonMap = { [key: string]: unknown };

const FINALIZER = "resources-finalizer.argocd.argoproj.io";
/** A whole string that is one action printing an element's field: what template-factor.ts writes for a param. */
const PARAM = /^\{\{ \.([A-Za-z_][A-Za-z0-9_]*) \}\}$/;

/** At most this much JSON of Applications (template size times elements) is made from one ApplicationSet: 64 MiB. */
export const MAX_GENERATED_BYTES = 64 * 1024 * 1024;

const isMap = (value: unknown): value is JsonMap => typeof value === "object" && value !== null && !Array.isArray(value);

/** Thrown inside the expansion when the ApplicationSet is not of the form sluice writes. */
class NotExpandable extends Error {}

/**
 * The Applications Argo CD's ApplicationSet controller makes from an
 * ApplicationSet of the form sluice writes ("per-team"): one list generator,
 * `goTemplate` with `missingkey=error`, template strings that are literal or
 * one `{{ .field }}` action, and the templatePatch `{{ toJson .patch }}`.
 * Undefined for any other ApplicationSet (hand-written, another generator,
 * other template functions), and for one that would make more than
 * MAX_GENERATED_BYTES of Applications: diff then compares it as the object
 * it is.
 *
 * It follows what the controller does (applicationset/controllers/template
 * and applicationset/utils in Argo CD v3.4): each string of the template,
 * map keys included, rendered with the element; the resources finalizer
 * added when the template has no finalizer and `preserveResourcesOnDeletion`
 * is not set; the templatePatch merged as a strategic merge patch (maps
 * merged key by key, a list or a value replaced: a list in both, where
 * Kubernetes' merge strategies would decide, and a null, which deletes, are
 * not expanded); the project kept from the template whatever the patch says;
 * and the ApplicationSet's namespace given to every Application.
 */
export function generatedApplications(set: KubernetesObject): KubernetesObject[] | undefined {
  if (set.apiVersion !== ARGO_API || set.kind !== "ApplicationSet") return undefined;
  const spec = set.spec;
  if (!isMap(spec) || spec.goTemplate !== true) return undefined;
  const options = spec.goTemplateOptions;
  if (!Array.isArray(options) || options.length !== 1 || options[0] !== "missingkey=error") return undefined;
  const generators = spec.generators;
  if (!Array.isArray(generators) || generators.length !== 1 || !isMap(generators[0])) return undefined;
  const generator = generators[0];
  if (Object.keys(generator).length !== 1 || !isMap(generator.list) || Object.keys(generator.list).length !== 1) return undefined;
  const elements = generator.list.elements;
  if (!Array.isArray(elements) || !elements.every(isMap)) return undefined;
  const template = spec.template;
  if (!isMap(template) || !isMap(template.metadata) || !isMap(template.spec)) return undefined;
  if (spec.templatePatch !== undefined && spec.templatePatch !== TEMPLATE_PATCH) return undefined;
  // Bounded whatever was committed: a large template times many elements is compared as it is.
  if (elements.length * JSON.stringify(template).length > MAX_GENERATED_BYTES) return undefined;
  const preserve = isMap(spec.syncPolicy) && spec.syncPolicy.preserveResourcesOnDeletion === true;
  // What an ApplicationSet's template may hold of an Application's metadata (ApplicationSetTemplateMeta).
  const { name, labels, annotations, finalizers } = template.metadata;
  const shape = {
    metadata: { name, labels, annotations, finalizers },
    spec: template.spec,
  };
  try {
    return elements.map((element) => {
      // The controller returns the template as it is for an element without fields.
      const made = (Object.keys(element).length === 0 ? structuredClone(shape) : render(shape, element)) as {
        metadata: JsonMap;
        spec: JsonMap;
      };
      if (!preserve && !(Array.isArray(made.metadata.finalizers) && made.metadata.finalizers.length > 0))
        made.metadata.finalizers = [FINALIZER];
      const project = made.spec.project;
      const patched = spec.templatePatch === undefined ? made : merge(made, patchOf(element));
      if (!isMap(patched) || !isMap(patched.metadata) || !isMap(patched.spec)) throw new NotExpandable();
      patched.spec.project = project;
      // Every Application goes into the ApplicationSet's own namespace, whatever the template or patch say.
      const { name, namespace: _namespace, ...rest } = patched.metadata;
      if (typeof name !== "string") throw new NotExpandable();
      const metadata: KubernetesObject["metadata"] = {
        name,
        ...(set.metadata.namespace !== undefined ? { namespace: set.metadata.namespace } : {}),
      };
      for (const [key, value] of Object.entries(rest)) if (value !== undefined) Object.assign(metadata, { [key]: value });
      const application: KubernetesObject = {
        apiVersion: ARGO_API,
        kind: "Application",
        metadata,
        spec: patched.spec,
      };
      return application;
    });
  } catch (error) {
    if (error instanceof NotExpandable) return undefined;
    throw error;
  }
}

/** The ApplicationSet without its list's elements: what is left of it once its Applications are shown on their own. */
export function withoutElements(set: KubernetesObject): KubernetesObject {
  const spec = set.spec as JsonMap & { generators: [{ list: JsonMap }] };
  const { elements: _elements, ...list } = spec.generators[0].list;
  return { ...set, spec: { ...spec, generators: [{ ...spec.generators[0], list }] } };
}

/** A template value with each string (and map key) rendered for an element. */
function render(node: unknown, element: JsonMap): unknown {
  if (typeof node === "string") return renderString(node, element);
  if (Array.isArray(node)) return node.map((item) => render(item, element));
  if (isMap(node)) {
    const out: JsonMap = {};
    for (const [key, value] of Object.entries(node)) {
      if (value === undefined) continue;
      out[renderString(key, element)] = render(value, element);
    }
    return out;
  }
  return node;
}

function renderString(text: string, element: JsonMap): string {
  const action = PARAM.exec(text);
  if (action) {
    const field = action[1]!;
    // missingkey=error: Argo CD generates nothing for the set; a value other than a string would print as Go formats it.
    if (!Object.hasOwn(element, field) || typeof element[field] !== "string") throw new NotExpandable();
    return element[field] as string;
  }
  if (text.includes("{{")) throw new NotExpandable();
  return text;
}

/** What `{{ toJson .patch }}` gives for an element, read back: its patch, which must be a map. */
function patchOf(element: JsonMap): JsonMap {
  if (!Object.hasOwn(element, "patch") || !isMap(element.patch)) throw new NotExpandable();
  return element.patch;
}

/** A strategic merge of a patch that holds no list where the base has one and no null. */
function merge(base: unknown, patch: unknown): unknown {
  if (patch === null) throw new NotExpandable();
  if (!isMap(patch)) {
    if (Array.isArray(patch) && Array.isArray(base)) throw new NotExpandable();
    return structuredClone(patch);
  }
  if (!isMap(base)) return merge({}, patch);
  const out: JsonMap = { ...base };
  for (const [key, value] of Object.entries(patch)) out[key] = merge(Object.hasOwn(base, key) ? base[key] : undefined, value);
  return out;
}
