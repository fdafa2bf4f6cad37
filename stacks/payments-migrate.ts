// Payments schema migration: a `job` that runs once per release, before the
// API (payments dependsOn it): its Job is named after the release, so a new
// release runs it again.
import { externalSecret, secret } from "sluice";
import { platform } from "./platform.js";

export default platform.app("payments-migrate", {
  kind: "job",
  team: "payments",
  image: "registry.example.com/payments/migrate",
  release: { dev: "1.7.0", staging: "1.6.3" },
  args: ["up"],
  env: { DB_HOST: "payments-db.payments.svc", DB_PASSWORD: secret("db", "password") },
  secrets: { db: externalSecret({ key: "payments/db" }) },
  dependsOn: ["external-secrets"],
  activeDeadlineSeconds: 600,
  backoffLimit: 1,
  resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
});
