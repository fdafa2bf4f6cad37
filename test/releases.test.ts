/**
 * Releases people really use (issue 11): a tag pinned by digest deploys
 * as it reads; a plain tag that is not semver is refused, naming the rule,
 * unless the platform allows plain tags for that registry and environment.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { synth } from "sluice";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { copyProject, type Project } from "./helpers/project.js";
import { GATED_WAVES, releaseFileText } from "./helpers/releases.js";
import { edit, lineOf, rejection } from "./helpers/stack-edit.js";

let base: Project;
beforeAll(() => {
  base = synthesizedExample();
});

const DIGEST = `sha256:${"4f1c9a7e".repeat(8)}`;

/**
 * catalog-api, served from registry.k8s.io/echoserver with this release in
 * every wave: dev's and staging's in its stack, one a line; the gated waves'
 * in their release files.
 */
function echoserver(p: Project, release: string): void {
  edit(p, "stacks/catalog-api.ts", 'image: "registry.example.com/storefront/catalog-api"', 'image: "registry.k8s.io/echoserver"');
  edit(p, "stacks/platform.ts", 'registries: ["registry.example.com/"],', 'registries: ["registry.example.com/", "registry.k8s.io/"],');
  edit(
    p,
    "stacks/catalog-api.ts",
    'release: { dev: "2.4.1", staging: "2.4.1" },',
    `release: {\n    dev: "${release}",\n    staging: "${release}",\n  },`,
  );
  for (const wave of GATED_WAVES) p.write(`stacks/releases/${wave}/catalog-api.ts`, releaseFileText("catalog-api", wave, release));
}

/** Where a wave's release of catalog-api is written: its file and line. */
function written(p: Project, wave: string, release: string): { file: string; line: number } {
  const gated = (GATED_WAVES as readonly string[]).includes(wave);
  const file = gated ? `stacks/releases/${wave}/catalog-api.ts` : "stacks/catalog-api.ts";
  const key = wave === "prod-canary" ? '"prod-canary"' : wave;
  return { file, line: lineOf(p.read(file), `${gated ? "" : "    "}${key}: "${release}"`) };
}

describe("releases", () => {
  it("echoserver:1.10@sha256:… deploys: readable and immutable, everywhere", async () => {
    const p = copyProject(base);
    echoserver(p, `1.10@${DIGEST}`);
    await synth({ root: p.root, skipTypecheck: true });
    const manifest = p.read("out/apps/catalog-api/prod-us-1/manifest.yaml");
    expect(manifest).toContain(`image: registry.k8s.io/echoserver:1.10@${DIGEST}`);
    expect(manifest).toContain('app.kubernetes.io/version: "1.10"');
  });

  it("plain 1.10 is refused in production, naming the rule that would allow it and how", async () => {
    const p = copyProject(base);
    echoserver(p, "1.10");
    const found = await rejection(synth({ root: p.root, skipTypecheck: true }));
    expect(found.map((d) => ({ code: d.code, file: d.origin?.file, line: d.origin?.line }))).toEqual(
      ["dev", "staging", "prod-canary", "prod"].map((wave) => ({ code: "validate/moving-tag", ...written(p, wave, "1.10") })),
    );
    expect(found[3]!.message).toBe(
      'release "1.10" is a plain tag, which can move, and no platform rule (releases.allowTags) allows plain tags for registry.k8s.io/echoserver in prod',
    );
    expect(found[3]!.hint).toBe(
      'pin it by digest, readable and immutable: "1.10@sha256:<digest>"; or let the platform allow plain tags there: releases: { allowTags: [{ registry: "registry.k8s.io/", environments: ["prod"], reason: "<why>" }] }',
    );
  });

  it("plain 1.10 is allowed where the platform allows it (dev), and still refused in prod", async () => {
    const p = copyProject(base);
    edit(
      p,
      "stacks/platform.ts",
      "  policy: {\n",
      '  releases: { allowTags: [{ registry: "registry.k8s.io/", environments: ["dev"], reason: "upstream test images are tagged 1.10, not semver" }] },\n  policy: {\n',
    );
    echoserver(p, "1.10");
    const found = await rejection(synth({ root: p.root, skipTypecheck: true }));
    expect(found.map((d) => ({ file: d.origin?.file, line: d.origin?.line }))).toEqual(
      ["staging", "prod-canary", "prod"].map((wave) => written(p, wave, "1.10")),
    );
    expect(found[2]!.message).toContain("(releases.allowTags[0] allows plain tags from registry.k8s.io/ in dev only)");
    // Only dev runs the plain tag.
    edit(p, "stacks/catalog-api.ts", '    staging: "1.10",\n', `    staging: "1.10@${DIGEST}",\n`);
    for (const wave of GATED_WAVES)
      p.write(`stacks/releases/${wave}/catalog-api.ts`, releaseFileText("catalog-api", wave, `1.10@${DIGEST}`));
    await synth({ root: p.root, skipTypecheck: true });
    expect(p.read("out/apps/catalog-api/dev-1/manifest.yaml")).toMatch(/image: "?registry\.k8s\.io\/echoserver:1\.10"?\n/);
  });

  it("latest is never a release, whatever the platform allows", async () => {
    const p = copyProject(base);
    edit(
      p,
      "stacks/platform.ts",
      "  policy: {\n",
      '  releases: { allowTags: [{ reason: "anything goes, on purpose, for this test" }] },\n  policy: {\n',
    );
    echoserver(p, "latest");
    const [d] = await rejection(synth({ root: p.root, skipTypecheck: true }));
    expect(d!.message).toMatch(/must be a release/);
  });
});
