// Checkout front end, mid-rollout: 3.2.0 is on its way out and has reached
// the canary cluster; the rest of production still runs 3.1.4.
import { platform } from "./platform.js";

export default platform.app("checkout-web", {
  team: "storefront",
  image: "registry.example.com/storefront/checkout-web",
  release: { dev: "3.2.0", staging: "3.2.0" },
  ports: { http: 3000 },
  // Served to the internet by what the platform names on each cluster (ingress-nginx, or
  // prod-ap-1's Gateway), which may then call it on this port.
  expose: { host: "shop.example.com" },
  environments: {
    dev: { expose: { host: "shop.dev.example.com" } },
    staging: { expose: { host: "shop.staging.example.com" } },
  },
  // In production each release takes 10 % of the traffic, then half, checked for errors and
  // latency on the way: Argo Rollouts runs the plan on prod-eu-1 and the US clusters, Flagger on prod-ap-1.
  progressive: {
    canary: {
      steps: [{ weight: 10, pause: "5m" }, { analysis: "error-rate" }, { weight: 50, pause: "5m" }, { analysis: "error-rate" }],
      background: [{ name: "latency-p99", args: { maxSeconds: 0.5 } }],
    },
  },
  // Each pull request labelled "preview" gets its own checkout-web on dev-1 (see the platform's previews).
  preview: true,
  dependsOn: ["ingress-nginx", "payments"],
  env: { PUBLIC_API_URL: "https://api.example.com" },
  probes: { readiness: { http: "/api/health" }, liveness: { http: "/api/health" } },
  // The platform's mutating webhook stamps the cost centre on every pod template: the GitOps
  // engines leave that annotation to it instead of taking it back on every sync.
  ownedFields: [
    {
      kind: "Deployment",
      paths: ["spec.template.metadata.annotations.cost.example.com/centre"],
      reason: "set by the platform's cost-allocation webhook",
    },
  ],
  clusters: {
    "prod-us-1": { env: { PUBLIC_API_URL: "https://us.api.example.com" } },
  },
});
