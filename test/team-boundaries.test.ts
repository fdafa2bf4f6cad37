/**
 * Team boundaries (issue 17): a team's objects cannot replace the platform's
 * guards in its namespace, nor be taken over by another Application, and a
 * team is never granted a kind that rewrites its own rights.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { synth } from "sluice";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { copyProject, type Project } from "./helpers/project.js";
import { paymentsDbFromSops, sopsFile } from "./helpers/sops.js";
import { edit, failsAt, grantPaymentsPriorityClass } from "./helpers/stack-edit.js";

let base: Project;
beforeAll(() => {
  base = synthesizedExample();
});

const copy = () => copyProject(base);
const objects = (p: Project, file: string): any[] => parseAllDocuments(p.read(file)).map((doc) => doc.toJS());
const withObject = (p: Project, source: string) => edit(p, "stacks/price-sync.ts", "  objects: [\n", `  objects: [\n    ${source},\n`);

describe("a team namespace's guards are the platform's", () => {
  it.each([
    ["ResourceQuota", `{ apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "more" }, spec: { hard: { pods: "1000" } } } as never`],
    ["LimitRange", `{ apiVersion: "v1", kind: "LimitRange", metadata: { name: "none" }, spec: { limits: [] } } as never`],
  ])("a team's %s is refused at its kind", async (kind, source) => {
    const p = copy();
    withObject(p, source);
    const found = await failsAt(p, "validate/guard-kind", "stacks/price-sync.ts", `kind: "${kind}"`);
    expect(found.message).toContain("guards the team's namespace");
  });

  it("names starting sluice- are reserved: a NetworkPolicy sluice-default-deny that allows everything is refused at its name", async () => {
    const p = copy();
    withObject(
      p,
      `{ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "sluice-default-deny" }, spec: { podSelector: {}, ingress: [{}] } } as never`,
    );
    const found = await failsAt(p, "validate/reserved-object-name", "stacks/price-sync.ts", '"sluice-default-deny"');
    expect(found.message).toContain('names starting "sluice-" are sluice\'s');
  });

  it("an app may not be named sluice-…", async () => {
    const p = copy();
    edit(p, "stacks/price-sync.ts", 'platform.app("price-sync"', 'platform.app("sluice-quota"');
    await failsAt(p, "validate/reserved-app-name", "stacks/price-sync.ts", 'platform.app("sluice-quota"');
  });

  it("each team's Argo CD project denies the guard kinds, and its Applications fail on a resource another Application tracks", () => {
    for (const team of ["payments", "storefront"]) {
      const [project] = objects(base, `out/clusters/dev-1/projects/${team}.yaml`);
      expect(project.spec.namespaceResourceBlacklist).toEqual([
        { group: "", kind: "LimitRange" },
        { group: "", kind: "ResourceQuota" },
      ]);
    }
    for (const app of ["payments", "search", "catalog-api"]) {
      const [application] = objects(base, `out/clusters/prod-us-1/apps/${app}.yaml`);
      expect(application.spec.syncPolicy.syncOptions, app).toContain("FailOnSharedResource=true");
    }
    // The components' and the root's Applications apply what no team shares; they are unchanged.
    const [root] = objects(base, "out/clusters/dev-1/root.yaml");
    expect(root.spec.syncPolicy.syncOptions).toBeUndefined();
  });
});

describe("a team is never granted a kind that gives it the cluster", () => {
  it.each([
    ["rbac.authorization.k8s.io/ClusterRole", "grants rights"],
    ["rbac.authorization.k8s.io/ClusterRoleBinding", "grants rights"],
    ["admissionregistration.k8s.io/ValidatingWebhookConfiguration", "decides what the API server admits"],
    ["admissionregistration.k8s.io/MutatingWebhookConfiguration", "decides what the API server admits"],
    ["admissionregistration.k8s.io/ValidatingAdmissionPolicy", "decides what the API server admits"],
    ["apiextensions.k8s.io/CustomResourceDefinition", "defines the custom resources"],
    ["apiregistration.k8s.io/APIService", "routes a whole API group"],
    ["external-secrets.io/ClusterSecretStore", "serves secrets to every namespace"],
    ["Namespace", "kube-system's included"],
    ["Node", "runs every team's pods"],
    ["PersistentVolume", "host path"],
  ])("granting %s is refused at the grant's line", async (kind, why) => {
    const p = copy();
    edit(
      p,
      "stacks/platform.ts",
      'payments: { owners: ["@acme/payments"],',
      `payments: {\n      clusterResources: ["${kind}"],\n      owners: ["@acme/payments"],`,
    );
    const found = await failsAt(p, "validate/cluster-resource", "stacks/platform.ts", `clusterResources: ["${kind}"]`);
    expect(found.message).toContain(`${kind} cannot be granted to a team`);
    expect(found.message).toContain(why);
  });

  it("a kind whose objects the team may own is still granted: a PriorityClass", async () => {
    const p = copy();
    grantPaymentsPriorityClass(p);
    await synth({ root: p.root, skipTypecheck: true });
    expect(objects(p, "out/clusters/dev-1/projects/payments.yaml")[0].spec.clusterResourceWhitelist).toEqual([
      { group: "scheduling.k8s.io", kind: "PriorityClass" },
    ]);
  });
});

describe("a team's own ExternalSecret in objects reads only the team's keys", () => {
  const externalSecret = (spec: string) =>
    `{ apiVersion: "external-secrets.io/v1", kind: "ExternalSecret", metadata: { name: "extra" },\n      spec: ${spec} } as never`;

  it("another team's key, through data or dataFrom, is an error at the key", async () => {
    const p = copy();
    withObject(
      p,
      externalSecret(
        `{ secretStoreRef: { name: "vault-prod", kind: "ClusterSecretStore" }, target: { name: "extra" },\n        data: [{ secretKey: "pw", remoteRef: { key: "payments/db", property: "password" } }] }`,
      ),
    );
    const found = await failsAt(p, "validate/external-secret-key", "stacks/price-sync.ts", 'key: "payments/db"');
    expect(found.message).toBe(
      'ExternalSecret extra reads key "payments/db" of store vault-prod, which team storefront may not read: the platform lets it read "storefront/*"',
    );

    const q = copy();
    withObject(
      q,
      externalSecret(
        `{ secretStoreRef: { name: "vault-staging", kind: "ClusterSecretStore" }, target: { name: "extra" },\n        dataFrom: [{ extract: { key: "payments/db" } }] }`,
      ),
    );
    await failsAt(q, "validate/external-secret-key", "stacks/price-sync.ts", 'key: "payments/db"');
  });

  it("a search of the whole store, or a ClusterSecretStore the platform does not declare, is refused", async () => {
    const p = copy();
    withObject(
      p,
      externalSecret(
        `{ secretStoreRef: { name: "vault-prod", kind: "ClusterSecretStore" }, target: { name: "extra" },\n        dataFrom: [{ find: { name: { regexp: ".*" } } }] }`,
      ),
    );
    await failsAt(p, "validate/external-secret-key", "stacks/price-sync.ts", "find:");

    const q = copy();
    withObject(
      q,
      externalSecret(
        `{ secretStoreRef: { name: "vault-everything", kind: "ClusterSecretStore" }, target: { name: "extra" },\n        dataFrom: [{ extract: { key: "storefront/x" } }] }`,
      ),
    );
    const found = await failsAt(q, "validate/external-secret-store", "stacks/price-sync.ts", '"vault-everything"');
    expect(found.message).toContain("a ClusterSecretStore serves every namespace");
  });

  it("the team's own keys, and a SecretStore of its own, are read", async () => {
    const p = copy();
    withObject(
      p,
      externalSecret(
        `{ secretStoreRef: { name: "vault-prod", kind: "ClusterSecretStore" }, target: { name: "extra" },\n        data: [{ secretKey: "pw", remoteRef: { key: "storefront/price-sync/feed" } }] }`,
      ),
    );
    withObject(
      p,
      `{ apiVersion: "external-secrets.io/v1", kind: "ExternalSecret", metadata: { name: "own" }, spec: { secretStoreRef: { name: "team-vault" }, target: { name: "own" }, dataFrom: [{ extract: { key: "anything" } }] } } as never`,
    );
    await synth({ root: p.root, skipTypecheck: true });
    expect(p.read("out/apps/price-sync/dev-1/manifest.yaml")).toContain("key: storefront/price-sync/feed");
  });
});

describe("SOPS on Flux: one key per team", () => {
  // age public keys are bech32: "age1" and 58 characters of its alphabet.
  const key = (letter: string) => `age1${letter.repeat(58)}`;
  const PAYMENTS = key("q");
  const STOREFRONT = key("p");
  const setUp = (recipients: string[]) => {
    const p = copy();
    p.write("secrets/payments-db.enc.yaml", sopsFile({ name: "payments-db", namespace: "payments", data: { password: 3 }, recipients }));
    paymentsDbFromSops(p);
    edit(
      p,
      "stacks/platform.ts",
      'payments: { owners: ["@acme/payments"],',
      `payments: { sopsRecipients: ["${PAYMENTS}"], owners: ["@acme/payments"],`,
    );
    edit(
      p,
      "stacks/platform.ts",
      'storefront: { owners: ["@acme/storefront"],',
      `storefront: { sopsRecipients: ["${STOREFRONT}"], owners: ["@acme/storefront"],`,
    );
    return p;
  };

  it("a file encrypted to the team's own key is delivered", async () => {
    const p = setUp([PAYMENTS]);
    await synth({ root: p.root, skipTypecheck: true });
    expect(p.read("out/apps/payments/prod-ap-1/payments-db.sops.yaml")).toContain(PAYMENTS);
  });

  it("a file another team's key can open is refused at the reference", async () => {
    const p = setUp([PAYMENTS, STOREFRONT]);
    const found = await failsAt(p, "validate/sops-recipient", "stacks/payments.ts", "sopsSecret(");
    expect(found.message).toBe(
      "secrets/payments-db.enc.yaml is read by an app of team payments but encrypted to the key of team storefront too, which could decrypt it",
    );
  });

  it("a file the team's key cannot open is refused, and two teams may not share a key", async () => {
    const p = setUp([key("z")]);
    const found = await failsAt(p, "validate/sops-recipient", "stacks/payments.ts", "sopsSecret(");
    expect(found.message).toContain("is not encrypted to the key of team payments");
    edit(p, "stacks/platform.ts", `storefront: { sopsRecipients: ["${STOREFRONT}"]`, `storefront: { sopsRecipients: ["${PAYMENTS}"]`);
    await failsAt(p, "validate/shared-sops-key", "stacks/platform.ts", `storefront: { sopsRecipients: ["${PAYMENTS}"]`);
  });
});
