import path from "node:path";
import { Node, Project, ts, type Symbol as TsSymbol, type Type } from "ts-morph";
import { REPO } from "./project.js";

/**
 * The fields the model declares, read from its TypeScript types: what the
 * cache-key property test must change. A node is one place in the model's
 * data; a value of a union may be several things at once (`autoscaling` is
 * `false` or an object), so a node says each thing it may hold.
 */
export interface FieldNode {
  /** A string, number or boolean may stand here. */
  leaf: boolean;
  /** Data of no declared shape may stand here (`unknown`, a free-form object): any value below counts. */
  opaque: boolean;
  /** The element, when an array may stand here. */
  element?: FieldNode;
  /** The value, when a record keyed by user data may stand here. */
  index?: FieldNode;
  readonly properties: Map<string, FieldNode>;
}

/**
 * Types whose declared properties are not sluice's model: a raw Kubernetes
 * object is written through as the stack wrote it, so its fields are
 * kubernetes-types', not fields a renderer picks out. What the fixture puts
 * in one is still changed, leaf by leaf.
 */
const OPAQUE_TYPES = new Set(["KubernetesObject"]);

/** The model's declared fields, as a tree from `Model` in src/model/model.ts. */
export function modelFields(): FieldNode {
  // Only what model.ts imports, without the Node types the project's tsconfig adds: the model uses none.
  const project = new Project({
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.Preserve,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      strict: true,
      skipLibCheck: true,
      types: [],
      lib: ["lib.es2023.d.ts"],
    },
  });
  const file = project.addSourceFileAtPath(path.join(REPO, "src/model/model.ts"));
  const model = file.getInterfaceOrThrow("Model").getType();
  const root = emptyNode();
  add(root, model, file, new Set());
  return root;
}

/** Every declared place a value must reach, as "platform.clusters[].engine", "apps[].environmentOverrides{}.replicas". */
export function fieldPaths(root: FieldNode): string[] {
  const paths: string[] = [];
  const visit = (node: FieldNode, at: string) => {
    if (node.leaf || node.opaque) paths.push(at);
    if (node.opaque) return;
    if (node.element) visit(node.element, `${at}[]`);
    if (node.index) visit(node.index, `${at}{}`);
    for (const [name, child] of node.properties) visit(child, at === "" ? name : `${at}.${name}`);
  };
  visit(root, "");
  return paths.sort();
}

/** The declared place of a value in the model's data, or undefined when the types declare none there. */
export function fieldPathOf(root: FieldNode, at: readonly (string | number)[]): string | undefined {
  let node = root;
  let text = "";
  for (const segment of at) {
    if (node.opaque) return text;
    if (typeof segment === "number" && node.element) {
      node = node.element;
      text += "[]";
    } else if (typeof segment === "string" && node.properties.has(segment)) {
      node = node.properties.get(segment)!;
      text += text === "" ? segment : `.${segment}`;
    } else if (node.index) {
      node = node.index;
      text += "{}";
    } else return undefined;
  }
  return node.leaf || node.opaque ? text : undefined;
}

function emptyNode(): FieldNode {
  return { leaf: false, opaque: false, properties: new Map() };
}

/**
 * Adds what `type` may hold to `node`; `seen` holds the object types above it
 * (a type inside itself is a cycle, whose inside counts as opaque).
 */
function add(node: FieldNode, type: Type, at: Node, seen: ReadonlySet<ts.Type>): void {
  if (type.isUndefined() || type.isNull() || type.isNever()) return;
  // A template literal type (`${string}/${string}`) is a string too.
  const templateLiteral = (type.getFlags() & ts.TypeFlags.TemplateLiteral) !== 0;
  if (type.isBoolean() || type.isString() || type.isNumber() || type.isLiteral() || type.isBooleanLiteral() || templateLiteral) {
    node.leaf = true;
    return;
  }
  if (type.isUnion()) {
    for (const member of type.getUnionTypes()) add(node, member, at, seen);
    return;
  }
  // The model has no `any`: one here is a type the checker could not resolve, which would hide its fields.
  if (type.isAny()) throw new Error("model-fields: a field of type any (an import that does not resolve?)");
  if (type.isUnknown()) {
    node.opaque = true;
    return;
  }
  // A function is code, not data (the ordering, a blueprint's render, a rule's check).
  if (type.getCallSignatures().length > 0) return;
  if (type.isArray() || type.isReadonlyArray()) {
    node.element ??= emptyNode();
    add(node.element, type.getTypeArguments()[0]!, at, seen);
    return;
  }
  const name = (type.getAliasSymbol() ?? type.getSymbol())?.getName();
  if ((name !== undefined && OPAQUE_TYPES.has(name)) || seen.has(type.compilerType)) {
    node.opaque = true;
    return;
  }
  // A tuple's properties are its positions and `length`: a model with one needs a rule here.
  if (type.isTuple() || (!type.isObject() && !type.isIntersection()))
    throw new Error(`model-fields: no rule for the type ${type.getText()}`);
  const inside = new Set(seen).add(type.compilerType);
  const index = type.getStringIndexType();
  if (index) {
    node.index ??= emptyNode();
    add(node.index, index, at, inside);
  }
  for (const property of type.getProperties()) {
    let child = node.properties.get(property.getName());
    if (!child) node.properties.set(property.getName(), (child = emptyNode()));
    add(child, typeOf(property, at), at, inside);
  }
}

/** A property's type: where it is declared, or (a mapped type's, which has no declaration) as seen from the model's file. */
function typeOf(property: TsSymbol, at: Node): Type {
  const declaration = property.getValueDeclaration();
  return property.getTypeAtLocation(declaration && Node.isPropertySignature(declaration) ? declaration : at);
}
