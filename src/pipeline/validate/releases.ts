import type { Diagnostic } from "../../model/diagnostic.js";
import type { PlatformModel, WaveModel } from "../../model/model.js";
import { childOrigin, type Origin } from "../../model/origin.js";
import { nameHint } from "../../model/spelling.js";
import type { LoadedApp, LoadedRelease } from "../load/index.js";

/** An app as declared, with the releases its release files give it merged into its spec. */
export interface GatheredApp {
  readonly name: string;
  readonly spec: unknown;
  readonly origin: Origin;
  /** Wave → where a release file sets its release (waves set in the app's own stack are not here). */
  readonly releaseOrigins: Readonly<Record<string, Origin>>;
}

export interface GatherOptions {
  /** The stacks directory, relative to the project root: release files live in <stacks>/releases/<wave>/. */
  readonly stacks: string;
  /**
   * What a gated wave's release written in the app's own stack is: an error
   * (the default), or allowed, for the command that moves such releases out.
   */
  readonly inlineGated?: "error" | "allow";
}

/** Where the releases of `wave` are kept, relative to the project root, with a trailing slash. */
export function releaseDirectory(stacks: string, wave: string): string {
  return `${releasesRoot(stacks)}${wave}/`;
}

/** <stacks>/releases/, or releases/ when the stacks are the project root. */
function releasesRoot(stacks: string): string {
  const base = stacks.replace(/\/+$/, "");
  return base === "" || base === "." ? "releases/" : `${base}/releases/`;
}

/** The release file `sluice promote` writes for `app` in `wave`. */
export function releaseFile(stacks: string, wave: string, app: string): string {
  return `${releaseDirectory(stacks, wave)}${app}.ts`;
}

/** Whether a wave's releases need its approvers: its gate names some. */
export function isApproved(wave: WaveModel): boolean {
  return wave.gate.approvers.length > 0;
}

/**
 * Merges the releases declared with platform.release() into their apps'
 * specs, and holds them to where they are written. A wave whose gate names
 * approvers has its releases in <stacks>/releases/<wave>/, as string
 * literals, and nowhere else: that directory is what CODEOWNERS gives to the
 * approvers, so a change to the release needs their review on the forge. A
 * file in <stacks>/releases/<wave>/ sets that wave only, and a wave's release
 * is written once.
 */
