// Search: scales with load, so the HorizontalPodAutoscaler owns its replica
// count wherever autoscaling is on.
import { platform } from "./platform.js";

export default platform.app("search", {
  team: "storefront",
  image: "registry.example.com/storefront/search",
  release: { dev: "0.9.2", staging: "0.9.2", "prod-canary": "0.9.2", prod: "0.9.2" },
  ports: { http: 8080 },
  probes: { readiness: { http: "/ready" }, liveness: { tcp: true } },
  autoscaling: { min: 2, max: 10, targetCPU: 70 },
  environments: {
    dev: { autoscaling: false, replicas: 1 },
    prod: { autoscaling: { min: 4, max: 20 } },
  },
});
