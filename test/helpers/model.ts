import type { LoadedStacks } from "../../src/pipeline/load/load.js";

/** A small valid platform, as a stack would declare it, for stage tests that need no files. */
export function platformSpec(): Record<string, unknown> {
  return {
    envRepo: { url: "https://git.example.com/env.git" },
    engine: "argocd",
    owners: ["@acme/platform"],
    environments: {
      dev: { replicas: 1, resources: { requests: { cpu: "50m" } }, env: { LOG_LEVEL: "debug" }, sync: { prune: true } },
      prod: { replicas: 3, resources: { requests: { cpu: "250m" }, limits: { cpu: "1" } }, env: { LOG_LEVEL: "warn" } },
    },
    clusters: {
      "dev-1": { environment: "dev", server: "https://dev-1.example.com" },
      "prod-1": { environment: "prod", server: "https://prod-1.example.com", env: { REGION: "eu" } },
      "prod-2": { environment: "prod", server: "https://prod-2.example.com" },
    },
    waves: [
      { name: "dev", clusters: ["dev-1"] },
      { name: "canary", clusters: ["prod-1"] },
      { name: "prod", clusters: ["prod-2"] },
    ],
    teams: { shop: { owners: ["@acme/shop"], namespaces: ["shop", "shop-jobs"] } },
  };
}

export function appSpec(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    team: "shop",
    image: "registry.example.com/shop/web",
    release: { dev: "1.1.0", canary: "1.0.0", prod: "1.0.0" },
    ports: { http: 8080 },
    ...overrides,
  };
}

/** What load would return for these declarations, with origins in made-up stack files. */
export function loaded(platform: unknown, apps: Record<string, unknown> = {}): LoadedStacks {
  const files = ["stacks/platform.ts", ...Object.keys(apps).map((name) => `stacks/${name}.ts`)].sort();
  return {
    files,
    inputs: files,
    imported: ["stacks/platform.ts"],
    platform: { spec: platform, origin: { file: "stacks/platform.ts", line: 3, column: 25 } },
    apps: Object.entries(apps).map(([name, spec]) => ({ name, spec, origin: { file: `stacks/${name}.ts`, line: 2, column: 25 } })),
    releases: [],
    previews: [],
  };
}
