import type { z } from "zod";

/**
 * What the model knows of a GitOps engine before any of it renders: its
 * name, its settings and where it runs. The platform schema, the model's
 * types, the CLI's choices, `sluice init` and the reserved namespaces are
 * built from the declarations in registry.ts, which load no renderer: the
 * renderer (an `Engine`, see engine.ts) is behind `load`, which the engines'
 * entry (index.ts) awaits once. A declaration is the engine folder's
 * declaration.ts; it imports zod and the model's leaves, never the stages.
 */
export interface EngineDeclaration<Name extends string = string, Settings extends z.ZodType = z.ZodType, Renderer = unknown> {
  /** Its name in stacks (`engine: "argocd"`) and the key of its settings at the platform's top level. */
  readonly name: Name;
  /** How people call it: "Argo CD", "Flux". */
  readonly title: string;
  /**
   * Its settings as a platform writes them under its name (`argocd: { namespace }`),
   * parsed to what the model carries (`engineSettings[name]`): defaults filled in,
   * so that parsing `undefined` gives the settings of a platform that writes none.
   * Its `.describe()` text is the field's line in docs/reference.md.
   */
  readonly settings: Settings;
  /** The namespace it runs in with these settings: no team may own it. */
  namespace(settings: z.output<Settings>): string;
  /** Its renderer, loaded when the stages first need the engines (index.ts). */
  load(): Promise<Renderer>;
}

/** The namespace an engine runs in when the platform gives it no settings (what `sluice init` keeps free of teams). */
export function defaultNamespace(declaration: EngineDeclaration): string {
  return declaration.namespace(declaration.settings.parse(undefined));
}

/**
 * An engine's settings in a platform (the model's or an instance's view), as
 * its declaration parsed them. The model's type lists the registered engines;
 * an engine reads its own settings through this whatever that list holds (a
 * test's engine is not in it).
 */
export function settingsOf<Settings extends z.ZodType>(
  declaration: EngineDeclaration<string, Settings>,
  platform: { readonly engineSettings: object },
): z.output<Settings> {
  return (platform.engineSettings as Readonly<Record<string, z.output<Settings>>>)[declaration.name]!;
}
