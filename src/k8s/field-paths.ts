import { closestName } from "../model/spelling.js";
import { own } from "../model/own.js";
import { BUILTIN_KINDS } from "./builtin-kinds.js";
import { CRD_KINDS } from "./crd-kinds.js";
import type { CustomResources } from "./kinds.js";
import { apiGroup } from "./object.js";
import { kindSchema } from "./schemas.js";
import type { SchemaNode } from "./schema-extensions.js";

/** What is wrong with a kind or a field path someone wrote, and what to write instead. */
export interface PathProblem {
  readonly problem: string;
  readonly hint: string;
}

/** A kind as "Kind" or "<group>/<Kind>", found: its group and the apiVersions that serve it, newest last. */
export interface FoundKind {
  readonly group: string;
  readonly kind: string;
  readonly apiVersions: readonly string[];
}

type Tables = readonly Readonly<Record<string, Readonly<Record<string, unknown>>>>[];

/**
 * The kind a person named, among Kubernetes' own, the custom resources sluice
 * ships schemas for and those the platform declares. A kind without a group
 * must be served by one group only ("Event" is core's and events.k8s.io's).
 */
export function findKind(written: string, custom: CustomResources): FoundKind | PathProblem {
  const slash = written.lastIndexOf("/");
  const wantedGroup = slash === -1 ? undefined : written.slice(0, slash);
  const kind = written.slice(slash + 1);
  const tables: Tables = [BUILTIN_KINDS, CRD_KINDS, custom];
  const byGroup = new Map<string, string[]>();
  const everyKind = new Set<string>();
  for (const table of tables) {
    for (const [apiVersion, kinds] of Object.entries(table)) {
      for (const name of Object.keys(kinds)) everyKind.add(name);
      const group = apiGroup(apiVersion);
      if (!Object.hasOwn(kinds, kind) || (wantedGroup !== undefined && group !== wantedGroup)) continue;
      const versions = byGroup.get(group) ?? [];
      if (!versions.includes(apiVersion)) versions.push(apiVersion);
      byGroup.set(group, versions);
    }
  }
  if (byGroup.size === 0) {
    const close = closestName(kind, everyKind);
    return {
      problem: `no kind ${JSON.stringify(written)} is served by Kubernetes, shipped by sluice or declared in the platform's customResources`,
      hint: close
        ? `did you mean ${JSON.stringify(wantedGroup ? `${wantedGroup}/${close}` : close)}?`
        : "check the spelling; a custom resource must be declared in the platform's customResources",
    };
  }
  if (byGroup.size > 1) {
    const groups = [...byGroup.keys()].sort();
    return {
      problem: `${kind} is served by more than one API group (${groups.map((g) => g || "core").join(", ")})`,
      hint: `write the group too, e.g. ${JSON.stringify(`${groups.find((g) => g !== "") ?? groups[0]}/${kind}`)}`,
    };
  }
  const [group, apiVersions] = [...byGroup][0]!;
  return { group, kind, apiVersions: [...apiVersions].sort() };
}

/**
 * The JSON pointer segments of a dotted field path in a kind, walked down the
 * kind's schema: a property per dot; a list's item by its index; a map's key
 * taking the rest of the path when the map holds plain values (an
 * annotation's name keeps its dots and slashes), one part otherwise. A kind
 * sluice has no schema for (a declared custom resource) takes any path, split
 * at every dot, except under `metadata`, which every kind shares.
 */
export function fieldPointer(found: FoundKind, path: string): readonly string[] | PathProblem {
  let firstProblem: PathProblem | undefined;
  let walked = false;
  // Any served version will do: a field that moved between versions is still the field.
  for (const apiVersion of [...found.apiVersions].reverse()) {
    const schema = kindSchema(apiVersion, found.kind) as ({ definitions?: Record<string, SchemaNode> } & SchemaNode) | undefined;
    if (!schema) continue;
    walked = true;
    // A CRD's schema leaves metadata untyped ({ type: object }): check it as the ObjectMeta it is.
    const metadata = schema.properties?.["metadata"];
    const meta = metadata && !metadata.properties && !metadata.$ref ? objectMetaRoot() : undefined;
    const typed = meta
      ? { ...schema, properties: { ...schema.properties, ...meta.properties }, definitions: { ...meta.definitions, ...schema.definitions } }
      : schema;
    const result = walk(typed, path);
    if (Array.isArray(result)) return result;
    firstProblem ??= result as PathProblem;
  }
  if (walked) return firstProblem!;
  const [top, ...rest] = path.split(".");
  if (top === "metadata") {
    const result = walk(objectMetaRoot(), path);
    return result;
  }
  return [top!, ...rest];
}

