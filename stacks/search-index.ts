// Search index: a `statefulService` — pods with stable names, each keeping
// its shard of the index on a volume of its own, behind a headless Service.
import { platform } from "./platform.js";

export default platform.app("search-index", {
  kind: "statefulService",
  team: "storefront",
  image: "registry.example.com/storefront/search-index",
  release: { dev: "7.2.4", staging: "7.2.4" },
  ports: { http: 9200 },
  callers: [{ namespace: "storefront", ports: ["http"] }], // the storefront's apps
  probes: { readiness: { http: "/health" }, liveness: { exec: ["/bin/index-check", "--live"] } },
  volumeClaims: { data: { size: "10Gi", mountPath: "/var/lib/index" } },
  resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } },
  // One shard per zone, so that losing a zone loses one copy, not the index.
  placement: { spread: [{ topologyKey: "topology.kubernetes.io/zone" }] },
  environments: { staging: { replicas: 3, podManagementPolicy: "Parallel" } },
});
