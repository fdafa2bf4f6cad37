// Price report: a `cronJob` that mails yesterday's price changes every night
// at 02:30 Berlin time. Its image moves with its release like any app's; dev
// keeps it suspended, so it runs only when started by hand there.
import { platform } from "./platform.js";

export default platform.app("price-report", {
  kind: "cronJob",
  team: "storefront",
  namespace: "storefront-jobs",
  image: "registry.example.com/storefront/price-report",
  release: { dev: "2.4.0", staging: "2.3.1" },
  schedule: "30 2 * * *",
  timeZone: "Europe/Berlin",
  activeDeadlineSeconds: 1800,
  backoffLimit: 2,
  args: ["--since=24h"],
  resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
  environments: {
    dev: { suspend: true },
    // Reads the price history from BigQuery as its own Google service account (GKE Workload Identity).
    staging: { identity: { gcp: { serviceAccount: "price-report@acme-staging.iam.gserviceaccount.com" } } },
  },
});