/** The ObjectMeta every kind has, as the root of a schema with only `metadata`. */
function objectMetaRoot(): { definitions?: Record<string, SchemaNode> } & SchemaNode {
  const deployment = kindSchema("apps/v1", "Deployment") as { definitions: Record<string, SchemaNode> };
  return {
    definitions: deployment.definitions,
    properties: { metadata: { $ref: "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" } },
  };
}

function walk(document: { definitions?: Record<string, SchemaNode> } & SchemaNode, path: string): readonly string[] | PathProblem {
  const deref = (node: SchemaNode): SchemaNode => {
    let current = node;
    for (let depth = 0; current.$ref && depth < 32; depth++) {
      const name = current.$ref.slice("#/definitions/".length);
      current = own(document.definitions ?? {}, name) ?? {};
    }
    // Kubernetes' OpenAPI wraps a described $ref in allOf.
    if (!current.properties && current.allOf?.length === 1) return deref(current.allOf[0]!);
    return current;
  };
  const segments: string[] = [];
  let node = deref(document);
  let rest = path;
  while (rest.length > 0) {
    const dot = rest.indexOf(".");
    const part = dot === -1 ? rest : rest.slice(0, dot);
    const after = dot === -1 ? "" : rest.slice(dot + 1);
    const at = segments.length > 0 ? segments.join(".") : "the object";
    if (part === "") return { problem: `${JSON.stringify(path)} has an empty part`, hint: "join field names with single dots" };
    if (node.properties) {
      const child = own(node.properties, part);
      if (!child) {
        const close = closestName(part, Object.keys(node.properties));
        const prefix = segments.length > 0 ? `${segments.join(".")}.` : "";
        const names = Object.keys(node.properties).sort();
        return {
          problem: `${JSON.stringify(path)} is not a field path of the kind: ${at} has no field ${JSON.stringify(part)}`,
          hint: close
            ? `did you mean ${JSON.stringify(`${prefix}${close}${after ? `.${after}` : ""}`)}?`
            : `${at} has: ${names.slice(0, 20).join(", ")}${names.length > 20 ? ", …" : ""}`,
        };
      }
      segments.push(part);
      node = deref(child);
    } else if (node.items) {
      if (!/^(0|[1-9][0-9]*)$/.test(part))
        return {
          problem: `${JSON.stringify(path)}: ${at} is a list, and ${JSON.stringify(part)} is not an index`,
          hint: `name an item by its position, e.g. "${segments.join(".")}.0${after ? `.${after}` : ""}"`,
        };
      segments.push(part);
      node = deref(node.items);
    } else if (typeof node.additionalProperties === "object") {
      const value = deref(node.additionalProperties);
      const plain = !value.properties && !value.items && typeof value.additionalProperties !== "object";
      // A map of plain values: the key is the rest of the path ("sidecar.istio.io/inject").
      if (plain) {
        segments.push(rest);
        return segments;
      }
      segments.push(part);
      node = value;
    } else if ((node as { oneOf?: unknown }).oneOf !== undefined) {
      // A quantity or an int-or-string: a plain value.
      return {
        problem: `${JSON.stringify(path)} goes below ${at}, which is a plain value`,
        hint: `end the path at ${JSON.stringify(segments.join("."))}`,
      };
    } else if ((node as { type?: string }).type === "object" || (node as { type?: string }).type === undefined) {
      // A free-form object (RawExtension, x-kubernetes-preserve-unknown-fields): any path below it.
      segments.push(...rest.split("."));
      return segments;
    } else {
      return {
        problem: `${JSON.stringify(path)} goes below ${at}, which is a ${(node as { type?: string }).type}`,
        hint: `end the path at ${JSON.stringify(segments.join("."))}`,
      };
    }
    rest = after;
  }
  return segments;
}
