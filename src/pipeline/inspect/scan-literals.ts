import type { Diagnostic } from "../../model/diagnostic.js";
import type { Model } from "../../model/model.js";
import { childOrigin, formatPath, type Origin } from "../../model/origin.js";
import type { Settings } from "../../model/settings-schema.js";
import { scanArguments, scanLiteral, type ScanFinding } from "../../secrets/scan.js";

/**
 * Looks for credentials written as plain values where the stacks declare
 * them: environment variables, command lines (the app's container's and its sidecars' and init containers') and files of the platform's
 * environments and clusters, of every app and its overrides, every string of
 * the apps' and the platform's raw objects (ConfigMap data, annotations,
 * container args, custom resources) and of the components' Helm values —
 * everything the stacks send to out/ — each literal once,
 * whatever number of clusters it reaches. A finding names the stack line and
 * the property path, and can be waived for that path with a reason
 * (`allowLiterals`), which the env repo's README then lists. Returns the
 * findings and the values waived, which the scan of the output lets through.
 */
export function scanLiterals(model: Pick<Model, "platform" | "apps">): { diagnostics: Diagnostic[]; waived: Set<string> } {
  const diagnostics: Diagnostic[] = [];
  const waived = new Set<string>();
  const seen = new Set<string>();
  const report = (
    owner: Origin,
    path: (string | number)[],
    name: string,
    value: string,
    waivers: Readonly<Record<string, string>>,
    where: string,
    found?: ScanFinding,
  ) => {
    const finding = found ?? scanLiteral(name, value);
    if (!finding) return;
    const key = formatPath(path);
    // An argument is judged twice (as a string, and on its command line): one finding is enough.
    const seenKey = `${owner.file}\0${formatPath(owner.path)}\0${key}`;
    if (seen.has(seenKey)) return;
    seen.add(seenKey);
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
  const scanEnv = (
    owner: Origin,
    prefix: (string | number)[],
    settings: Pick<Settings, "env" | "command" | "args" | "files" | "sidecars" | "initContainers"> | undefined,
    waivers: Readonly<Record<string, string>>,
    where: string,
  ): void => {
    // The containers beside the app's have env and command lines of their own.
    for (const list of ["sidecars", "initContainers"] as const)
      for (const [name, { env, command, args }] of Object.entries(settings?.[list] ?? {}))
        scanEnv(owner, [...prefix, list, name], { env, command, args }, waivers, where);
    // A file's text is judged under its file name, as an env var's value is under the variable's.
    for (const [file, text] of Object.entries(settings?.files ?? {}))
      report(owner, [...prefix, "files", file], file.slice(file.lastIndexOf("/") + 1), text, waivers, where);
    for (const [name, value] of Object.entries(settings?.env ?? {})) {
      if (typeof value === "string") report(owner, [...prefix, "env", name], name, value, waivers, where);
    }
    for (const field of ["command", "args"] as const) {
      const list = settings?.[field];
      if (!list) continue;
      list.forEach((value, index) => report(owner, [...prefix, field, index], field, value, waivers, where));
      for (const { index, finding } of scanArguments(list))
        report(owner, [...prefix, field, index], field, list[index]!, waivers, where, finding);
    }
  };
  /** Every string of an object or a values tree, and the command lines in it. */
  const scanTree = (
    owner: Origin,
    base: (string | number)[],
    tree: unknown,
    kind: string | undefined,
    waivers: Readonly<Record<string, string>>,
    where: string,
  ) => {
    walkStrings(tree, base, (path, name, value) => {
      if (kind !== undefined && isExempt(kind, path.slice(base.length))) return;
      report(owner, path, name, value, waivers, where);
    });
    walkArgumentLists(tree, base, (path, list) => {
      for (const { index, finding } of scanArguments(list))
        report(owner, [...path, index], path.at(-1) as string, list[index]!, waivers, where, finding);
    });
  };

  const { platform } = model;
  const platformWaivers = platform.secrets.allowLiterals;
  for (const environment of platform.environments)
    scanEnv(platform.origin, ["environments", environment.name], environment.settings, platformWaivers, "the platform");
  for (const cluster of platform.clusters)
    scanEnv(platform.origin, ["clusters", cluster.name], cluster.settings, platformWaivers, "the platform");
  // The platform's own objects and its components' Helm values reach out/ too.
  platform.objects.forEach(({ object }, index) =>
    scanTree(platform.origin, ["objects", index], object, object.kind, platformWaivers, "the platform"),
  );
  for (const component of platform.components) {
    scanTree(platform.origin, ["components", component.name, "values"], component.values, undefined, platformWaivers, "the platform");
    for (const [environment, values] of Object.entries(component.environmentValues)) {
      scanTree(
        platform.origin,
        ["components", component.name, "environments", environment, "values"],
        values,
        undefined,
        platformWaivers,
        "the platform",
      );
    }
  }

  for (const app of model.apps) {
    const where = `app ${app.name}`;
    scanEnv(app.origin, [], app.settings, app.allowLiterals, where);
    for (const [name, settings] of Object.entries(app.environmentOverrides))
      scanEnv(app.origin, ["environments", name], settings, app.allowLiterals, where);
    for (const [name, settings] of Object.entries(app.clusterOverrides))
      scanEnv(app.origin, ["clusters", name], settings, app.allowLiterals, where);
    app.objects.forEach(({ object }, index) => scanTree(app.origin, ["objects", index], object, object.kind, app.allowLiterals, where));
  }
  return { diagnostics, waived };
}

/** Strings that are not secrets whatever their name (ciphertext), or that the Secret rule judges whole (see plaintext.ts). */
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
function walkStrings(
  value: unknown,
  base: (string | number)[],
  visit: (path: (string | number)[], name: string, value: string) => void,
): void {
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

/** Every list of strings under a key "command" or "args" (a container's command line) below `value`, with its path. */
function walkArgumentLists(
  value: unknown,
  base: (string | number)[],
  visit: (path: (string | number)[], list: readonly string[]) => void,
): void {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: base }];
  while (stack.length > 0) {
    const { value: current, path } = stack.pop()!;
    if (Array.isArray(current)) current.forEach((item, i) => stack.push({ value: item, path: [...path, i] }));
    else if (typeof current === "object" && current !== null) {
      for (const [key, child] of Object.entries(current)) {
        if ((key === "command" || key === "args") && Array.isArray(child) && child.every((item) => typeof item === "string"))
          visit([...path, key], child as string[]);
        else stack.push({ value: child, path: [...path, key] });
      }
    }
  }
}
