import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { SluiceError } from "../errors.js";
import type { AppModel } from "../model/model.js";

type TS = typeof import("ts-morph").ts;

/**
 * The text of a new release file, <stacks>/releases/<wave>/<app>.ts, that
 * sets `wave`'s release of `app`. It imports the platform the way the app's
 * own stack does (the same binding, the path rewritten from the new file), so
 * the release is typed against the same waves.
 */
export function releaseFileText(
  appText: string,
  app: Pick<AppModel, "name" | "origin">,
  file: string,
  wave: string,
  version: string,
): string {
  const platform = platformImport(appText, app, file);
  const key = /^[A-Za-z_$][\w$]*$/.test(wave) ? wave : JSON.stringify(wave);
  return [
    `// The release of ${app.name} in the ${wave} wave, kept in a file of its own so that`,
    `// CODEOWNERS can give it to the wave's approvers. \`sluice promote\` edits it.`,
    platform.statement,
    "",
    `export default ${platform.local}.release(${JSON.stringify(app.name)}, { ${key}: ${JSON.stringify(version)} });`,
    "",
  ].join("\n");
}

/**
 * How a new stack file, `file`, imports the platform that `app`'s stack
 * calls `.app()` on: the same binding, the path rewritten from the new file,
 * so that what the file declares is typed against the same platform.
 */
export function platformImport(
  appText: string,
  app: Pick<AppModel, "name" | "origin">,
  file: string,
): { readonly statement: string; readonly local: string } {
  const binding = platformBinding(appText, app);
  const specifier = binding.from.startsWith(".") ? relativeSpecifier(app.origin.file, binding.from, file) : binding.from;
  return { statement: `import ${binding.clause} from ${JSON.stringify(specifier)};`, local: binding.local };
}

interface Binding {
  /** The name the app's stack calls `.app()` on. */
  readonly local: string;
  /** The import clause that binds it ("{ platform }", "{ fleet as platform }", "platform"). */
  readonly clause: string;
  /** The module it comes from, as written. */
  readonly from: string;
}

/**
 * How the app's stack gets the platform it calls `.app()` on: an import
 * (named or default), or its own export when the platform is declared in
 * the same file.
 */
function platformBinding(text: string, app: Pick<AppModel, "name" | "origin">): Binding {
  const ts = typescript();
  const source = ts.createSourceFile(app.origin.file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  let local: string | undefined;
  const visit = (node: import("ts-morph").ts.Node): void => {
    if (local !== undefined) return;
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.name.text === "app" &&
      ts.isIdentifier(node.expression.expression)
    ) {
      const [first] = node.arguments;
      if (first && ts.isStringLiteralLike(first) && first.text === app.name) {
        local = node.expression.expression.text;
        return;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  if (local === undefined) throw cannotWrite(app, `${app.origin.file} does not declare ${app.name} as <platform>.app("${app.name}", …)`);
  for (const statement of source.statements) {
    if (
      ts.isImportDeclaration(statement) &&
      statement.importClause &&
      !statement.importClause.isTypeOnly &&
      ts.isStringLiteral(statement.moduleSpecifier)
    ) {
      const from = statement.moduleSpecifier.text;
      const clause = statement.importClause;
      if (clause.name?.text === local) return { local, clause: local, from };
      const named =
        clause.namedBindings && ts.isNamedImports(clause.namedBindings)
          ? clause.namedBindings.elements.find((element) => element.name.text === local)
          : undefined;
      if (named) return { local, clause: named.propertyName ? `{ ${named.propertyName.text} as ${local} }` : `{ ${local} }`, from };
    }
    if (
      ts.isVariableStatement(statement) &&
      statement.declarationList.declarations.some((d) => ts.isIdentifier(d.name) && d.name.text === local)
    ) {
      const exported = statement.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword);
      if (!exported)
        throw cannotWrite(
          app,
          `the platform ${local} is declared in ${app.origin.file} but not exported, so a release file cannot import it`,
        );
      return { local, clause: `{ ${local} }`, from: `./${path.posix.basename(app.origin.file).replace(/\.(m?)ts$/, ".$1js")}` };
    }
  }
  throw cannotWrite(app, `${app.origin.file} does not import ${local} by name`);
}

/** `specifier`, written in `fromFile`, as `toFile` must write it (both relative to the project root). */
function relativeSpecifier(fromFile: string, specifier: string, toFile: string): string {
  const target = path.posix.join(path.posix.dirname(fromFile), specifier);
  const relative = path.posix.relative(path.posix.dirname(toFile), target);
  return relative.startsWith(".") ? relative : `./${relative}`;
}

function cannotWrite(app: Pick<AppModel, "name" | "origin">, why: string): SluiceError {
  return new SluiceError(`Cannot write a stack file for ${app.name} (a release or preview record); nothing was changed.`, [
    {
      code: "promote/release-file",
      message: why,
      origin: app.origin,
      hint: `write it by hand, with platform imported from your platform stack: export default platform.release("${app.name}", { <wave>: "<release>" }), or platform.preview(<number>, "${app.name}", { sha: "<commit>" })`,
    },
  ]);
}

let loaded: TS | undefined;
function typescript(): TS {
  loaded ??= (createRequire(import.meta.url)("ts-morph") as typeof import("ts-morph")).ts;
  return loaded;
}

/**
 * Writes a file that did not exist, creating its directories, and returns
 * what undoes it: the file and every directory made for it removed.
 */
export function createFile(full: string, text: string): () => void {
  let made: string | undefined;
  for (let dir = path.dirname(full); !fs.existsSync(dir); dir = path.dirname(dir)) made = dir;
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(full, text, { flag: "wx" });
  return () => {
    fs.rmSync(full, { force: true });
    if (made) fs.rmSync(made, { recursive: true, force: true });
  };
}
