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
  if (!origin.path || origin.path.length === 0) return origin;
  const ts = typescript();
  const absolute = path.resolve(root, origin.file);
  let text: string;
  try {
    text = fs.readFileSync(absolute, "utf8");
  } catch {
    return origin;
  }
  const source = ts.createSourceFile(absolute, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const call = findCall(ts, source, origin);
  if (!call) return origin;
  const argument = [...call.arguments].reverse().find((arg) => ts.isObjectLiteralExpression(unwrap(ts, source, arg)));
  if (!argument) return origin;

  let node: Node = unwrap(ts, source, argument);
  let anchor: Node = call;
  for (const segment of origin.path) {
    const next = step(ts, node, segment);
    if (!next) break;
    anchor = next.anchor;
    node = unwrap(ts, source, next.value);
  }
  const { line, character } = source.getLineAndCharacterOfPosition(anchor.getStart(source));
  return { ...origin, line: line + 1, column: character + 1 };
}

export function pinpointAll(root: string, diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.map((d) => (d.origin ? { ...d, origin: pinpoint(root, d.origin) } : d));
}

let loaded: TS | undefined;
function typescript(): TS {
  // ts-morph is only loaded on this error path, never on a clean synth.
  loaded ??= (createRequire(import.meta.url)("ts-morph") as typeof import("ts-morph")).ts;
  return loaded;
}

function findCall(ts: TS, source: import("ts-morph").ts.SourceFile, origin: Origin): import("ts-morph").ts.CallExpression | undefined {
  const position = source.getPositionOfLineAndCharacter(origin.line - 1, Math.max(0, origin.column - 1));
  let best: import("ts-morph").ts.CallExpression | undefined;
  const visit = (node: Node): void => {
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const name = ts.isPropertyAccessExpression(callee) ? callee.name : callee;
      if (name.getStart(source) <= position && position <= node.arguments.pos) best = node;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return best;
}

function unwrap(ts: TS, source: import("ts-morph").ts.SourceFile, node: Node): Node {
  for (;;) {
    if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node)) {
      node = node.expression;
    } else if (ts.isIdentifier(node)) {
      const declaration = findConst(ts, source, node.text);
      if (!declaration?.initializer) return node;
      node = declaration.initializer;
    } else {
      return node;
    }
  }
}

function findConst(ts: TS, source: import("ts-morph").ts.SourceFile, name: string) {
  let found: import("ts-morph").ts.VariableDeclaration | undefined;
  const visit = (node: Node): void => {
    if (found) return;
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.name.text === name) found = node;
    else ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
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
