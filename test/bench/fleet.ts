/**
 * A generated fleet for the benchmark: one platform (4 clusters in 4 waves,
 * 3 environments, 10 teams) and N apps, one stack file each, shaped like the
 * example stacks (ports, env, probes, per-environment overrides, some
 * autoscaling, some mid-rollout).
 */
export function fleetStacks(apps: number): Record<string, string> {
  const teams = Array.from({ length: 10 }, (_, i) => `team-${i}`);
  const files: Record<string, string> = {};
  files["stacks/platform.ts"] = `import { definePlatform } from "sluice";

export const platform = definePlatform({
  envRepo: { url: "https://git.example.com/platform/env-repo.git" },
  engine: "argocd",
  owners: ["@acme/platform"],
  environments: {
    dev: { replicas: 1, env: { LOG_LEVEL: "debug" }, sync: { prune: true } },
    staging: { replicas: 2, env: { LOG_LEVEL: "info" }, sync: { prune: true } },
    prod: { replicas: 3, resources: { limits: { cpu: "1", memory: "512Mi" } }, env: { LOG_LEVEL: "warn" } },
  },
  clusters: {
    "dev-1": { environment: "dev", server: "https://dev-1.k8s.example.com" },
    "staging-1": { environment: "staging", server: "https://staging-1.k8s.example.com" },
    "prod-eu-1": { environment: "prod", server: "https://prod-eu-1.k8s.example.com", env: { REGION: "eu" } },
    "prod-us-1": { environment: "prod", server: "https://prod-us-1.k8s.example.com", env: { REGION: "us" } },
  },
  waves: [
    { name: "dev", clusters: ["dev-1"] },
    { name: "staging", clusters: ["staging-1"], gate: { soak: "2h" } },
    { name: "prod-canary", clusters: ["prod-eu-1"], gate: { soak: "24h", approvers: ["@acme/release"] } },
    { name: "prod", clusters: ["prod-us-1"], gate: { soak: "24h" } },
  ],
  teams: {
${teams.map((t) => `    "${t}": { owners: ["@acme/${t}"], namespaces: ["${t}"] },`).join("\n")}
  },
});
`;
  for (let i = 0; i < apps; i++) {
    const name = `app-${String(i).padStart(4, "0")}`;
    const team = teams[i % teams.length];
    const next = `1.${i % 7}.${i % 5}`;
    const current = i % 4 === 0 ? `1.${i % 7}.${(i % 5) + 1}` : next;
    const scaling = i % 5 === 0 ? `\n  autoscaling: { min: 2, max: 8 },\n` : "\n";
    files[`stacks/${name}.ts`] = `import { platform } from "./platform.js";

export default platform.app("${name}", {
  team: "${team}",
  image: "registry.example.com/${team}/${name}",
  release: { dev: "${current}", staging: "${current}", "prod-canary": "${next}", prod: "${next}" },
  ports: { http: 8080, metrics: 9090 },
  env: { SERVICE_NAME: "${name}", UPSTREAM: "http://app-${String((i + 1) % apps).padStart(4, "0")}.${team}.svc" },
  probes: { readiness: { http: "/ready" }, liveness: { http: "/healthz", initialDelaySeconds: 5 } },${scaling}  environments: {
    dev: { ${i % 5 === 0 ? "autoscaling: false, " : ""}replicas: 1 },
    prod: { resources: { requests: { cpu: "200m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } } },
  },
  clusters: { "prod-us-1": { env: { REGION_FALLBACK: "eu" } } },
});
`;
  }
  return files;
}
