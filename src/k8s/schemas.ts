import fs from "node:fs";
import { createRequire } from "node:module";
import type { ErrorObject } from "ajv";
import { own } from "../model/own.js";

const own_ = own;
import { BUILTIN_KINDS } from "./builtin-kinds.js";
import { CRD_KINDS } from "./crd-kinds.js";
import { extensionProblems, type SchemaNode, type SchemaProblem } from "./schema-extensions.js";

export type { SchemaProblem };

export type SchemaCheck = (object: object) => SchemaProblem[];

interface Validate {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/** Where a kind's schema is: its file under src/k8s/ and its name there. */
interface SchemaId {
  /** e.g. "openapi/apps_v1", "crd-schemas/argoproj.io_v1alpha1_Application". */
  readonly file: string;
  /** The kind's definition in the file; undefined for a CRD file, whose root is the kind. */
  readonly definition?: string;
  readonly kind: string;
}

/** The options the validators are compiled with, at build time and here alike. */
export const AJV_OPTIONS = {
  strict: false,
  allErrors: true,
  // Formats (byte, int64, date-time) are Kubernetes' own, not JSON Schema's; the API server checks them.
  validateFormats: false,
  // One function per definition: PodSpec is compiled once, not once per place that reaches it.
  inlineRefs: false,
} as const;

const require = createRequire(import.meta.url);
const documents = new Map<string, { readonly definitions?: Record<string, SchemaNode> } & SchemaNode>();
const checks = new Map<string, SchemaCheck>();
let ajv: import("ajv").default | undefined;

/**
 * The strict schema check of a kind, or undefined when sluice has no schema
 * for it (a custom resource the platform declares, which the cluster judges):
 * Kubernetes' own kinds from the OpenAPI of the pinned Kubernetes minor
 * (src/k8s/openapi/), the custom resources sluice renders or lets teams
 * write from their projects' CRDs (src/k8s/crd-schemas/). Unknown fields are
 * refused and required fields enforced, as `kubectl apply --validate=strict`
 * does; so are duplicate keys in map lists and the CRDs' CEL rules.
 *
 * `npm run build` compiles the validators ahead (dist/src/k8s/validators/,
 * scripts/compile-schemas.mjs): compiling a Deployment's schema at run time
 * costs more than a one-app synth. From source (tests), they are compiled on
 * first use.
 */
export function schemaCheck(apiVersion: string, kind: string): SchemaCheck | undefined {
  const id = schemaId(apiVersion, kind);
  if (!id) return undefined;
  const key = `${id.file}#${id.kind}`;
  let check = checks.get(key);
  if (!check) {
    const document = documentOf(id.file);
    const root: SchemaNode = id.definition ? { $ref: `#/definitions/${id.definition}` } : document;
    const resolve = (ref: string): SchemaNode => document.definitions![ref.slice("#/definitions/".length)]!;
    const validate = validatorOf(id);
    const own = (object: object) => {
      const extensions = extensionProblems(root, object, resolve);
      return validate(object) ? extensions : [...(validate.errors ?? []).map(explain), ...extensions];
    };
    const graft = own_(POD_TEMPLATES, `${apiVersion}/${kind}`);
    check = graft ? (object) => [...own(object), ...podTemplateProblems(object, graft)] : own;
    checks.set(key, check);
  }
  return check;
}

/**
 * Custom resources whose CRD leaves parts of a pod template unchecked (Argo
 * Rollouts' generator lets any field through in a Rollout's volumes and
 * containers' resources, to keep the CRD small), by where they hold it: the
 * template is checked against Kubernetes' own PodTemplateSpec as well.
 */
const POD_TEMPLATES: Readonly<Record<string, readonly string[]>> = {
  "argoproj.io/v1alpha1/Rollout": ["spec", "template"],
};

/** The problems of the pod template at `path` of an object (none when it has none), as Kubernetes' PodTemplateSpec judges it. */
function podTemplateProblems(object: object, path: readonly string[]): SchemaProblem[] {
  let template: unknown = object;
  for (const segment of path)
    template = template && typeof template === "object" ? own_(template as Record<string, unknown>, segment) : undefined;
  if (template === undefined) return [];
  // A PodTemplate holds a PodTemplateSpec at `template`: Kubernetes' own schema for it, compiled ahead like the others.
  const problems = schemaCheck("v1", "PodTemplate")!({ apiVersion: "v1", kind: "PodTemplate", metadata: { name: "template" }, template });
  const prefix = `/${path.join("/")}`;
  return problems.flatMap((problem) =>
    problem.instancePath.startsWith("/template")
      ? [{ ...problem, instancePath: `${prefix}${problem.instancePath.slice("/template".length)}` }]
      : [],
  );
}

/**
 * A kind's schema as a JSON Schema document whose root is the kind (its
 * `$ref`s resolve inside it), or undefined when sluice has none: what the
 * admission CEL checker types `object` with (src/policy/kind-schemas.ts).
 */
export function kindSchema(apiVersion: string, kind: string): object | undefined {
  const id = schemaId(apiVersion, kind);
  if (!id) return undefined;
  const document = documentOf(id.file);
  return id.definition ? { definitions: document.definitions, $ref: `#/definitions/${id.definition}` } : document;
}

/** The schema files sluice has and the kinds in each, for the build's ahead-of-time compilation. */
export function schemaFiles(): Map<string, { kind: string; definition?: string }[]> {
  const files = new Map<string, { kind: string; definition?: string }[]>();
  const tables = [...Object.entries(BUILTIN_KINDS), ...Object.entries(CRD_KINDS)];
  for (const [apiVersion, kinds] of tables) {
    for (const kind of Object.keys(kinds)) {
      const id = schemaId(apiVersion, kind)!;
      files.set(id.file, [...(files.get(id.file) ?? []), { kind: id.kind, ...(id.definition ? { definition: id.definition } : {}) }]);
    }
  }
  return files;
}

function schemaId(apiVersion: string, kind: string): SchemaId | undefined {
  const builtin = own(own(BUILTIN_KINDS, apiVersion) ?? {}, kind);
  if (builtin)
    return {
      file: `openapi/${apiVersion.includes("/") ? apiVersion.replace("/", "_") : `core_${apiVersion}`}`,
      definition: builtin.schema,
      kind,
    };
  if (!own(own(CRD_KINDS, apiVersion) ?? {}, kind)) return undefined;
  return { file: `crd-schemas/${apiVersion.replace("/", "_")}_${kind}`, kind };
}

function documentOf(file: string) {
  let document = documents.get(file);
  if (!document) {
    document = JSON.parse(fs.readFileSync(new URL(`./${file}.json`, import.meta.url), "utf8")) as {
      definitions?: Record<string, SchemaNode>;
    } & SchemaNode;
    documents.set(file, document);
  }
  return document;
}

/** The compiled validator: from the build's validators when there, else compiled now. */
function validatorOf(id: SchemaId): Validate {
  let compiled: Record<string, Validate> | undefined;
  try {
    compiled = require(`./validators/${id.file.replace("/", "--")}.cjs`) as Record<string, Validate>;
  } catch {
    compiled = undefined;
  }
  const ahead = compiled && own(compiled, id.kind);
  if (ahead) return ahead;
  if (!ajv) {
    const Ajv = require("ajv") as typeof import("ajv").default;
    ajv = new Ajv(AJV_OPTIONS);
  }
  const uri = `sluice:${id.file}.json`;
  if (!ajv.getSchema(uri)) ajv.addSchema(documentOf(id.file), uri);
  return ajv.getSchema(id.definition ? `${uri}#/definitions/${id.definition}` : uri) as Validate;
}

function explain({ instancePath, keyword, message, params }: ErrorObject): SchemaProblem {
  if (keyword === "additionalProperties")
    return { instancePath, message: `has unknown field ${JSON.stringify((params as { additionalProperty: string }).additionalProperty)}` };
  if (keyword === "required")
    return {
      instancePath,
      message: `is missing the required field ${JSON.stringify((params as { missingProperty: string }).missingProperty)}`,
    };
  if (keyword === "enum")
    return { instancePath, message: `must be one of: ${(params as { allowedValues: unknown[] }).allowedValues.join(", ")}` };
  return { instancePath, ...(message ? { message } : {}) };
}
