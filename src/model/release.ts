/**
 * The shapes a release takes: a semver tag ("1.6.3", "v2.0.0-rc.1"), a
 * digest ("sha256:<64 hex>"), a tag pinned by digest ("1.10@sha256:<64 hex>",
 * readable and immutable), or — where the platform allows it — a plain tag
 * ("1.10", "2024-06-01").
 */
// A pre-release is dot-separated identifiers, none empty (semver.org, item 9): "1.8.0-rc..1" and
// "1.8.0-rc." are not semver, so not taken for immutable; they are plain tags. No "+build": image tags cannot hold "+".
const SEMVER = /^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export interface ParsedRelease {
  readonly tag?: string;
  readonly digest?: string;
}

/** The tag and digest of a release, or undefined when it is none of the shapes above. */
export function parseRelease(release: string): ParsedRelease | undefined {
  if (DIGEST.test(release)) return { digest: release };
  const at = release.indexOf("@");
  if (at !== -1) {
    const tag = release.slice(0, at);
    const digest = release.slice(at + 1);
    return TAG.test(tag) && DIGEST.test(digest) ? { tag, digest } : undefined;
  }
  return TAG.test(release) ? { tag: release } : undefined;
}

/** Immutable by itself: a semver tag, a digest, or a tag pinned by digest. */
export function isPinned(release: string): boolean {
  const parsed = parseRelease(release);
  return parsed !== undefined && (parsed.digest !== undefined || SEMVER.test(parsed.tag!));
}

/** The image reference a release makes: repository:tag, repository@digest or repository:tag@digest. */
export function imageReference(image: string, release: string): string {
  const { tag, digest } = parseRelease(release) ?? { tag: release };
  return `${image}${tag !== undefined ? `:${tag}` : ""}${digest !== undefined ? `@${digest}` : ""}`;
}
