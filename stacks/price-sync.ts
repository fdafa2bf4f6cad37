// Price sync worker: no ports, runs in the team's jobs namespace, not yet in
// production. Shows raw Kubernetes objects as an escape hatch.
import type { NetworkPolicy } from "kubernetes-types/networking/v1";
import { platform } from "./platform.js";

export default platform.app("price-sync", {
  team: "storefront",
  namespace: "storefront-jobs",
  image: "registry.example.com/storefront/price-sync",
  release: { dev: "sha256:4f1c9a7e2b3d5c6f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f", staging: "sha256:4f1c9a7e2b3d5c6f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f" },
  args: ["--interval=5m"],
  env: { SOURCE_URL: "https://prices.example.com/feed" },
  objects: [
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "price-sync-deny-ingress" },
      spec: {
        podSelector: { matchLabels: { "app.kubernetes.io/name": "price-sync" } },
        policyTypes: ["Ingress"],
      },
    } satisfies NetworkPolicy,
  ],
});
