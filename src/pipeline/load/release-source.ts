import { createRequire } from "node:module";

type TS = typeof import("ts-morph").ts;
type Node = import("ts-morph").ts.Node;

/** One wave's release as written: the string literal's value and where its text is. */
export interface ReleaseLiteral {
  readonly value: string;
  /** Offsets of the literal's contents (inside the quotes). */
  readonly start: number;
  readonly end: number;
  /** 1-based, for messages. */
  readonly line: number;
  readonly column: number;
  /** Offsets of the whole `<wave>: "<version>"` property, for removing it. */
  readonly entry: { readonly start: number; readonly end: number };
}

/** The `release` object of one app's declaration in a stack file. */
export interface ReleaseSource {
  /** Wave → its literal, for the waves written as string literals. */
  readonly literals: ReadonlyMap<string, ReleaseLiteral>;
  /** Waves whose release is not a string literal (a variable, a call): not editable. */
  readonly computed: ReadonlyMap<string, { readonly line: number; readonly column: number }>;
  /** The release object literal itself, where a new wave is inserted. */
  readonly object: { readonly start: number; readonly end: number; readonly line: number };
}

export type FindResult = { readonly source: ReleaseSource } | { readonly problem: string; readonly line: number; readonly column: number };

let loaded: TS | undefined;
function typescript(): TS {
  loaded ??= (createRequire(import.meta.url)("ts-morph") as typeof import("ts-morph")).ts;
  return loaded;
}

/**
 * Finds the release literals of app `name` in a stack file's text: the
 * `….app("<name>", { release: { <wave>: "<version>" } })` call. Releases are
 * literals in the source so that promotion can edit exactly one of them,
 * keeping every other byte (comments, formatting) as it was.
 */
export function findReleases(text: string, name: string): FindResult | undefined {
  const ts = typescript();
  const parsed = parse(ts, text);
  const call = findCall(ts, parsed, "app", name);
  if (!call) return undefined;
  const spec = unwrap(ts, call.arguments[1]);
  if (!spec || !ts.isObjectLiteralExpression(spec))
    return { problem: `app ${name}'s spec is not written as an object literal here`, ...parsed.at(call) };
  const property = spec.properties.find((p) => ts.isPropertyAssignment(p) && propertyName(ts, p.name) === "release") as
    | import("ts-morph").ts.PropertyAssignment
    | undefined;
  if (!property) return { problem: `app ${name} has no release written here`, ...parsed.at(spec) };
  return releaseObject(ts, parsed, property.initializer, `app ${name}'s release is not an object literal`);
}

/**
 * Finds the literals of a `….release("<name>", { <wave>: "<version>" })`
 * call (see Platform.release): the one at `line` when given, else the first.
 */
export function findReleaseCall(text: string, name: string, line?: number): FindResult | undefined {
  const ts = typescript();
  const parsed = parse(ts, text);
  const call = findCall(ts, parsed, "release", name, line);
  if (!call) return undefined;
  return releaseObject(ts, parsed, call.arguments[1], `the releases of ${name} are not an object literal`);
}

/**
 * The literals of the `….release("<name>", { … })` call at `line`, wave →
 * value. Release files as sluice writes them (one call, string-literal keys
 * and values, no comments inside the braces) are read with a pattern, which
 * spares loading the TypeScript parser on every load of a fleet with
 * hundreds of them; anything else is parsed.
 */
export function releaseCallLiterals(text: string, name: string, line: number): ReadonlyMap<string, string> | undefined {
  const simple = simpleReleaseCall(text, name, line);
  if (simple) return simple;
  const found = findReleaseCall(text, name, line);
  return found && "source" in found ? new Map([...found.source.literals].map(([wave, literal]) => [wave, literal.value])) : undefined;
}

