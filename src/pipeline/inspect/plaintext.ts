import { instanceOfFile } from "../../model/layout.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import type { PlatformModel } from "../../model/model.js";
import { childOrigin } from "../../model/origin.js";
import type { PlannedFile } from "../../model/plan.js";
import type { RenderedObject } from "../../model/rendered.js";
import { scanText } from "../../secrets/scan.js";

/**
 * A Secret with `data` or `stringData` puts its value in the env repo: base64
 * is an encoding, not encryption, and git keeps it forever. Refused wherever
 * it comes from (a raw object, a blueprint, the platform's own objects),
 * unless the platform allows that one Secret by "<app>/<name>" (for its own
 * objects, "platform/<name>") with a reason.
 */
export function inspectSecretObjects(platform: PlatformModel, objects: readonly RenderedObject[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  // The platform's own objects are judged once, not per cluster, and allowed as "platform/<name>".
  const own = platform.objects.map(({ object, origin }) => ({
    object,
    origin,
    path: `platform/${object.metadata.name}`,
    verbatim: undefined,
  }));
  for (const { object, origin, path, verbatim } of [...own, ...objects.filter((o) => !o.path.endsWith("/platform/objects.yaml"))]) {
    // A SOPS file delivered as it is: every value in it is encrypted (validate/sops.ts).
    if (object.apiVersion !== "v1" || object.kind !== "Secret" || verbatim !== undefined) continue;
    const field = (["data", "stringData"] as const).find((key) => hasEntries(object[key]));
    if (!field) continue;
    const app = path.startsWith("apps/") ? (instanceOfFile(path)?.app ?? "") : path.startsWith("platform/") ? "platform" : "";
    const id = `${app}/${object.metadata.name}`;
    if (Object.hasOwn(platform.secrets.allowSecrets, id)) continue;
    diagnostics.push({
      code: "secrets/plaintext-secret",
      message: `Secret ${object.metadata.name} (${path}) carries its ${field} in the env repo; base64 is not encryption and git keeps every version`,
      origin: childOrigin(origin, field),
      hint: `declare the secret instead, e.g. secrets: { db: externalSecret({ key: "<path in the store>" }) } and env: { DB_PASSWORD: secret("db", "password") }; if it holds nothing secret (a public CA bundle), the platform can allow it: allowSecrets: { ${JSON.stringify(id)}: "<why>" }`,
    });
  }
  return diagnostics;
}

/**
 * The last look: every line of every file about to be written, for
 * credentials that are unmistakable whatever their name (private keys, cloud
 * and forge tokens, JWTs, URLs with a password), so that nothing a blueprint
 * or an escape-hatch object builds can carry one past the checks on the
 * stacks. Values waived there (`waived`) are let through here too.
 */
export function scanRenderedFiles(files: readonly PlannedFile[], waived: ReadonlySet<string>): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const file of files) {
    const findings = scanText(file.content);
    if (findings.length === 0) continue;
    const lines = file.content.split("\n");
    for (const finding of findings) {
      const text = lines[finding.line - 1] ?? "";
      if ([...waived].some((value) => text.includes(value.split("\n")[0]!))) continue;
      const document = documentAt(lines, finding.line);
      const object = file.objects[document];
      diagnostics.push({
        code: "secrets/plaintext-output",
        message: `${file.path} line ${finding.line}${object ? ` (${object.kind} ${object.name})` : ""} would carry a credential in plain text: ${finding.what} (${finding.rule})`,
        ...(object?.origin ? { origin: object.origin } : {}),
        hint: "keep the value in a secret store and reference it; sluice writes references, never values",
      });
    }
  }
  return diagnostics;
}

/** The 0-based YAML document of a 1-based line: documents are separated by "---" lines. */
function documentAt(lines: readonly string[], line: number): number {
  let document = 0;
  for (let i = 0; i < line - 1; i++) if (lines[i] === "---") document++;
  return document;
}

function hasEntries(value: unknown): boolean {
  return typeof value === "object" && value !== null && Object.keys(value).length > 0;
}
