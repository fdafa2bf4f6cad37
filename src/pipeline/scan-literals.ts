import type { Diagnostic } from "../model/diagnostic.js";
import type { Model } from "../model/model.js";
import { childOrigin, formatPath, type Origin } from "../model/origin.js";
import type { Settings } from "../model/settings-schema.js";
import { scanLiteral } from "../secrets/scan.js";

/**
 * Looks for credentials written as plain values where the stacks declare
 * them: environment variables of the platform's environments and clusters,
 * of every app and its overrides, and every string of the apps' raw objects
 * (ConfigMap data, annotations, custom resources) — each literal once,
 * whatever number of clusters it reaches. A finding names the stack line and
 * the property path, and can be waived for that path with a reason
 * (`allowLiterals`), which the env repo's README then lists. Returns the
 * findings and the values waived, which the scan of the output lets through.
 */
export function scanLiterals(model: Pick<Model, "platform" | "apps">): { diagnostics: Diagnostic[]; waived: Set<string> } {
  const diagnostics: Diagnostic[] = [];
  const waived = new Set<string>();
  const report = (owner: Origin, path: (string | number)[], name: string, value: string, waivers: Readonly<Record<string, string>>, where: string) => {
    const finding = scanLiteral(name, value);
    if (!finding) return;
    const key = formatPath(path);
    if (Object.hasOwn(waivers, key)) {
      waived.add(value);
      return;
    }
    diagnostics.push({
      code: "secrets/plaintext",
      message: `${key} looks like a credential written in plain text: ${finding.what} (${finding.rule})`,
      origin: childOrigin(owner, ...path),
      hint: `keep the value in a secret store and read it with secret("<name>", "<key>") from a declared secret; if it is not a secret, waive it on ${where}: allowLiterals: { ${JSON.stringify(key)}: "<why it is not a secret>" }`,
    });
  };
  const scanEnv = (owner: Origin, prefix: (string | number)[], settings: Settings | undefined, waivers: Readonly<Record<string, string>>, where: string) => {
    for (const [name, value] of Object.entries(settings?.env ?? {})) {
      if (typeof value === "string") report(owner, [...prefix, "env", name], name, value, waivers, where);
    }
  };

  const { platform } = model;
  const platformWaivers = platform.secrets.allowLiterals;
  for (const environment of platform.environments) scanEnv(platform.origin, ["environments", environment.name], environment.settings, platformWaivers, "the platform");
  for (const cluster of platform.clusters) scanEnv(platform.origin, ["clusters", cluster.name], cluster.settings, platformWaivers, "the platform");

  for (const app of model.apps) {
    const where = `app ${app.name}`;
    scanEnv(app.origin, [], app.settings, app.allowLiterals, where);
    for (const [name, settings] of Object.entries(app.environmentOverrides)) scanEnv(app.origin, ["environments", name], settings, app.allowLiterals, where);
    for (const [name, settings] of Object.entries(app.clusterOverrides)) scanEnv(app.origin, ["clusters", name], settings, app.allowLiterals, where);
    app.objects.forEach(({ object }, index) => {
      walkStrings(object, ["objects", index], (path, name, value) => {
        if (isExempt(object.kind, path.slice(2))) return;
        report(app.origin, path, name, value, app.allowLiterals, where);
      });
    });
  }
  return { diagnostics, waived };
}

/** Strings that are not secrets whatever their name (ciphertext), or that the Secret rule judges whole (see check-plaintext.ts). */
function isExempt(kind: string, path: readonly (string | number)[]): boolean {
  if (kind === "SealedSecret") return path[0] === "spec" && path[1] === "encryptedData";
  if (kind === "Secret") return path[0] === "data" || path[0] === "stringData";
  return false;
}

/**
 * Every string below `value` with the name it is written under (the nearest
 * property name; for an array item, its array's). Iterative, so no input can
 * exhaust the stack; validate-values has already refused cycles and depth.
 */
function walkStrings(value: unknown, base: (string | number)[], visit: (path: (string | number)[], name: string, value: string) => void): void {
  const stack: { value: unknown; path: (string | number)[]; name: string }[] = [{ value, path: base, name: "" }];
  while (stack.length > 0) {
    const { value: current, path, name } = stack.pop()!;
    if (typeof current === "string") visit(path, name, current);
    else if (Array.isArray(current)) current.forEach((item, i) => stack.push({ value: item, path: [...path, i], name }));
    else if (typeof current === "object" && current !== null) {
      for (const [key, child] of Object.entries(current)) stack.push({ value: child, path: [...path, key], name: key });
    }
  }
}
