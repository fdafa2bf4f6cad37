// Checkout front end, mid-rollout: 3.2.0 is on its way out and has reached
// the canary cluster; the rest of production still runs 3.1.4.
import { platform } from "./platform.js";

export default platform.app("checkout-web", {
  team: "storefront",
  image: "registry.example.com/storefront/checkout-web",
  release: { dev: "3.2.0", staging: "3.2.0" },
  ports: { http: 3000 },
  // The ingress controller serves it to the internet.
  callers: [{ namespace: "ingress-nginx" }],
  dependsOn: ["ingress-nginx", "payments"],
  env: { PUBLIC_API_URL: "https://api.example.com" },
  probes: { readiness: { http: "/api/health" }, liveness: { http: "/api/health" } },
  clusters: {
    "prod-us-1": { env: { PUBLIC_API_URL: "https://us.api.example.com" } },
  },
});
