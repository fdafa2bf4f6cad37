/**
 * Issue 16, the Argo CD / Flux / output defects: what each engine's objects
 * must carry for a real controller to do what the stacks say — Flux
 * HelmReleases that can install and retry, revisions Flux can resolve,
 * Applications that retry and regenerate only on their own changes, tenant
 * sources that hold only what the tenant reads, sealed ciphertext the
 * controller can open, labels on generated Secrets, and caller ports.
 */
import { randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { synth } from "sluice";
import { onlyPaths } from "../src/engines/flux/source.js";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { copyProject, type Project } from "./helpers/project.js";
import { edit, failsAt } from "./helpers/stack-edit.js";

let base: Project;
beforeAll(() => {
  base = synthesizedExample();
});

const copy = () => copyProject(base);

/** Parsed YAML, asserted field by field. */
function objects(p: Project, file: string): any[] {
  return parseAllDocuments(p.read(file)).map((doc) => doc.toJS());
}

function git(cwd: string, ...args: string[]): string {
  const run = spawnSync("git", args, { cwd, encoding: "utf8" });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout;
}

describe("Flux HelmReleases", () => {
  it("run as helm-controller, keep Helm's records in the release's namespace, and retry a failed install or upgrade", () => {
    for (const component of ["external-secrets", "ingress-nginx"]) {
      const release = objects(base, `out/components/${component}/prod-ap-1/manifest.yaml`).find((o) => o.kind === "HelmRelease");
      // With --default-service-account=default and no account of its own, it would run as flux-system:default, which may do nothing.
      expect(release.spec.serviceAccountName).toBe("helm-controller");
      expect(release.spec.storageNamespace).toBe(release.spec.targetNamespace);
      expect(release.spec.storageNamespace).toBe(component);
      expect(release.spec.install.remediation.retries).toBeGreaterThan(0);
      expect(release.spec.upgrade.remediation.retries).toBeGreaterThan(0);
    }
  });
});

describe("an environment's revision on Flux", () => {
  const pin = (p: Project, revision: string) =>
    edit(
      p,
      "stacks/platform.ts",
      "      // Nothing is deleted in production",
      `      revision: "${revision}",\n      // Nothing is deleted in production`,
    );

  it("a plain name (a tag or a branch?) is refused at its line on a fleet with a Flux cluster in that environment", async () => {
    const p = copy();
    pin(p, "prod-2026-11-20");
    const d = await failsAt(p, "validate/flux-revision", "stacks/platform.ts", 'revision: "prod-2026-11-20"');
    expect(d.message).toContain("prod-ap-1");
    expect(d.hint).toContain('"refs/tags/prod-2026-11-20"');
    expect(d.hint).toContain('"refs/heads/prod-2026-11-20"');
  });

  it("a full reference is followed as written: ref.name on Flux, targetRevision on Argo CD", async () => {
    const p = copy();
    pin(p, "refs/tags/prod-2026-11-20");
    await synth({ root: p.root, skipTypecheck: true });
    const [source] = objects(p, "out/clusters/prod-ap-1/root.yaml");
    expect(source.spec.ref).toEqual({ name: "refs/tags/prod-2026-11-20" });
    for (const tenant of ["payments", "storefront"]) {
      expect(objects(p, `out/clusters/prod-ap-1/tenants/${tenant}.yaml`).find((o) => o.kind === "GitRepository").spec.ref).toEqual({
        name: "refs/tags/prod-2026-11-20",
      });
    }
    expect(objects(p, "out/clusters/prod-us-1/apps/payments.yaml")[0].spec.source.targetRevision).toBe("refs/tags/prod-2026-11-20");
  });

  it("Argo CD resolves a plain name as a branch or a tag: a fleet without Flux in that environment keeps it", async () => {
    const p = copy();
    pin(p, "prod-2026-11-20");
    edit(p, "stacks/platform.ts", '      engine: "flux",\n', "");
    // A fleet declared so from the start: no env repo yet that runs prod-ap-1 on Flux.
    p.remove("out");
    await synth({ root: p.root, skipTypecheck: true });
    expect(objects(p, "out/clusters/prod-ap-1/root.yaml")[0].spec.source.targetRevision).toBe("prod-2026-11-20");
  });
});

describe("Argo CD Applications", () => {
  const applications = () =>
    fs
      .readdirSync(path.join(base.root, "out/clusters"))
      .filter((cluster) => cluster !== "prod-ap-1")
      .flatMap((cluster) =>
        ["apps", "components"].flatMap((dir) =>
          fs
            .readdirSync(path.join(base.root, "out/clusters", cluster, dir))
            .filter((f) => f !== "kustomization.yaml")
            .map((f) => objects(base, `out/clusters/${cluster}/${dir}/${f}`)[0]),
        ),
      );

  it("retry a failed sync with a backoff, instead of waiting for the next commit", () => {
    const all = [...applications(), objects(base, "out/clusters/dev-1/root.yaml")[0]];
    expect(all.length).toBeGreaterThan(20);
    for (const app of all) {
      expect(app.spec.syncPolicy.retry, app.metadata.name).toEqual({
        limit: 10,
        backoff: { duration: "30s", factor: 2, maxDuration: "5m" },
      });
    }
  });

  it("regenerate their manifests only when their own directory changes", () => {
    const apps = applications().filter((app) => app.spec.source.path !== undefined);
    expect(apps.length).toBeGreaterThan(15);
    for (const app of [...apps, objects(base, "out/clusters/dev-1/root.yaml")[0]]) {
      // Relative to spec.source.path: the app's own rendered directory.
      expect(app.metadata.annotations["argocd.argoproj.io/manifest-generate-paths"], app.metadata.name).toBe(".");
    }
  });

  it("out/README.md says how long each engine waits for what an app depends on, and how an OCI chart is pinned", async () => {
    const readme = base.read("out/README.md");
    expect(readme).toContain('On Argo CD, "waited for by" holds when the root syncs the Applications in their sync waves');
    expect(readme).toContain("Flux checks `dependsOn` on every reconcile.");
    const p = copy();
    edit(
      p,
      "stacks/platform.ts",
      'chart: { repository: "https://kubernetes.github.io/ingress-nginx", name: "ingress-nginx", version: "4.13.0" },',
      `chart: { oci: "oci://ghcr.io/acme/charts/ingress-nginx", version: "4.13.0", digest: "sha256:${"ab".repeat(32)}" },`,
    );
    await synth({ root: p.root, skipTypecheck: true });
    expect(p.read("out/README.md")).toContain(
      "An OCI chart is pulled by its tag on Argo CD (the digest is recorded as `sluice.dev/chart-digest`, not enforced), by its digest on Flux.",
    );
  });

  it("no object anywhere carries an empty annotations map", () => {
    const files = base.tree();
    const empty = Object.keys(files).filter((file) => /^\s*annotations: \{\}$/m.test(files[file]!));
    expect(empty).toEqual([]);
  });
});

describe("a Flux tenant's source", () => {
  /** The files of a tree (default: the example's out/) git keeps under the GitRepository's ignore rules: git's own reading of them. */
  function kept(ignore: string, files?: readonly string[]): string[] {
    const dir = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), "sluice-ignore-"));
    try {
      if (files) {
        for (const file of files) {
          fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
          fs.writeFileSync(path.join(dir, file), "x\n");
        }
      } else fs.cpSync(path.join(base.root, "out"), dir, { recursive: true });
      git(dir, "init", "--quiet");
      fs.writeFileSync(path.join(dir, ".git/info/exclude"), ignore);
      return git(dir, "ls-files", "--others", "--exclude-standard").trim().split("\n").filter(Boolean).sort();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  it("holds exactly the directories of the team's apps on that cluster", () => {
    for (const [team, apps] of [
      ["storefront", ["catalog-api", "checkout-web", "search"]],
      ["payments", ["payments", "payments-migrate"]],
    ] as const) {
      const source = objects(base, `out/clusters/prod-ap-1/tenants/${team}.yaml`).find((o) => o.kind === "GitRepository");
      const expected = Object.keys(base.tree()).filter((file) => apps.some((app) => file.startsWith(`apps/${app}/prod-ap-1/`)));
      expect(expected.length).toBe(apps.length);
      expect(kept(source.spec.ignore)).toEqual(expected.sort());
    }
  });

  it("keeps deeper directories, below envRepo.path, and nothing beside them", () => {
    const tree = ["README.md", "deploy/README.md", "deploy/k8s/clusters/c1/root.yaml", "deploy/other/x.yaml"];
    for (const app of ["a", "b", "x"])
      for (const cluster of ["c1", "c2"])
        tree.push(`deploy/k8s/apps/${app}/${cluster}/manifest.yaml`, `deploy/k8s/apps/${app}/${cluster}/s.sops.yaml`);
    expect(kept(onlyPaths(["./deploy/k8s/apps/b/c1", "./deploy/k8s/apps/a/c1"]), tree)).toEqual([
      "deploy/k8s/apps/a/c1/manifest.yaml",
      "deploy/k8s/apps/a/c1/s.sops.yaml",
      "deploy/k8s/apps/b/c1/manifest.yaml",
      "deploy/k8s/apps/b/c1/s.sops.yaml",
    ]);
    // A team with no app on the cluster: its source holds nothing.
    expect(kept(onlyPaths([]), tree)).toEqual([]);
  });

  it("every path a team's Kustomization reads is in its source", () => {
    const source = objects(base, "out/clusters/prod-ap-1/tenants/storefront.yaml").find((o) => o.kind === "GitRepository");
    const files = kept(source.spec.ignore);
    for (const app of ["catalog-api", "checkout-web", "search"]) {
      const [kustomization] = objects(base, `out/clusters/prod-ap-1/apps/${app}.yaml`);
      const dir = kustomization.spec.path.replace(/^\.\//, "");
      expect(
        files.some((file) => file.startsWith(`${dir}/`)),
        dir,
      ).toBe(true);
    }
  });
});

describe("sealed ciphertext", () => {
  const sealed = (bytes: Buffer) => bytes.toString("base64");
  const layout = (wrapped: number, rest: number) => {
    const bytes = Buffer.concat([Buffer.alloc(2), randomBytes(wrapped + rest)]);
    bytes.writeUInt16BE(wrapped, 0);
    return bytes;
  };
  const replaceCipher = (p: Project, value: string) => {
    const text = p.read("stacks/price-sync.ts");
    const cipher = /"(Ag[A-Za-z0-9+/=]{300,})"/.exec(text)![1]!;
    edit(p, "stacks/price-sync.ts", `"client.pem":\n            "${cipher}"`, `"client.pem": "${value}"`);
  };

  it.each([
    // The example's value before issue 16: 131 characters, not padded base64, far too short.
    [
      "the old example's value",
      "AgBqbZmeOS3M7HfTVgUIKbB33DlvY3/lKsZ2CudllbnCLXWqg62VZE5svT18cg48l9ZtU9d+0TTtlC4qJB546ByeD+ncPY6EqxEWa7kCWof3ypMS4SumNzKvskBKwXX1ts9",
      /not padded base64/,
    ],
    ["base64 too short for any RSA-wrapped key", sealed(randomBytes(200)), /decodes to 200 bytes/],
    ["a wrapped key of an impossible length", sealed(layout(100, 400)), /wrapped key of 100 bytes/],
    ["a value cut short after its wrapped key", sealed(layout(512, 4)), /cut short/],
    ["base64 with stray bits", `${sealed(layout(512, 103)).slice(0, -2)}B=`, /stray bits/],
  ])("%s is refused at its line, with how to seal it again", async (_name, value, why) => {
    const p = copy();
    replaceCipher(p, value);
    const d = await failsAt(p, "validate/invalid", "stacks/price-sync.ts", value.slice(0, 40));
    expect(d.message).toMatch(why);
    expect(d.message).toMatch(/kubeseal --raw/);
    expect(d.hint).toMatch(/kubeseal --raw --namespace <namespace> --name <app>-<name>/);
  });

  it.each([
    ["2048-bit", 256],
    ["4096-bit", 512],
  ])("ciphertext as kubeseal writes it for a %s key passes", async (_name, wrapped) => {
    const p = copy();
    const value = sealed(layout(wrapped, 16 + 900));
    replaceCipher(p, value);
    await synth({ root: p.root, skipTypecheck: true });
    expect(p.read("out/apps/price-sync/dev-1/manifest.yaml")).toContain(value);
  });
});

describe("labels", () => {
  it("the Secret a SealedSecret unseals to gets the recommended labels from its template", () => {
    const sealedSecret = objects(base, "out/apps/price-sync/dev-1/manifest.yaml").find((o) => o.kind === "SealedSecret");
    expect(sealedSecret.spec.template.metadata.labels).toEqual({
      "app.kubernetes.io/instance": "price-sync",
      "app.kubernetes.io/managed-by": "sluice",
      "app.kubernetes.io/name": "price-sync",
      "app.kubernetes.io/part-of": "storefront",
    });
  });

  it("part-of is the team's system by default, not the app's own name; partOf names another", async () => {
    const deployment = objects(base, "out/apps/catalog-api/dev-1/manifest.yaml").find((o) => o.kind === "Deployment");
    expect(deployment.metadata.labels["app.kubernetes.io/part-of"]).toBe("storefront");
    expect(objects(base, "out/clusters/dev-1/apps/catalog-api.yaml")[0].metadata.labels["app.kubernetes.io/part-of"]).toBe("storefront");
    const p = copy();
    edit(p, "stacks/catalog-api.ts", '  team: "storefront",', '  team: "storefront",\n  partOf: "shop",');
    await synth({ root: p.root, skipTypecheck: true });
    expect(
      objects(p, "out/apps/catalog-api/dev-1/manifest.yaml").find((o) => o.kind === "Deployment").metadata.labels[
        "app.kubernetes.io/part-of"
      ],
    ).toBe("shop");
  });
});

describe("caller ports", () => {
  it("each caller reaches only the ports it names: payments' API from the storefront, its metrics from monitoring", () => {
    const policy = objects(base, "out/apps/payments/dev-1/manifest.yaml").find(
      (o) => o.kind === "NetworkPolicy" && o.metadata.name === "payments-callers",
    );
    expect(policy.spec.ingress).toEqual([
      {
        from: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "storefront" } },
            podSelector: { matchLabels: { "app.kubernetes.io/name": "checkout-web" } },
          },
        ],
        ports: [{ protocol: "TCP", port: "http" }],
      },
      {
        from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }],
        ports: [{ protocol: "TCP", port: "metrics" }],
      },
    ]);
  });

  it("a caller that names no ports may use every port of the app", async () => {
    const p = copy();
    edit(p, "stacks/payments.ts", '{ app: "checkout-web", ports: ["http"] }', '"checkout-web"');
    await synth({ root: p.root, skipTypecheck: true });
    const policy = objects(p, "out/apps/payments/dev-1/manifest.yaml").find(
      (o) => o.kind === "NetworkPolicy" && o.metadata.name === "payments-callers",
    );
    expect(policy.spec.ingress[0].ports).toEqual([
      { protocol: "TCP", port: "http" },
      { protocol: "TCP", port: "metrics" },
    ]);
  });

  it("a port the app does not declare is refused at the caller's entry", async () => {
    const p = copy();
    edit(p, "stacks/payments.ts", 'ports: ["metrics"] }', 'ports: ["metric"] }');
    const d = await failsAt(p, "resolve/caller-port", "stacks/payments.ts", 'ports: ["metric"]');
    expect(d.hint).toContain("http, metrics");
  });
});
