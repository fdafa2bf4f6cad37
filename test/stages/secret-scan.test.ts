/**
 * The plaintext scanner on its own: what it flags, and the look-alikes that
 * real configuration is full of, which it must let through (a scanner that
 * cries wolf gets waived wholesale). Credential-shaped values are built from
 * pieces, so that this file's own text carries none.
 */
import { describe, expect, it } from "vitest";
import { scanLiteral, scanText } from "../../src/secrets/scan.js";

const join = (...parts: string[]) => parts.join("");
const base64url = (n: number) => "aB3_x-Z9".repeat(Math.ceil(n / 8)).slice(0, n);

const strong: [rule: string, value: string][] = [
  ["private-key", join("-----BEGIN ", "RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA")],
  ["private-key", join("-----BEGIN ", "OPENSSH PRIVATE KEY-----")],
  ["private-key", join("-----BEGIN ", "PRIVATE KEY-----")],
  ["private-key", join("-----BEGIN ", "PGP PRIVATE KEY BLOCK-----")],
  ["aws-access-key", join("AKIA", "Q7ZX".repeat(4))],
  ["aws-access-key", join("key=", "ASIA", "Z9Y8".repeat(4), ";")],
  ["github-token", join("ghp", "_", "a1B2".repeat(9))],
  ["github-token", join("github", "_pat_", "11ABCDEFG0", "x".repeat(20))],
  ["gitlab-token", join("glpat", "-", "xY3_".repeat(5))],
  ["slack-token", join("xoxb", "-", "123456789012", "-", "abcdefABCDEF1234")],
  ["slack-webhook", join("https://hooks.slack.com/services/", "T0AB12CD3", "/B0CD34EF5", "/", "a1b2c3d4e5f6g7h8")],
  ["jwt", join("eyJ", "hbGciOiJIUzI1NiJ9", ".", "eyJ", "zdWIiOiIxMjM0NTY3ODkwIn0", ".", base64url(43))],
  ["url-credentials", join("postgres://app:", "Pr0d-pw", "@db.internal:5432/app")],
  ["url-credentials", join("redis://:", "pw1234", "@redis:6379")],
  ["url-credentials", join("https://deploy:", "tok3n", "@git.example.com/repo.git")],
];

const named: [name: string, value: string][] = [
  ["DB_PASSWORD", join("hunter2", "-s3cr3t-", "Xy9!")],
  ["API_KEY", join("k9", "Qz7", "Lm2Rt8", "Wv4")],
  ["clientSecret", join("c1", "Ent-", "S3cr", "et-", "V4lue")],
  ["STRIPE_SECRET_KEY", join("sk_", "live_", "51H8x", "Kq2Lm")],
  ["auth-token", join("9f8e7d", "6c5b4a", "3f2e1d0c")],
  ["PRIVATE_KEY", join("MIIBVgIBADAN", "BgkqhkiG9w0B")],
  ["DATA_ENCRYPTION_KEY", join("k3Y", "-Enc", "rypt", "9Q!")],
];

const harmless: [name: string, value: string][] = [
  ["LOG_LEVEL", "info"],
  ["DATABASE_URL", "postgres://db.internal:5432/app"],
  ["REDIS_URL", "redis://redis:6379"],
  ["API_BASE_URL", "https://api.example.com/v1"],
  ["JAVA_OPTS", "-Xmx512m -XX:+UseG1GC"],
  ["TOKEN_TTL", "3600"],
  ["PASSWORD_MIN_LENGTH", "12"],
  ["SECRET_NAME", "checkout-db"],
  ["PASSWORD_FILE", "/var/run/secrets/db/password"],
  ["DB_PASSWORD", "$(DB_PASSWORD)"],
  ["API_TOKEN", "${API_TOKEN}"],
  ["DB_PASSWORD", "{{ .Values.password }}"],
  ["DB_URL", "postgres://app:$(DB_PASSWORD)@db:5432/app"],
  ["EXAMPLE_URL", "postgres://user:<password>@host"],
  ["DB_URL", "postgres://app:$DB_PASSWORD@db:5432/app"],
  ["AUTH_ENABLED", "true"],
  ["TOKEN_AUDIENCE", "payments-api"],
  ["AUTH_HEADER", "Authorization"],
  ["SECRET", "short"],
  ["TOKEN_ENDPOINT", "https://auth.example.com/oauth/token"],
  ["image", "registry.example.com/payments@sha256:4f1c9a7e2b3d5c6f8a9b0c1d2e3f4a5b6c7d8e9f"],
  ["sluice.dev/config-sha256", "0f3a9c2b7d41e865"],
  ["CONFIG_SHA256", "sha256:4f1c9a7e2b3d5c6f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f"],
  ["SOURCE_URL", "https://prices.example.com/feed"],
  ["PASSWORD_POLICY", "min 12 characters, one digit"],
  // Ordinary configuration under names that mention a secret, and under any name.
  ["TOKEN_AUDIENCE", "api"],
  ["AUTH_PROVIDER", "oidc"],
  ["AUTH_BACKEND", "postgres"],
  ["AUTH_PROFILE", "default"],
  ["TOKEN_SCOPE", "user"],
  ["TOKEN_ROLE", "master"],
  ["SECRET_BACKEND", "postgres"],
  ["AUTH_ENV", "dev2"],
  ["AUTH_REGION", "us-east-1"],
  ["nginx.ingress.kubernetes.io/auth-secret", "basic-auth"],
  ["nginx.ingress.kubernetes.io/auth-realm", "Authentication Required"],
  ["TOKEN_ISSUER", "https://auth.example.com/"],
  ["SECRET_STORE_VERSION", "v1.2.3"],
  ["API_TOKEN_VERSION", "2.4.1-rc.1"],
  ["AUTH_CACHE", "enabled"],
  ["PASSWORD_RESET", "disabled"],
  ["TOKEN_AUDIENCE", "<audience>"],
  ["secretKey", "password"],
  ["passwordKey", "password"],
  ["TENANT_ID", "3f2504e0-4f89-11d3-9a0c-0305e82c3301"],
  ["REQUEST_ID", "3f2504e0-4f89-11d3-9a0c-0305e82c3301"],
  ["FEATURE_NEW_CHECKOUT", "true"],
  ["FEATURE_FLAGS", "new-checkout,fast-search"],
  ["MAX_CONNECTIONS", "100"],
  ["DB_USER", "admin"],
  ["DB_NAME", "postgres"],
  ["ADMIN_USER", "root"],
  ["REGION", "eu-west-1"],
  ["IMAGE", "registry.example.com/payments:1.4.2"],
  ["IMAGE_DIGEST", "sha256:4f1c9a7e2b3d5c6f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f"],
  ["CALLBACK_URL", "https://shop.example.com/callback?x=1&y=2"],
];

