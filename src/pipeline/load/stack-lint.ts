import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { SluiceError } from "../../errors.js";
import type { Diagnostic } from "../../model/diagnostic.js";

/**
 * Mistakes in a stack's source that leave no trace in the values it exports,
 * so that no later stage could see them: `env: { __proto__: "x" }` sets the
 * object's prototype instead of adding a key, and the setting silently
 * vanishes. Only files whose text mentions `__proto__` are parsed.
 */
export function lintStacks(root: string, files: readonly string[]): void {
  const diagnostics: Diagnostic[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(path.resolve(root, file), "utf8");
    } catch {
      continue;
    }
    if (!text.includes("__proto__")) continue;
    const { ts } = createRequire(import.meta.url)("ts-morph") as typeof import("ts-morph");
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    const visit = (node: import("ts-morph").ts.Node): void => {
      if (
        ts.isPropertyAssignment(node) &&
        ts.isObjectLiteralExpression(node.parent) &&
        (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name)) &&
        node.name.text === "__proto__"
      ) {
        const { line, character } = source.getLineAndCharacterOfPosition(node.getStart(source));
        diagnostics.push({
          code: "load/proto-key",
          message: "`__proto__:` in an object literal sets the object's prototype; it does not add a key, and the value is lost",
          origin: { file, line: line + 1, column: character + 1 },
          hint: "remove it: a key named __proto__ cannot be written to Kubernetes either",
        });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  if (diagnostics.length > 0)
    throw new SluiceError("A stack declares something that would silently vanish; nothing was written.", diagnostics);
}
