/**
 * A generated fleet for the benchmark: one platform (clusters in waves, 3
 * environments, 10 teams) and N apps, one stack file each, shaped like a
 * production fleet: every app has ports, env, resources with a CPU request,
 * probes and autoscaling, per-environment overrides, a database password
 * from the secret store (production reads its own store), and a quarter are
 * mid-rollout (a newer release in the early waves).
 */
const CLUSTERS = [
  ["dev-1", "dev"],
  ["staging-1", "staging"],
  ["prod-eu-1", "prod"],
  ["prod-us-1", "prod"],
  ["prod-ap-1", "prod"],
  ["prod-sa-1", "prod"],
] as const;

/**
 * The fleet's clusters: the six above, or past six (a fleet that needs
 * partitions), dev, staging and a canary, then production clusters prod-001…
 */
function fleetClusters(count: number): (readonly [string, string])[] {
  if (count <= CLUSTERS.length) return CLUSTERS.slice(0, count);
  return [
    ...CLUSTERS.slice(0, 3),
    ...Array.from({ length: count - 3 }, (_, i) => [`prod-${String(i + 1).padStart(3, "0")}`, "prod"] as const),
  ];
}

export function fleetStacks(
  apps: number,
  clusters = 4,
  options: { readonly applications?: "per-app" | "per-team" } = {},
): Record<string, string> {
  if (clusters < 3) throw new Error("the fleet has at least 3 clusters");
  const teams = Array.from({ length: 10 }, (_, i) => `team-${i}`);
  const used = fleetClusters(clusters);
  const prod = used.filter(([, env]) => env === "prod").map(([name]) => name);
  const files: Record<string, string> = {};
  files["stacks/platform.ts"] = `import { definePlatform } from "sluice";

export const platform = definePlatform({
  envRepo: { url: "https://git.example.com/platform/env-repo.git"${apps > 3_000 ? ', layout: "by-team"' : ""} },
  engine: "argocd",${options.applications === "per-team" ? '\n  argocd: { applications: "per-team" },' : ""}
  owners: ["@acme/platform"],
  environments: {
    dev: { replicas: 1, env: { LOG_LEVEL: "debug" }, sync: { prune: true }, secretStore: "vault" },
    staging: { replicas: 2, env: { LOG_LEVEL: "info" }, sync: { prune: true }, secretStore: "vault" },
    prod: { replicas: 3, resources: { limits: { cpu: "1", memory: "512Mi" } }, env: { LOG_LEVEL: "warn" }, secretStore: "vault-prod" },
  },
  secretStores: { vault: { kind: "ClusterSecretStore" }, "vault-prod": { kind: "ClusterSecretStore" } },
  clusters: {
${used.map(([name, env]) => `    "${name}": { environment: "${env}", server: "https://${name}.k8s.example.com", env: { CLUSTER: "${name}" } },`).join("\n")}
  },
  waves: [
    { name: "dev", clusters: ["dev-1"] },
    { name: "staging", clusters: ["staging-1"], gate: { soak: "2h" } },
    { name: "prod-canary", clusters: ["${prod[0]}"], gate: { soak: "24h", approvers: ["@acme/release"] } },${
      prod.length > 1
        ? `\n    { name: "prod", clusters: [${prod
            .slice(1)
            .map((c) => `"${c}"`)
            .join(", ")}], gate: { soak: "24h" } },`
        : ""
    }
  ],
  teams: {
${teams.map((t) => `    "${t}": { owners: ["@acme/${t}"], namespaces: ["${t}"] },`).join("\n")}
  },
});
`;
  const waves = prod.length > 1 ? ["dev", "staging", "prod-canary", "prod"] : ["dev", "staging", "prod-canary"];
  for (let i = 0; i < apps; i++) {
    const name = appName(i);
    const team = teams[i % teams.length];
    const next = `1.${i % 7}.${i % 5}`;
    const current = i % 4 === 0 ? `1.${i % 7}.${(i % 5) + 1}` : next;
    // prod-canary's gate names approvers: its release is in a release file, which CODEOWNERS gives them.
    const release = waves
      .flatMap((wave, w) => (wave === "prod-canary" ? [] : [`${JSON.stringify(wave)}: "${w < 2 ? current : next}"`]))
      .join(", ");
    files[`stacks/releases/prod-canary/${name}.ts`] = `import { platform } from "../../platform.js";

export default platform.release("${name}", { "prod-canary": "${next}" });
`;
    files[`stacks/${name}.ts`] = `import { externalSecret, secret } from "sluice";
import { platform } from "./platform.js";

export default platform.app("${name}", {
  team: "${team}",
  image: "registry.example.com/${team}/${name}",
  release: { ${release} },
  ports: { http: 8080, metrics: 9090 },
  env: { SERVICE_NAME: "${name}", UPSTREAM: "http://${appName((i + 1) % apps)}.${team}.svc", DB_PASSWORD: secret("db", "password") },
  secrets: { db: externalSecret({ key: "${team}/${name}/db" }) },
  resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
  probes: { readiness: { http: "/ready" }, liveness: { http: "/healthz", initialDelaySeconds: 5 } },
  autoscaling: { min: 2, max: 8 },
  environments: {
    prod: { autoscaling: { min: 3, max: 20 }, resources: { requests: { cpu: "200m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } } },
  },
  clusters: { "${prod[0]}": { env: { CANARY: "true" } } },
});
`;
  }
  return files;
}

export function appName(i: number): string {
  return `app-${String(i).padStart(i < 10_000 ? 4 : 5, "0")}`;
}