/** The commonest default and weak passwords, and short typed ones: under a secret's name, each is a credential. */
const weak: [name: string, value: string, rule: string][] = [
  ["DB_PASSWORD", "changeme", "weak-secret"],
  ["PASSWORD", "password", "weak-secret"],
  ["ADMIN_PASSWORD", "admin", "weak-secret"],
  ["CLIENT_SECRET", "secret", "weak-secret"],
  ["PIN_PASSWORD", "123456", "weak-secret"],
  ["VNC_PASSWD", "letmein", "weak-secret"],
  ["POSTGRES_PASSWORD", "postgres", "weak-secret"],
  ["MYSQL_ROOT_PASSWORD", "root", "weak-secret"],
  ["SECRET_KEY", "changeme", "weak-secret"],
  ["redis-password", "Password1!", "weak-secret"],
  ["api_token", "admin123", "weak-secret"],
  ["keystorePassword", "changeit", "weak-secret"],
  ["DB_PASSWORD", "hunter2", "named-secret"],
  ["SMTP_PASSWORD", "Summer24", "named-secret"],
  ["AUTH_TOKEN", "pa$$word", "named-secret"],
  ["API_KEY", "3f2504e0-4f89-11d3-9a0c-0305e82c3301", "named-secret"],
];

describe("the plaintext scanner", () => {
  it.each(strong)("flags %s wherever it is written", (rule, value) => {
    expect(scanLiteral("note", value)?.rule).toBe(rule);
    expect(scanText(`a: 1\nnote: "${value.split("\n")[0]}"\n`)).toEqual([expect.objectContaining({ rule, line: 2 })]);
  });

  it.each(named)("flags a chosen-looking value under %s", (name, value) => {
    expect(scanLiteral(name, value)?.rule).toBe("named-secret");
  });

  it.each(weak)("flags %s=%s, a weak or default password, as %s", (name, value, rule) => {
    expect(scanLiteral(name, value)?.rule).toBe(rule);
    expect(scanLiteral(name, value)!.what).not.toContain(JSON.stringify(value));
    // Only under a secret's name: the same value elsewhere is configuration.
    expect(scanLiteral("GREETING", value)).toBeUndefined();
  });

  it.each(harmless)("lets %s=%s through", (name, value) => {
    expect(scanLiteral(name, value)).toBeUndefined();
  });

  it("never repeats the value in what it reports", () => {
    for (const [, value] of strong) expect(scanLiteral("x", value)!.what).not.toContain(value.slice(0, 12));
    for (const [name, value] of named) expect(scanLiteral(name, value)!.what).not.toContain(value);
  });

  it("judges a value by name only where the name calls it a secret", () => {
    const value = named[0]![1];
    expect(scanLiteral("GREETING", value)).toBeUndefined();
    expect(scanLiteral("greeting", value)).toBeUndefined();
  });

  it("finds nothing in a typical manifest, including digests, hashes and long base64", () => {
    const manifest = [
      "apiVersion: apps/v1",
      "kind: Deployment",
      "metadata:",
      "  name: payments",
      "  annotations:",
      "    sluice.dev/config-sha256: 0f3a9c2b7d41e865",
      "spec:",
      "  template:",
      "    spec:",
      "      containers:",
      "        - image: registry.example.com/payments@sha256:" + "4f1c9a7e".repeat(8),
      "          env:",
      "            - name: DATABASE_URL",
      "              value: postgres://db.internal:5432/app",
      "---",
      "apiVersion: admissionregistration.k8s.io/v1",
      "kind: ValidatingWebhookConfiguration",
      "webhooks:",
      "  - clientConfig:",
      "      caBundle: " + "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t".repeat(20),
      "",
    ].join("\n");
    expect(scanText(manifest)).toEqual([]);
  });

  it("is linear in the size of what it scans", () => {
    const line = "    app.kubernetes.io/name: payments-api-with-a-longer-name\n";
    // The fastest of five scans, in ms: a machine busy with other test processes slows some of them.
    const time = (n: number) => {
      const text = line.repeat(n);
      let best = Infinity;
      for (let i = 0; i < 5; i++) {
        const start = performance.now();
        scanText(`${text}x: ${i}\n`);
        best = Math.min(best, performance.now() - start);
      }
      return best;
    };
    time(1000);
    // Eight times the text: about 8 times as long when linear, 64 when quadratic; the bound is half of that.
    expect(time(40_000)).toBeLessThan(Math.max(10, time(5_000) * 32));
  });
});
