import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Diagnostic } from "../model/diagnostic.js";
import type { Origin } from "../model/origin.js";

type TS = typeof import("ts-morph").ts;
type Node = import("ts-morph").ts.Node;

/**
 * Moves an origin from the DSL call (the line V8 reports) to the line of the
 * property its `path` names, by walking the object literal in the stack's
 * syntax tree: ["environments", "prod", "replicas"] → the line of
 * `replicas: -1`. Follows `const` variables declared in the same file and
 * unwraps `as` / `satisfies`; stops at the deepest node it can find, so the
 * answer is always a line inside the right call.
 *
 * Parsing costs a little, so this runs only for what is reported.
 */
export function pinpoint(root: string, origin: Origin): Origin {
  return pinpointIn(new Map(), root, origin);
}

/**
 * Pinpoints every diagnostic, parsing each stack file once: a file with
 * thousands of apps and as many errors must not be parsed thousands of times.
 */
export function pinpointAll(root: string, diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const parsed = new Map<string, ParsedStack | undefined>();
  return diagnostics.map((d) => (d.origin ? { ...d, origin: pinpointIn(parsed, root, d.origin) } : d));
}

interface ParsedStack {
  readonly source: import("ts-morph").ts.SourceFile;
  /** Call expressions by the line and column of their callee's name, as V8 reports a call. */
  readonly callsAt: Map<string, import("ts-morph").ts.CallExpression>;
  readonly calls: readonly import("ts-morph").ts.CallExpression[];
  readonly consts: Map<string, import("ts-morph").ts.VariableDeclaration>;
}

function parse(ts: TS, absolute: string): ParsedStack | undefined {
  let text: string;
  try {
    text = fs.readFileSync(absolute, "utf8");
  } catch {
    return undefined;
  }
  const source = ts.createSourceFile(absolute, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const callsAt = new Map<string, import("ts-morph").ts.CallExpression>();
  const calls: import("ts-morph").ts.CallExpression[] = [];
  const consts = new Map<string, import("ts-morph").ts.VariableDeclaration>();
  const visit = (node: Node): void => {
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const name = ts.isPropertyAccessExpression(callee) ? callee.name : callee;
      const { line, character } = source.getLineAndCharacterOfPosition(name.getStart(source));
      callsAt.set(`${line + 1}:${character + 1}`, node);
      calls.push(node);
    }
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && !consts.has(node.name.text)) consts.set(node.name.text, node);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { source, callsAt, calls, consts };
}

function pinpointIn(parsed: Map<string, ParsedStack | undefined>, root: string, origin: Origin): Origin {
  if (!origin.path || origin.path.length === 0) return origin;
  const ts = typescript();
  const absolute = path.resolve(root, origin.file);
  if (!parsed.has(absolute)) parsed.set(absolute, parse(ts, absolute));
  const stack = parsed.get(absolute);
  if (!stack) return origin;
  const { source } = stack;
  const call = findCall(stack, origin);
  if (!call) return origin;
  const argument = [...call.arguments].reverse().find((arg) => ts.isObjectLiteralExpression(unwrap(ts, stack, arg)));
  if (!argument) return origin;

  let node: Node = unwrap(ts, stack, argument);
  let anchor: Node = call;
  let inHelper = false;
  for (const segment of origin.path) {
    const next = step(ts, node, segment);
    if (!next) {
      // A helper such as sealedSecret({ … }) takes part of its value as its
      // argument: a segment it fills in itself ("encryptedData") is skipped.
      if (inHelper) continue;
      break;
    }
    anchor = next.anchor;
    node = unwrap(ts, stack, next.value);
    // A value built by a call, e.g. externalSecret({ key: … }): its fields are in the call's argument.
    const helperArgument = ts.isCallExpression(node)
      ? [...node.arguments].reverse().find((arg) => ts.isObjectLiteralExpression(unwrap(ts, stack, arg)))
      : undefined;
    inHelper = helperArgument !== undefined;
    if (helperArgument) node = unwrap(ts, stack, helperArgument);
  }
  const { line, character } = source.getLineAndCharacterOfPosition(anchor.getStart(source));
  return { ...origin, line: line + 1, column: character + 1 };
}