export function gatherReleases(
  apps: readonly LoadedApp[],
  releases: readonly LoadedRelease[],
  platform: PlatformModel,
  options: GatherOptions,
): { apps: GatheredApp[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const waves = new Map(platform.waves.map((wave) => [wave.name, wave]));
  const appNames = apps.map((app) => app.name);
  const declared = new Map<string, { wave: string; value: unknown; origin: Origin }[]>();
  for (const release of releases) {
    if (!appNames.includes(release.app)) {
      diagnostics.push({
        code: "validate/release-unknown-app",
        message: `releases are set for app ${JSON.stringify(release.app)}, which no stack declares`,
        origin: release.origin,
        hint: nameHint(release.app, appNames, "name an app declared with platform.app()"),
      });
      continue;
    }
    if (typeof release.releases !== "object" || release.releases === null || Array.isArray(release.releases)) {
      diagnostics.push({
        code: "validate/release-shape",
        message: `the releases of ${release.app} must be an object of wave → release`,
        origin: release.origin,
        hint: `e.g. platform.release("${release.app}", { prod: "1.6.3" })`,
      });
      continue;
    }
    const directory = waveOfDirectory(release.origin.file, options.stacks);
    for (const [wave, value] of Object.entries(release.releases)) {
      const origin = childOrigin(release.origin, wave);
      const known = waves.get(wave);
      if (!known) {
        diagnostics.push({
          code: "validate/unknown-wave",
          message: `release names wave ${JSON.stringify(wave)}, which is not declared`,
          origin,
          hint: nameHint(wave, [...waves.keys()], "use a declared wave"),
        });
        continue;
      }
      if (directory !== undefined && directory !== wave) {
        diagnostics.push({
          code: "validate/release-in-wrong-file",
          message: `${release.origin.file} is in ${releaseDirectory(options.stacks, directory)}, whose files set the ${directory} wave only, but this sets ${wave}`,
          origin,
          hint: `move ${wave}'s release to ${releaseFile(options.stacks, wave, release.app)}`,
        });
        continue;
      }
      if (isApproved(known)) {
        if (directory !== wave) {
          diagnostics.push(gatedOutside(known, release.app, value, origin, options.stacks, "this file"));
          continue;
        }
        if (!release.literal.includes(wave)) {
          diagnostics.push({
            code: "validate/release-not-literal",
            message: `${wave}'s release of ${release.app} is not a string literal written in this call`,
            origin,
            hint: 'write the release itself here, e.g. "1.6.3": a value computed or imported from another file could change without the approvers\' review',
          });
          continue;
        }
      }
      const list = declared.get(release.app) ?? [];
      list.push({ wave, value, origin });
      declared.set(release.app, list);
    }
  }

  const gathered = apps.map((app): GatheredApp => {
    const spec = app.spec;
    const written = typeof spec === "object" && spec !== null && !Array.isArray(spec) ? (spec as { release?: unknown }).release : undefined;
    const inline =
      typeof written === "object" && written !== null && !Array.isArray(written) ? (written as Record<string, unknown>) : undefined;
    if (inline && options.inlineGated !== "allow") {
      for (const [wave, value] of Object.entries(inline)) {
        const known = waves.get(wave);
        if (known && isApproved(known))
          diagnostics.push(
            gatedOutside(known, app.name, value, childOrigin(app.origin, "release", wave), options.stacks, "the app's stack"),
          );
      }
    }
    const fromFiles = declared.get(app.name) ?? [];
    if (fromFiles.length === 0) return { name: app.name, spec, origin: app.origin, releaseOrigins: {} };
    const release: Record<string, unknown> = { ...(inline ?? {}) };
    const releaseOrigins: Record<string, Origin> = {};
    for (const { wave, value, origin } of fromFiles) {
      const first = Object.hasOwn(releaseOrigins, wave)
        ? releaseOrigins[wave]
        : inline && Object.hasOwn(inline, wave)
          ? childOrigin(app.origin, "release", wave)
          : undefined;
      if (first) {
        diagnostics.push({
          code: "validate/release-twice",
          message: `${wave}'s release of ${app.name} is set twice (first at ${first.file}:${first.line})`,
          origin,
          hint: "a wave's release is written in one place; remove one of them",
        });
        continue;
      }
      release[wave] = value;
      releaseOrigins[wave] = origin;
    }
    const isObject = typeof spec === "object" && spec !== null && !Array.isArray(spec);
    return { name: app.name, spec: isObject ? { ...spec, release } : spec, origin: app.origin, releaseOrigins };
  });
  return { apps: gathered, diagnostics };
}

/** The wave whose release directory holds `file`, if any. */
function waveOfDirectory(file: string, stacks: string): string | undefined {
  const prefix = releasesRoot(stacks);
  if (!file.startsWith(prefix)) return undefined;
  const rest = file.slice(prefix.length).split("/");
  return rest.length >= 2 ? rest[0] : undefined;
}

function gatedOutside(wave: WaveModel, app: string, value: unknown, origin: Origin, stacks: string, where: string): Diagnostic {
  const version = typeof value === "string" ? value : "<release>";
  return {
    code: "validate/gated-release-outside",
    message: `${wave.name}'s release of ${app} is written in ${where}, but ${wave.name}'s gate names approvers (${wave.gate.approvers.join(", ")}), and only ${releaseDirectory(stacks, wave.name)} is theirs in CODEOWNERS`,
    origin,
    hint: `keep it in ${releaseFile(stacks, wave.name, app)}: export default platform.release(${JSON.stringify(app)}, { ${propertyKey(wave.name)}: ${JSON.stringify(version)} }); \`sluice split-releases\` moves every such release there`,
  };
}

/** A property name as written in an object literal. */
function propertyKey(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name);
}
