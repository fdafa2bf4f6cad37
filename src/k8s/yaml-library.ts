import { createRequire } from "node:module";
import type * as Yaml from "yaml";

let library: typeof Yaml | undefined;

/**
 * The yaml library, loaded on first use. Its 72 modules are a tenth of a
 * run's start-up, and most runs parse no YAML: sluice writes its own
 * (yaml.ts), and only SOPS files, a cached SOPS Secret and `sluice diff`'s
 * old side are read back.
 */
export function yamlLibrary(): typeof Yaml {
  library ??= createRequire(import.meta.url)("yaml") as typeof Yaml;
  return library;
}