let loaded: TS | undefined;
function typescript(): TS {
  // ts-morph is only loaded on this error path, never on a clean synth.
  loaded ??= (createRequire(import.meta.url)("ts-morph") as typeof import("ts-morph")).ts;
  return loaded;
}

/** The call V8 reported at the origin: by its exact position, else the innermost call around it. */
function findCall(stack: ParsedStack, origin: Origin): import("ts-morph").ts.CallExpression | undefined {
  const exact = stack.callsAt.get(`${origin.line}:${origin.column}`);
  if (exact) return exact;
  const { source } = stack;
  const position = source.getPositionOfLineAndCharacter(origin.line - 1, Math.max(0, origin.column - 1));
  let best: import("ts-morph").ts.CallExpression | undefined;
  for (const call of stack.calls) {
    const callee = call.expression;
    const start = (typescript().isPropertyAccessExpression(callee) ? callee.name : callee).getStart(source);
    if (start <= position && position <= call.arguments.pos) best = call;
  }
  return best;
}

function unwrap(ts: TS, stack: ParsedStack, node: Node): Node {
  for (let hops = 0; hops < 100; hops++) {
    if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node)) {
      node = node.expression;
    } else if (ts.isIdentifier(node)) {
      const declaration = stack.consts.get(node.text);
      if (!declaration?.initializer) return node;
      node = declaration.initializer;
    } else {
      return node;
    }
  }
  return node;
}

function step(ts: TS, node: Node, segment: string | number): { anchor: Node; value: Node } | undefined {
  if (typeof segment === "number") {
    if (!ts.isArrayLiteralExpression(node)) return undefined;
    const element = node.elements[segment];
    return element ? { anchor: element, value: element } : undefined;
  }
  if (!ts.isObjectLiteralExpression(node)) return undefined;
  for (const property of node.properties) {
    const name = property.name;
    const text = name && (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) ? name.text : undefined;
    if (text !== segment) continue;
    if (ts.isPropertyAssignment(property)) return { anchor: property, value: property.initializer };
    if (ts.isShorthandPropertyAssignment(property)) return { anchor: property, value: property.name };
    return { anchor: property, value: property };
  }
  return undefined;
}

/**
 * The reverse of pinpoint: which sluice call (definePlatform or an app) a
 * position lies in, and the property path down to it — what a type error's
 * file:line:col is about, in the stack's own terms. A position on a
 * property's name (where TypeScript reports what is wrong with its value)
 * gives that name as `key`, and the path of the object holding it.
 */
export function propertyPathAt(
  root: string,
  file: string,
  line: number,
  column: number,
): { readonly call: "platform" | "app"; readonly path: (string | number)[]; readonly key?: string } | undefined {
  const ts = typescript();
  const stack = parse(ts, path.resolve(root, file));
  if (!stack) return undefined;
  const { source } = stack;
  const position = source.getPositionOfLineAndCharacter(line - 1, Math.max(0, column - 1));
  let node: Node | undefined;
  const find = (current: Node): void => {
    if (current.getStart(source) <= position && position < current.getEnd()) {
      node = current;
      current.forEachChild(find);
    }
  };
  find(source);
  const named: Node | undefined = node?.parent;
  const key = named && ts.isPropertyAssignment(named) && named.name === node ? propertyName(ts, source, named.name) : undefined;
  const trail: (string | number)[] = [];
  for (let current = node; current; current = current.parent) {
    const parent: Node | undefined = current.parent;
    if (parent && ts.isPropertyAssignment(parent) && parent.initializer === current) {
      trail.unshift(propertyName(ts, source, parent.name));
    } else if (parent && ts.isArrayLiteralExpression(parent)) {
      trail.unshift(parent.elements.indexOf(current as import("ts-morph").ts.Expression));
    } else if (ts.isCallExpression(current)) {
      const callee = current.expression;
      const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : "";
      if (name === "definePlatform") return { call: "platform", path: trail, ...(key !== undefined ? { key } : {}) };
      if (name === "app") return { call: "app", path: trail, ...(key !== undefined ? { key } : {}) };
    }
  }
  return undefined;
}

function propertyName(ts: TS, source: import("ts-morph").ts.SourceFile, name: import("ts-morph").ts.PropertyName): string {
  return ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) ? name.text : name.getText(source);
}
