// Catalog API: owned by @acme/storefront.
import { platform } from "./platform.js";

export default platform.app("catalog-api", {
  team: "storefront",
  image: "registry.example.com/storefront/catalog-api",
  release: { dev: "2.4.1", staging: "2.4.1" },
  ports: { http: 8080 },
  callers: ["checkout-web"],
  // Previews run one pod, whatever dev runs.
  preview: { replicas: 1 },
  env: { CACHE_TTL_SECONDS: "300" },
  probes: { readiness: { http: "/healthz" }, liveness: { http: "/healthz" } },
  environments: {
    staging: { env: { ENV_NAME: "staging" } },
    prod: {
      replicas: 3,
      resources: { requests: { cpu: "200m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
    },
  },
});
