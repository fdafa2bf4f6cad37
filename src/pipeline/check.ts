import { createRequire } from "node:module";
import { SluiceError } from "../errors.js";
import { BUILTIN_KINDS } from "../k8s/builtin-kinds.js";
import { crdValidator } from "../k8s/crd-schemas.js";
import { apiGroup, type KubernetesObject } from "../k8s/object.js";
import { own } from "../model/own.js";
import type { Diagnostic } from "../model/diagnostic.js";
import { childOrigin } from "../model/origin.js";
import type { Rendered } from "../model/rendered.js";
import { pinpointAll } from "./locate.js";

interface ModelClass {
  readonly apiVersion: string;
  readonly kind: string;
  readonly prototype: { validate(this: object): void };
  new (data: object): { validate(): void };
}

interface SchemaError {
  readonly instancePath: string;
  readonly message?: string;
}

const require = createRequire(import.meta.url);
const modules = new Map<string, Record<string, unknown> | undefined>();

/**
 * The published schema of a kind: Kubernetes' own from kubernetes-models,
 * Argo CD's from @kubernetes-models/argo-cd. Undefined for kinds neither
 * knows (custom resources), which are left to the cluster to judge.
 */
function modelFor(apiVersion: string, kind: string): ModelClass | undefined {
  const group = apiGroup(apiVersion);
  const version = apiVersion.slice(group ? group.length + 1 : 0);
  // One kind's module, not its whole group version's: loading all of apps/v1
  // to check one Deployment cost more than a one-app synth's whole render.
  const specifier =
    group === "argoproj.io" ? `@kubernetes-models/argo-cd/${apiVersion}/${kind}` : `kubernetes-models/${group ? `${group}/` : ""}${version}/${kind}`;
  // Only kinds known to exist are looked up: apiVersion and kind are user input, not module paths.
  const known = group === "argoproj.io" ? apiVersion === "argoproj.io/v1alpha1" && ARGO_CD_KINDS.has(kind) : (own(BUILTIN_KINDS, apiVersion) ?? []).includes(kind);
  if (!known) return undefined;
  if (!modules.has(specifier)) {
    try {
      modules.set(specifier, require(specifier) as Record<string, unknown>);
    } catch {
      modules.set(specifier, undefined);
    }
  }
  const candidate: unknown = modules.get(specifier)?.[kind];
  const model = candidate as Partial<ModelClass> | undefined;
  return typeof candidate === "function" && model?.kind === kind && model.apiVersion === apiVersion ? (candidate as ModelClass) : undefined;
}

const ARGO_CD_KINDS = new Set(["Application", "ApplicationSet", "AppProject"]);

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/**
 * Validates every rendered object against its published schema and checks the
 * label values the API server would refuse, before anything is written. A
 * problem in an object the stack wrote points at the line of the offending
 * field; one in a generated object points at the app.
 */
export function check(root: string, rendered: Rendered): void {
  const diagnostics: Diagnostic[] = [];
  for (const { object, origin, path, verbatim } of rendered.objects) {
    // A SOPS file: the engine decrypts it before the API server sees it, and validate-sops checked its shape.
    if (verbatim !== undefined) continue;
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
  }
  if (diagnostics.length > 0) {
    throw new SluiceError("Some objects would be refused by Kubernetes or Argo CD; nothing was written.", collapse(pinpointAll(root, diagnostics)));
  }
}

/**
 * What the published schema of the object's kind says is wrong with it: the
 * kubernetes-models validator for Kubernetes' and Argo CD's kinds, the CRD's
 * schema for the custom resources sluice ships (External Secrets, Sealed
 * Secrets). Undefined for kinds neither knows, which the cluster judges.
 */
function schemaProblems(object: KubernetesObject): readonly SchemaError[] | undefined {
  const Model = modelFor(object.apiVersion, object.kind);
  if (!Model) return crdValidator(object.apiVersion, object.kind)?.(object);
  try {
    // The model's validator, run on the object itself: constructing the
    // model first would deep-copy every object only to drop undefined
    // values, which rendered objects do not have (see test/emitted-objects).
    Model.prototype.validate.call(object);
    return [];
  } catch (error) {
    const errors = (error as { errors?: SchemaError[] }).errors;
    if (!errors) throw error;
    return errors;
  }
}

/** One stack line rendered on several clusters fails the same way on each: say it once. */
function collapse(diagnostics: Diagnostic[]): Diagnostic[] {
  const groups = new Map<string, Diagnostic[]>();
  for (const d of diagnostics) {
    const key = `${d.code}|${d.origin?.file}:${d.origin?.line}:${d.origin?.column}|${d.message.replace(/ \([^)]*\.yaml\)/, "")}`;
    const group = groups.get(key);
    if (group) group.push(d);
    else groups.set(key, [d]);
  }
  return [...groups.values()].map(([first, ...rest]) =>
    rest.length === 0 ? first! : { ...first!, message: `${first!.message} (and the same in ${rest.length} more file${rest.length === 1 ? "" : "s"})` },
  );
}
