/** Levenshtein distance, for "did you mean" hints on names a person typed. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The candidate a typo most likely meant: the nearest within a third of the
 * name's length (at least 2 edits), else the only one that the name is the
 * first word of ("checkout" for "checkout-web"), or undefined. Ties go to the
 * first in sorted order, so the hint is the same on every run.
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(2, Math.floor(name.length / 3));
  let best: { name: string; distance: number } | undefined;
  for (const candidate of [...candidates].sort()) {
    if (candidate === name) continue;
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance <= limit && (!best || distance < best.distance)) best = { name: candidate, distance };
  }
  if (best) return best.name;
  const extended = [...candidates].filter((candidate) => candidate.startsWith(`${name}-`));
  return extended.length === 1 ? extended[0] : undefined;
}

/** A hint for a name that is not declared: the likely one, or the choices when there are few. */
export function nameHint(name: string, candidates: readonly string[], otherwise: string): string {
  const close = closestName(name, candidates);
  if (close) return `did you mean ${JSON.stringify(close)}?`;
  return candidates.length > 0 && candidates.length <= 12 ? `use one of: ${[...candidates].sort().join(", ")}` : otherwise;
}
