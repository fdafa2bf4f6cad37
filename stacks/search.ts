// Search: scales with load, so the HorizontalPodAutoscaler owns its replica
// count wherever autoscaling is on.
import { externalSecret, secret } from "sluice";
import { platform } from "./platform.js";

export default platform.app("search", {
  team: "storefront",
  image: "registry.example.com/storefront/search",
  release: { dev: "0.9.2", staging: "0.9.2" },
  ports: { http: 8080 },
  callers: ["checkout-web", "catalog-api"],
  dependsOn: ["external-secrets", "catalog-api"],
  probes: { readiness: { http: "/ready" }, liveness: { tcp: true } },
  // The search index's API token, rotated often, so read again every 15 minutes.
  env: { INDEX_API_TOKEN: secret("index-api", "token") },
  secrets: { "index-api": externalSecret({ key: "storefront/search/index-api", refreshInterval: "15m" }) },
  autoscaling: { min: 2, max: 10, targetCPU: 70 },
  environments: {
    dev: { autoscaling: false, replicas: 1 },
    prod: { autoscaling: { min: 4, max: 20 } },
  },
});
