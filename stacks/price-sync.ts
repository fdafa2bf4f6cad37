// Price sync worker: no ports, runs in the team's jobs namespace, not yet in
// production. Shows raw Kubernetes objects as an escape hatch, and a Sealed
// Secret: the feed's client certificate, sealed with kubeseal for each
// cluster's controller (as the Secret price-sync-feed-client in storefront-jobs).
import type { NetworkPolicy } from "kubernetes-types/networking/v1";
import { sealedSecret, secret } from "sluice";
import { platform } from "./platform.js";

export default platform.app("price-sync", {
  team: "storefront",
  namespace: "storefront-jobs",
  image: "registry.example.com/storefront/price-sync",
  release: { dev: "sha256:4f1c9a7e2b3d5c6f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f", staging: "sha256:4f1c9a7e2b3d5c6f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f" },
  args: ["--interval=5m"],
  env: { SOURCE_URL: "https://prices.example.com/feed" },
  secretFiles: { "/etc/price-sync/feed-client": secret("feed-client") },
  clusters: {
    "dev-1": {
      secrets: {
        "feed-client": sealedSecret({
          "client.pem":
            "AgBqbZmeOS3M7HfTVgUIKbB33DlvY3/lKsZ2CudllbnCLXWqg62VZE5svT18cg48l9ZtU9d+0TTtlC4qJB546ByeD+ncPY6EqxEWa7kCWof3ypMS4SumNzKvskBKwXX1ts9",
        }),
      },
    },
    "staging-1": {
      secrets: {
        "feed-client": sealedSecret({
          "client.pem":
            "AgB0yYHFhln0oGiZa3iI8jEd/l8NdyK9Q4mt8ZkUjzaf6GrGq1vi+vDMLUcjBM8sTDXwOGxQNYDYis2JKGDd0NOxf+W0u9EnilLrtMpKyr89qjqYZBVwQyDfV6lra/Evzhw",
        }),
      },
    },
  },
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
