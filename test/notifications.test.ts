/**
 * Notifications per team (issue 21): the platform declares channels, each team
 * says which events it gets on which; Argo CD gets subscription annotations on
 * the team's Applications, Flux a Provider and Alerts in the team's home
 * namespace. The example: payments on Slack (sync-failed, degraded,
 * deployed), storefront on a webhook (sync-failed, degraded).
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { synth } from "sluice";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { copyProject, type Project } from "./helpers/project.js";
import { schemaFor } from "./helpers/schemas.js";
import { edit, expectAt, failsAt, lineOf, rejection, show } from "./helpers/stack-edit.js";

const SUBSCRIBE = "notifications.argoproj.io/subscribe.";
const ARGO_CLUSTERS = ["dev-1", "staging-1", "prod-eu-1", "prod-us-1"];
const PAYMENTS_ON = 'on: ["sync-failed", "degraded", "deployed"]';
const STOREFRONT_ON = 'on: ["sync-failed", "degraded"]';

let base: Project;
beforeAll(() => {
  base = synthesizedExample({ caches: true });
});

const objects = (p: Project, file: string): any[] => parseAllDocuments(p.read(file)).map((doc) => doc.toJS());
const applicationFiles = (p: Project) =>
  Object.keys(p.tree()).filter((file) => /^clusters\/[^/]+\/(apps|components)\/[^/]+\.yaml$/.test(file));
const subscriptions = (object: any) =>
  Object.fromEntries(Object.entries(object.metadata.annotations ?? {}).filter(([key]) => key.startsWith(SUBSCRIBE)));

describe("Argo CD: the team's Applications carry its subscriptions", () => {
  it("each Application of payments is subscribed to payments' events on Slack, each of storefront's to its webhook, and nothing else is", () => {
    const seen = new Set<string>();
    for (const file of applicationFiles(base)) {
      const cluster = file.split("/")[1]!;
      if (!ARGO_CLUSTERS.includes(cluster)) continue;
      for (const object of objects(base, `out/${file}`).filter((o) => o.kind === "Application")) {
        const team = object.metadata.labels?.["sluice.dev/team"];
        seen.add(team ?? "none");
        const expected =
          team === "payments"
            ? {
                [`${SUBSCRIBE}on-sync-failed.payments-slack`]: "payments-alerts",
                [`${SUBSCRIBE}on-health-degraded.payments-slack`]: "payments-alerts",
                [`${SUBSCRIBE}on-deployed.payments-slack`]: "payments-alerts",
              }
            : team === "storefront"
              ? { [`${SUBSCRIBE}on-sync-failed.storefront-hook`]: "", [`${SUBSCRIBE}on-health-degraded.storefront-hook`]: "" }
              : {};
        expect(subscriptions(object), `${file}: ${object.metadata.name}`).toEqual(expected);
      }
    }
    // The components' Applications carry no team: they are told nothing.
    expect([...seen].sort()).toEqual(["none", "payments", "storefront"]);
    expect(subscriptions(objects(base, "out/clusters/dev-1/root.yaml")[0])).toEqual({});
  });

  it("the env repo's README says who is told what, where", () => {
    const readme = base.read("out/README.md");
    expect(readme).toContain("| payments | `payments-slack` (Slack `payments-alerts`) | sync-failed, degraded, deployed |");
    expect(readme).toContain("| storefront | `storefront-hook` (webhook) | sync-failed, degraded |");
  });

  it("the env repo's Prerequisites name the notifications controller, a service per channel and the catalog's triggers", () => {
    const readme = base.read("out/README.md");
    expect(readme).toContain("Argo CD notifications controller");
    expect(readme).toContain("`service.slack.payments-slack` (`token: $payments-slack-token`) in ConfigMap `argocd-notifications-cm`");
    expect(readme).toContain("`service.webhook.storefront-hook` (`url: $storefront-hook-url`)");
    expect(readme).toContain("`trigger.on-sync-failed`, `trigger.on-health-degraded`, `trigger.on-deployed` and their templates");
  });
});

describe("Flux: a Provider and an Alert per event in the team's home namespace", () => {
  const FILE = "out/clusters/prod-ap-1/notifications";

  it("payments' Slack channel: the Provider names its Secret, each Alert filters one event of the team's Kustomizations", () => {
    const [provider, ...alerts] = objects(base, `${FILE}/payments.yaml`);
    expect(provider).toMatchObject({
      apiVersion: "notification.toolkit.fluxcd.io/v1beta3",
      kind: "Provider",
      metadata: { name: "payments-slack", namespace: "payments" },
      spec: { type: "slack", channel: "payments-alerts", secretRef: { name: "slack-bot" } },
    });
    expect(alerts.map((a) => [a.metadata.name, a.spec.eventSeverity, a.spec.inclusionList, a.spec.exclusionList])).toEqual([
      ["payments-slack-sync-failed", "error", undefined, ["^health check failed"]],
      ["payments-slack-degraded", "error", ["^health check failed"], undefined],
      ["payments-slack-deployed", "info", ["^Health check passed"], undefined],
    ]);
    for (const alert of alerts) {
      // --no-cross-namespace-refs: the Provider, its Secret, the Alert and its sources in one namespace.
      expect(alert.metadata.namespace).toBe("payments");
      expect(alert.spec.providerRef).toEqual({ name: "payments-slack" });
      expect(alert.spec.eventSources).toEqual([{ kind: "Kustomization", name: "*", namespace: "payments" }]);
      expect(alert.spec.eventMetadata).toEqual({ cluster: "prod-ap-1", environment: "prod" });
    }
    const [webhook] = objects(base, `${FILE}/storefront.yaml`);
    expect(webhook.spec).toEqual({ type: "generic", secretRef: { name: "storefront-webhook" } });
    expect(webhook.metadata.namespace).toBe("storefront");
  });

  it("every object validates against notification-controller's CRD, strictly", () => {
    for (const team of ["payments", "storefront"])
      for (const object of objects(base, `${FILE}/${team}.yaml`)) {
        const validate = schemaFor(object.apiVersion, object.kind);
        expect(validate, `${object.kind}: no schema`).toBeDefined();
        validate!(object);
      }
    const validate = schemaFor("notification.toolkit.fluxcd.io/v1beta3", "Alert")!;
    const [, alert] = objects(base, `${FILE}/payments.yaml`);
    expect(() => validate({ ...alert, spec: { ...alert.spec, eventSeverity: "warning" } })).toThrow(/eventSeverity/);
    expect(() => validate({ ...alert, spec: { ...alert.spec, channel: "x" } })).toThrow();
  });

  it.skipIf(spawnSync("kubectl", ["version", "--client"]).status !== 0)(
    "kubectl kustomize builds the cluster's directory with them",
    () => {
      const run = spawnSync("kubectl", ["kustomize", path.join(base.root, "out/clusters/prod-ap-1")], { encoding: "utf8" });
      expect(run.status, run.stderr).toBe(0);
      const built = parseAllDocuments(run.stdout).map((doc) => doc.toJS());
      const names = built
        .filter((o) => o.apiVersion?.startsWith("notification.toolkit"))
        .map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`);
      expect(names.sort()).toEqual(
        [
          "Alert/payments/payments-slack-degraded",
          "Alert/payments/payments-slack-deployed",
          "Alert/payments/payments-slack-sync-failed",
          "Alert/storefront/storefront-hook-degraded",
          "Alert/storefront/storefront-hook-sync-failed",
          "Provider/payments/payments-slack",
          "Provider/storefront/storefront-hook",
        ].sort(),
      );
    },
  );

  it("the Prerequisites name notification-controller and each Secret with its keys, in the team's namespace", () => {
    const readme = base.read("out/README.md");
    expect(readme).toContain("| controller | Flux notification-controller | `flux-system` |");
    expect(readme).toContain("| Secret | `slack-bot` with `token` (the Slack app's bot token) | `payments` |");
    expect(readme).toContain("| Secret | `storefront-webhook` with `address` (the URL; `headers` optional) | `storefront` |");
  });
});

describe("other channels and teams", () => {
  it("a Teams channel: a Teams workflows service on Argo CD (the recipient is the channel's entry), an msteams Provider on Flux", async () => {
    const p = copyProject(base);
    edit(
      p,
      "stacks/platform.ts",
      '"payments-slack": { slack: { channel: "payments-alerts", secret: "slack-bot" } },',
      '"payments-teams": { teams: { secret: "teams-flow" } },',
    );
    edit(p, "stacks/platform.ts", 'channel: "payments-slack"', 'channel: "payments-teams"');
    await synth({ root: p.root, skipTypecheck: true });
    expect(subscriptions(objects(p, "out/clusters/prod-us-1/apps/payments.yaml")[0])).toEqual({
      [`${SUBSCRIBE}on-sync-failed.payments-teams`]: "payments-teams",
      [`${SUBSCRIBE}on-health-degraded.payments-teams`]: "payments-teams",
      [`${SUBSCRIBE}on-deployed.payments-teams`]: "payments-teams",
    });
    const [provider] = objects(p, "out/clusters/prod-ap-1/notifications/payments.yaml");
    expect(provider.spec).toEqual({ type: "msteams", secretRef: { name: "teams-flow" } });
    const readme = p.read("out/README.md");
    expect(readme).toContain("`service.teams-workflows.payments-teams` (`recipientUrls: { payments-teams: $payments-teams-url }`)");
    expect(readme).toContain("| Secret | `teams-flow` with `address` (the Teams workflow's URL) | `payments` |");
  });

  it("a team that subscribes to nothing gets no annotation and no notifications file", async () => {
    const p = copyProject(base);
    edit(p, "stacks/platform.ts", `\n      notify: [{ channel: "storefront-hook", ${STOREFRONT_ON} }] },`, " },");
    await synth({ root: p.root, skipTypecheck: true });
    expect(p.exists("out/clusters/prod-ap-1/notifications/storefront.yaml")).toBe(false);
    expect(p.exists("out/clusters/prod-ap-1/notifications/payments.yaml")).toBe(true);
    expect(subscriptions(objects(p, "out/clusters/prod-us-1/apps/search.yaml")[0])).toEqual({});
    // The channel nobody reads is no one's prerequisite.
    expect(p.read("out/README.md")).not.toContain("storefront-hook");
  });
});

describe("credentials are never inline", () => {
  it("no Secret is emitted for a channel, and the output names only the Secrets", () => {
    const files = Object.entries(base.tree()).filter(([file]) => file.includes("/notifications/") || file.includes("/apps/"));
    for (const [file, content] of files) {
      for (const doc of parseAllDocuments(content)) expect(doc.toJS()?.kind, file).not.toBe("Secret");
      expect(content, file).not.toMatch(/token:|hooks\.slack\.com/);
    }
  });

  it("a webhook's URL written into the channel is refused at its line: the schema has no place for it", async () => {
    const p = copyProject(base);
    edit(
      p,
      "stacks/platform.ts",
      '{ webhook: { secret: "storefront-webhook" } }',
      '{ webhook: { url: "https://hooks.example.com/services/T0/B0/abc" } }',
    );
    const found = await failsAt(p, "validate/unknown-property", "stacks/platform.ts", "hooks.example.com");
    expect(found.message).toBe('unknown property "url"');
  });

  it("a Slack token written where the Secret's name goes fails synth, and nothing is written", async () => {
    const p = copyProject(base);
    // Built from parts, so that this file holds no token the repository's own scan would flag.
    const token = `${"xo"}xb-${"1".repeat(12)}-${"abcd".repeat(3)}`;
    edit(p, "stacks/platform.ts", 'secret: "slack-bot"', `secret: "${token}"`);
    const before = p.tree();
    const diagnostics = await rejection(synth({ root: p.root, skipTypecheck: true }));
    expect(show(diagnostics)).toMatch(/Slack token/);
    expect(p.tree()).toEqual(before);
  });
});

describe("a channel or event that does not exist is an error at its line", () => {
  it("an unknown channel, with the spelling it likely meant", async () => {
    const p = copyProject(base);
    edit(p, "stacks/platform.ts", 'channel: "payments-slack"', 'channel: "payments-slak"');
    const found = await failsAt(p, "validate/unknown-channel", "stacks/platform.ts", '"payments-slak"');
    expect(found.message).toContain('subscribes to channel "payments-slak"');
    expect(found.hint).toBe('did you mean "payments-slack"?');
  });

  it("an unknown event, with the spelling it likely meant", async () => {
    const p = copyProject(base);
    edit(p, "stacks/platform.ts", PAYMENTS_ON, 'on: ["sync-failed", "degraded", "deployd"]');
    const found = await failsAt(p, "validate/invalid", "stacks/platform.ts", '"deployd"');
    expect(found.message).toContain('unknown event "deployd"; did you mean "deployed"?');
  });

  it("an unknown event is a type error at its line, before anything runs", async () => {
    const p = copyProject(base);
    edit(p, "stacks/platform.ts", PAYMENTS_ON, 'on: ["sync-failed", "degraded", "deployd"]');
    const diagnostics = await rejection(synth({ root: p.root }));
    expect(
      diagnostics.every((d) => d.code.startsWith("typecheck/")),
      show(diagnostics),
    ).toBe(true);
    expectAt(diagnostics[0]!, "stacks/platform.ts", lineOf(p.read("stacks/platform.ts"), '"deployd"'));
  });

  it("a channel listed twice by one team", async () => {
    const p = copyProject(base);
    edit(
      p,
      "stacks/platform.ts",
      `notify: [{ channel: "storefront-hook", ${STOREFRONT_ON} }]`,
      `notify: [{ channel: "storefront-hook", ${STOREFRONT_ON} },\n        { channel: "storefront-hook", on: ["deployed"] }]`,
    );
    await failsAt(p, "validate/duplicate-subscription", "stacks/platform.ts", 'on: ["deployed"]');
  });
});

describe("a change of one team's subscriptions", () => {
  it("changes only that team's files, and renders only its instances again", async () => {
    const p = copyProject(base, ["stacks", "out", "CODEOWNERS", "node_modules/.cache/sluice"]);
    const before = p.tree();
    edit(p, "stacks/platform.ts", STOREFRONT_ON, 'on: ["sync-failed", "degraded", "sync-succeeded"]');
    const result = await synth({ root: p.root, skipTypecheck: true });
    const after = p.tree();
    const changed = Object.keys({ ...before, ...after })
      .filter((file) => before[file] !== after[file])
      .sort();
    const storefront = new Set(
      Object.keys(before).filter(
        (file) =>
          /^clusters\/[^/]+\/apps\//.test(file) && objects(base, `out/${file}`)[0]?.metadata?.labels?.["sluice.dev/team"] === "storefront",
      ),
    );
    const argoStorefront = [...storefront].filter((file) => !file.startsWith("clusters/prod-ap-1/"));
    expect(argoStorefront.length).toBeGreaterThan(0);
    // README: the Argo CD clusters' Prerequisites now list trigger.on-sync-succeeded.
    expect(changed).toEqual([...argoStorefront, "README.md", "clusters/prod-ap-1/notifications/storefront.yaml"].sort());
    for (const file of argoStorefront)
      expect(subscriptions(objects(p, `out/${file}`)[0])).toHaveProperty([`${SUBSCRIBE}on-sync-succeeded.storefront-hook`], "");
    const [, , , succeeded] = objects(p, "out/clusters/prod-ap-1/notifications/storefront.yaml");
    expect(succeeded.metadata.name).toBe("storefront-hook-sync-succeeded");
    // Every storefront instance (its Flux ones too: the team's part of the render key) and no other.
    expect(result.reuse.instancesRendered).toBe(storefront.size);
  });
});
