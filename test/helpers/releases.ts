import type { Project } from "./project.js";

/** The waves of the example platform whose gate names approvers: their releases live in release files. */
export const GATED_WAVES = ["prod-canary", "prod"] as const;

/**
 * Sets an app's releases as a person would write them in the example's
 * layout: the ungated waves in the `release` object of the app's stack
 * (written on one line, as the examples do), each gated wave in its release
 * file stacks/releases/<wave>/<app>.ts (removed for a wave left out).
 * Fixture setup only: the behaviour under test reads these files back.
 */
export function setReleases(
  project: Project,
  app: string,
  releases: Readonly<Record<string, string>>,
  options: { readonly file?: string; readonly gated?: readonly string[]; readonly platformImport?: string } = {},
): void {
  const file = options.file ?? `stacks/${app}.ts`;
  const gated = new Set(options.gated ?? GATED_WAVES);
  const key = (wave: string) => (/^[A-Za-z_$][\w$]*$/.test(wave) ? wave : JSON.stringify(wave));
  const inline = Object.entries(releases).filter(([wave]) => !gated.has(wave));
  const text = project.read(file);
  const pattern = /release: \{[^}]*\}/;
  if (!pattern.test(text)) throw new Error(`no one-line release object in ${file}`);
  project.write(
    file,
    text.replace(pattern, () => `release: { ${inline.map(([wave, version]) => `${key(wave)}: ${JSON.stringify(version)}`).join(", ")} }`),
  );
  for (const wave of gated) {
    const releaseFile = `stacks/releases/${wave}/${app}.ts`;
    if (!Object.hasOwn(releases, wave)) {
      if (project.exists(releaseFile)) project.remove(releaseFile);
      continue;
    }
    project.write(releaseFile, releaseFileText(app, wave, releases[wave]!, options.platformImport));
  }
}

/** A release file as `sluice promote` writes one for the example's layout. */
export function releaseFileText(app: string, wave: string, version: string, platformImport = "../../platform.js"): string {
  const key = /^[A-Za-z_$][\w$]*$/.test(wave) ? wave : JSON.stringify(wave);
  return `import { platform } from ${JSON.stringify(platformImport)};\n\nexport default platform.release(${JSON.stringify(app)}, { ${key}: ${JSON.stringify(version)} });\n`;
}

/** The release a gated wave's file sets, read back from its text. */
export function releaseInFile(project: Project, app: string, wave: string): string | undefined {
  const file = `stacks/releases/${wave}/${app}.ts`;
  if (!project.exists(file)) return undefined;
  const match = /:\s*"([^"]+)"\s*\}\s*\)/.exec(project.read(file));
  return match?.[1];
}

/** Deletes an app as a person would: its stack stacks/<app>.ts and its release files. */
export function removeApp(project: Project, app: string): void {
  project.remove(`stacks/${app}.ts`);
  for (const wave of GATED_WAVES) project.remove(`stacks/releases/${wave}/${app}.ts`);
}

/** Renames an app in its release files, as a person renaming the app in its stack would: `platform.release("<app>"` becomes `platform.release("<name>"`. */
export function renameInReleaseFiles(project: Project, app: string, name: string): void {
  for (const wave of GATED_WAVES) {
    const file = `stacks/releases/${wave}/${app}.ts`;
    if (!project.exists(file)) continue;
    const text = project.read(file);
    const from = `platform.release(${JSON.stringify(app)}`;
    if (!text.includes(from)) throw new Error(`no ${from} in ${file}`);
    project.write(
      file,
      text.replace(from, () => `platform.release(${JSON.stringify(name)}`),
    );
  }
}
