import type { CelRule } from "../../src/sdk.js";

// An image reference: [registry[:port]/]path[:tag][@sha256:digest]. The tag is
// what follows the last ':' after the last '/'; a digest makes it immutable.

/** No `latest`, no missing tag: what runs must be what was reviewed. */
export const noMutableImage = {
  id: "no-mutable-image",
  description: "Every container image names a tag other than `latest`, or a digest.",
  severity: "error",
  on: "container",
  check:
    "container.image.contains('@sha256:') || (container.image.substring(container.image.lastIndexOf('/') + 1).contains(':') && !container.image.endsWith(':latest'))",
  message: "the image has no tag or uses `latest`, which moves: pin a version or a digest",
  field: ".image",
  hint: 'set a release such as "1.6.3" (or "sha256:<digest>") for the wave; in a raw object, write image: <repository>:<version>',
} satisfies CelRule;

/** In production, exactly the version that was tested elsewhere: a full semver tag or a digest. */
export const immutableReleaseInProduction = {
  id: "immutable-release-in-production",
  description:
    "In production, every container image is pinned to a full version tag (1.6.3) or a digest, never a floating tag such as `1.6` or `stable`.",
  // Off outside production: a dev cluster may follow a moving tag.
  severity: "off",
  production: "error",
  on: "container",
  check:
    "container.image.contains('@sha256:') || container.image.substring(container.image.lastIndexOf('/') + 1).matches(':v?[0-9]+[.][0-9]+[.][0-9]+(-[0-9A-Za-z-]+([.][0-9A-Za-z-]+)*)?$')",
  message: "production runs a floating tag: pin a full version (x.y.z) or a digest",
  field: ".image",
  hint: "promote an exact release (sluice promote <app>) rather than a tag that moves",
} satisfies CelRule;

/** Only images from the registries the platform trusts (`policy.registries`). */
export const approvedRegistries = {
  id: "approved-registries",
  description:
    "Every container image comes from one of the platform's approved registries (`policy.registries`); with none listed, any registry is allowed.",
  severity: "error",
  on: "container",
  variables: (context) => ({ registries: [...context.registries] }),
  check: "size(variables.registries) == 0 || variables.registries.exists(r, container.image.startsWith(r))",
  message: "the image is not from an approved registry",
  field: ".image",
  hint: "use an image from a registry in the platform's policy.registries, or ask the platform team to approve the registry",
} satisfies CelRule;
