// Payments API: owned by @acme/payments.
import { externalSecret, secret } from "sluice";
import { platform } from "./platform.js";

export default platform.app("payments", {
  team: "payments",
  image: "registry.example.com/payments/api",
  release: { dev: "1.7.0", staging: "1.6.3" },
  ports: { http: 8080, metrics: 9090 },
  // The storefront calls the API, the monitoring namespace scrapes the metrics, neither the other port.
  callers: [{ app: "checkout-web", ports: ["http"] }, { namespace: "monitoring", ports: ["metrics"] }],
  // Its database credentials come through the External Secrets operator, and
  // its schema is migrated first (stacks/payments-migrate.ts).
  dependsOn: ["external-secrets", "payments-migrate"],
  env: {
    DB_HOST: "payments-db.payments.svc",
    FEATURE_3DS: "true",
    DB_USER: secret("db", "username"),
    DB_PASSWORD: secret("db", "password"),
  },
  // The database credentials, from the store each environment reads
  // (vault-staging for dev and staging, vault-prod for production).
  secrets: { db: externalSecret({ key: "payments/db" }) },
  probes: {
    readiness: { http: "/ready", port: "http" },
    liveness: { http: "/healthz", port: "http", initialDelaySeconds: 10 },
  },
  environments: {
    dev: { replicas: 1 },
    prod: {
      replicas: 4,
      resources: { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } },
    },
  },
});
