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
  // Scratch space for merging segments, gone with the pod.
  volumes: { scratch: { emptyDir: { sizeLimit: "2Gi" }, mountPath: "/var/cache/index" } },
  // Its synonyms, as a file: a change rolls the pods, which read it at start.
  files: { "/etc/search-index/synonyms.txt": "tee, t-shirt, tshirt\nsneaker, trainer\n" },
  resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } },
  // One shard per zone, so that losing a zone loses one copy, not the index.
  placement: { spread: [{ topologyKey: "topology.kubernetes.io/zone" }] },
  // A metrics exporter beside the index, from the platform team's image pinned by digest.
  sidecars: {
    exporter: {
      image: "registry.example.com/platform/index-exporter:1.4.2@sha256:4f3c2b1a09e8d7c6b5a4938271605f4e3d2c1b0a99887766554433221100ffee",
      args: ["--index=http://127.0.0.1:9200"],
      ports: { metrics: 9114 },
      resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "100m", memory: "64Mi" } },
      probes: { readiness: { http: "/metrics" }, liveness: { http: "/metrics" } },
    },
  },
  environments: { staging: { replicas: 3, podManagementPolicy: "Parallel" } },
});