const SIMPLE_CALL = /\.release\(\s*"([^"\\\n]*)"\s*,\s*\{([^{}]*)\}\s*\)/g;
const SIMPLE_ENTRY = /^\s*(?:([A-Za-z_$][\w$]*)|"([^"\\\n]*)")\s*:\s*"([^"\\\n]*)"\s*$/;

function simpleReleaseCall(text: string, name: string, line: number): ReadonlyMap<string, string> | undefined {
  for (const match of text.matchAll(SIMPLE_CALL)) {
    if (match[1] !== name) continue;
    const before = text.slice(0, match.index);
    if (before.split("\n").length !== line) continue;
    // Only code on the way in: a comment or a string before it could hide the call's real shape.
    if (/\/[/*]|`/.test(before.slice(before.lastIndexOf("\n") + 1))) return undefined;
    const entries = match[2]!.split(",");
    if (entries.length > 1 && entries[entries.length - 1]!.trim() === "") entries.pop();
    const literals = new Map<string, string>();
    for (const entry of entries) {
      const parsed = SIMPLE_ENTRY.exec(entry);
      if (!parsed) return undefined;
      literals.set(parsed[1] ?? parsed[2]!, parsed[3]!);
    }
    return literals;
  }
  return undefined;
}

/** Every release literal of app `name` in a file, whether its app's declaration or a release call holds it. */
export function releasesIn(text: string, name: string): ReadonlyMap<string, string> {
  const found = new Map<string, string>();
  for (const result of [findReleases(text, name), findReleaseCall(text, name)]) {
    if (result && "source" in result)
      for (const [wave, literal] of result.source.literals) if (!found.has(wave)) found.set(wave, literal.value);
  }
  return found;
}

interface Parsed {
  readonly source: import("ts-morph").ts.SourceFile;
  at(node: Node): { line: number; column: number };
}

function parse(ts: TS, text: string): Parsed {
  const source = ts.createSourceFile("stack.ts", text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  return {
    source,
    at(node) {
      const { line, character } = source.getLineAndCharacterOfPosition(node.getStart(source));
      return { line: line + 1, column: character + 1 };
    },
  };
}

/** The first `….<method>("<name>", …)` call, or the one that starts on `line`. */
function findCall(ts: TS, parsed: Parsed, method: string, name: string, line?: number): import("ts-morph").ts.CallExpression | undefined {
  let call: import("ts-morph").ts.CallExpression | undefined;
  const visit = (node: Node): void => {
    if (call) return;
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === method) {
      const [first] = node.arguments;
      if (
        first &&
        ts.isStringLiteralLike(first) &&
        first.text === name &&
        (line === undefined || parsed.at(node).line === line || parsed.at(node.expression.name).line === line)
      ) {
        call = node;
        return;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(parsed.source);
  return call;
}

function releaseObject(ts: TS, parsed: Parsed, written: Node | undefined, notObject: string): FindResult {
  const object = unwrap(ts, written);
  if (!object || !ts.isObjectLiteralExpression(object))
    return { problem: notObject, ...(written ? parsed.at(written) : { line: 1, column: 1 }) };
  const literals = new Map<string, ReleaseLiteral>();
  const computed = new Map<string, { line: number; column: number }>();
  for (const entry of object.properties) {
    const wave = ts.isPropertyAssignment(entry) ? propertyName(ts, entry.name) : undefined;
    if (wave === undefined) continue;
    const value = unwrap(ts, (entry as import("ts-morph").ts.PropertyAssignment).initializer);
    if (value && (ts.isStringLiteral(value) || ts.isNoSubstitutionTemplateLiteral(value))) {
      literals.set(wave, {
        value: value.text,
        start: value.getStart(parsed.source) + 1,
        end: value.getEnd() - 1,
        ...parsed.at(value),
        entry: { start: entry.getStart(parsed.source), end: entry.getEnd() },
      });
    } else computed.set(wave, parsed.at(entry));
  }
  return { source: { literals, computed, object: { start: object.getStart(parsed.source), end: object.getEnd(), ...parsed.at(object) } } };
}

/**
 * The stack text with `wave`'s release set to `version`: the literal's
 * contents replaced when the wave has one, else a property inserted after the
 * wave before it in `order` (on its own line when the object is written one
 * wave per line). Nothing else in the text changes.
 */
export function withRelease(text: string, source: ReleaseSource, wave: string, version: string, order: readonly string[]): string {
  const literal = source.literals.get(wave);
  if (literal) return `${text.slice(0, literal.start)}${version}${text.slice(literal.end)}`;
  const key = /^[A-Za-z_$][\w$]*$/.test(wave) ? wave : JSON.stringify(wave);
  const earlier = order
    .slice(0, order.indexOf(wave))
    .reverse()
    .find((w) => source.literals.has(w));
  const body = text.slice(source.object.start, source.object.end);
  const multiline = body.includes("\n");
  if (!earlier) {
    // The first wave: right after the brace.
    const insert = multiline ? `\n${indentAfter(text, source.object.start)}${key}: "${version}",` : ` ${key}: "${version}",`;
    return `${text.slice(0, source.object.start + 1)}${insert}${text.slice(source.object.start + 1)}`;
  }
  const after = source.literals.get(earlier)!;
  const close = after.end + 1; // just past the closing quote
  if (!multiline) return `${text.slice(0, close)}, ${key}: "${version}"${text.slice(close)}`;
  // One wave per line: a new line after the earlier wave's, after its comment if it has one.
  const withComma = text[close] === "," ? text : `${text.slice(0, close)},${text.slice(close)}`;
  const eol = withComma.indexOf("\n", close);
  const rest = withComma.slice(close + 1, eol === -1 ? undefined : eol).trim();
  const position = rest === "" || rest.startsWith("//") ? (eol === -1 ? withComma.length : eol) : close + 1;
  return `${withComma.slice(0, position)}\n${indentOf(text, after.start)}${key}: "${version}",${withComma.slice(position)}`;
}

/**
 * The stack text without `wave`'s release: its property and comma removed,
 * and its line too when it stood on one of its own. Nothing else changes.
 */
export function withoutRelease(text: string, source: ReleaseSource, wave: string): string {
  const literal = source.literals.get(wave);
  if (!literal) return text;
  let { start, end } = literal.entry;
  const comma = /^\s*,/.exec(text.slice(end));
  if (comma) end += comma[0].length;
  const lineStart = text.lastIndexOf("\n", start - 1) + 1;
  const lineEnd = text.indexOf("\n", end);
  const alone = text.slice(lineStart, start).trim() === "" && text.slice(end, lineEnd === -1 ? undefined : lineEnd).trim() === "";
  if (alone && lineEnd !== -1) return `${text.slice(0, lineStart)}${text.slice(lineEnd + 1)}`;
  const spaces = /^[ \t]*/.exec(text.slice(end))![0].length;
  const before = /,\s*$/.exec(text.slice(0, start));
  if (text[end + spaces] === "}" && before) {
    // The last property before the brace: the comma before it goes, the space before the brace stays.
    return `${text.slice(0, start - before[0].length)}${text.slice(literal.entry.end).replace(/^\s*,/, "")}`;
  }
  return `${text.slice(0, start)}${text.slice(end + spaces)}`;
}

function indentOf(text: string, offset: number): string {
  const lineStart = text.lastIndexOf("\n", offset) + 1;
  return /^\s*/.exec(text.slice(lineStart))![0];
}

function indentAfter(text: string, brace: number): string {
  const next = text.indexOf("\n", brace) + 1;
  return /^\s*/.exec(text.slice(next))![0];
}

function propertyName(ts: TS, name: import("ts-morph").ts.PropertyName): string | undefined {
  return ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) ? name.text : undefined;
}

function unwrap(ts: TS, node: Node | undefined): Node | undefined {
  while (node && (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node))) node = node.expression;
  return node;
}
