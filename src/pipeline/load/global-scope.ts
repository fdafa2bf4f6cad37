/**
 * Whether a stack file can change the types other files see without being
 * imported by them: a global augmentation, an ambient module or namespace, a
 * reference directive, or a script (no import or export: everything it
 * declares is global). A change to such a file is type-checked with every
 * stack, from scratch.
 */
export function reachesOthers(text: string): boolean {
  return /\bdeclare\s+(?:global|module|namespace)\b|\/\/\/\s*<reference\b/.test(text) || !/^\s*(?:import|export)\b/m.test(text);
}
