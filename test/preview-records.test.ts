/**
 * Previews opened by records, for platforms whose previews name no SCM (the
 * engine cannot reach it, or the CI system has no generator): `sluice
 * preview open` writes stacks/previews/pr-<number>-<app>.ts, synth renders
 * one engine object per record, `close` deletes it, and `sweep` closes the
 * records older than the lifetime by the commit that added them. And, where
 * the platform names an SCM, `open` and `close` put the label on and off.
 */
import fs from "node:fs";
import http from "node:http";
import { simpleGit } from "simple-git";
import { beforeAll, describe, expect, it } from "vitest";
import { synth } from "sluice";
import { runCli } from "./helpers/cli.js";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { withGitIdentity } from "./helpers/git-identity.js";
import { copyProject, type Project } from "./helpers/project.js";
import { buildArgoSource, buildWith, expectPreview, expectStrict, hasKubectl, objects, SHA } from "./helpers/previews.js";
import { edit, failsAt } from "./helpers/stack-edit.js";

withGitIdentity();

let base: Project;
beforeAll(() => {
  base = synthesizedExample();
});

const SCM = '    scm: { github: { repository: "acme/shop", token: { secret: "preview-scm-token" } } },\n';

/** The example with previews opened by records: its previews name no SCM. */
function recordsProject(): Project {
  const p = copyProject(base);
  edit(p, "stacks/platform.ts", SCM, "");
  return p;
}

const cli = (p: Project, args: readonly string[], env: Record<string, string> = {}) =>
  runCli(["preview", ...args], { cwd: p.root, env: { NO_COLOR: "1", ...env } });

const record = (number: number, app: string, sha = SHA) =>
  [
    `// Pull request ${number}'s preview of ${app}, opened by \`sluice preview open\`.`,
    `// \`sluice preview close ${number}\` deletes this file, and the engine the preview.`,
    'import { platform } from "../platform.js";',
    "",
    `export default platform.preview(${number}, ${JSON.stringify(app)}, { sha: ${JSON.stringify(sha)} });`,
    "",
  ].join("\n");

describe("sluice preview open and close, by records", () => {
  it("open writes a record per app; synth makes an Application per record in the app's preview project, strictly valid, that builds", async () => {
    const p = recordsProject();
    await synth({ root: p.root, skipTypecheck: true });
    // Without an SCM nothing lists pull requests: the project stays, the ApplicationSet goes.
    expect(objects(p, "out/clusters/dev-1/previews/checkout-web.yaml").map((o) => o.kind)).toEqual(["AppProject"]);

    const run = await cli(p, ["open", "42", "--sha", SHA]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("stacks/previews/pr-42-checkout-web.ts: opened");
    expect(p.read("stacks/previews/pr-42-checkout-web.ts")).toBe(record(42, "checkout-web"));
    expect(p.read("stacks/previews/pr-42-catalog-api.ts")).toBe(record(42, "catalog-api"));

    for (const app of ["checkout-web", "catalog-api"]) {
      const [application, ...more] = objects(p, `out/clusters/dev-1/previews/pr-42-${app}.yaml`);
      expect(more).toEqual([]);
      expectStrict([application!], `the Application of pull request 42's preview of ${app}`);
      expect(application!.metadata.name).toBe(`${app}-pr-42`);
      expect(application!.spec.project).toBe(`sluice-preview-${app}`);
      expect(application!.spec.destination.namespace).toBe(`pr-42-${app}`);
      expect(application!.spec.source.kustomize.images).toEqual([`registry.example.com/storefront/${app}:${SHA}`]);
      if (!hasKubectl) continue;
      const built = buildArgoSource(p, application!.spec.source);
      expectPreview(built, app, app === "checkout-web" ? "checkout-web-pr-42.preview.example.com" : undefined);
    }
    // The root applies them: they are listed with the previews' projects.
    expect(p.read("out/clusters/dev-1/previews/kustomization.yaml")).toContain("pr-42-checkout-web.yaml");
    // Each app's team may approve its own records.
    expect(p.read("CODEOWNERS")).toContain("/stacks/previews/pr-*-checkout-web.ts @acme/storefront");
    expect((await runCli(["synth", "--check", "--skip-typecheck"], { cwd: p.root, env: { NO_COLOR: "1" } })).status).toBe(0);

    // A new push: the same record, at the new head commit.
    const next = "0123456789abcdef0123456789abcdef01234567";
    const moved = await cli(p, ["open", "42", "--sha", next, "--app", "checkout-web"]);
    expect(moved.status, moved.stderr).toBe(0);
    expect(moved.stdout).toContain("stacks/previews/pr-42-checkout-web.ts: updated");
    expect(objects(p, "out/clusters/dev-1/previews/pr-42-checkout-web.yaml")[0]!.spec.source.kustomize.images).toEqual([
      `registry.example.com/storefront/checkout-web:${next}`,
    ]);

    const closed = await cli(p, ["close", "42"]);
    expect(closed.status, closed.stderr).toBe(0);
    expect(fs.existsSync(`${p.root}/stacks/previews/pr-42-checkout-web.ts`)).toBe(false);
    expect(fs.existsSync(`${p.root}/out/clusters/dev-1/previews/pr-42-checkout-web.yaml`)).toBe(false);
    expect(p.read("out/clusters/dev-1/previews/kustomization.yaml")).not.toContain("pr-42");
  });

  it("on Flux, a Kustomization per record, in the platform's namespace, that builds", async () => {
    const p = recordsProject();
    // A new project: dev-1 was never on Argo CD.
    p.remove("out");
    edit(p, "stacks/platform.ts", '"dev-1": { environment: "dev",', '"dev-1": { environment: "dev", engine: "flux",');
    const run = await cli(p, ["open", "42", "--sha", SHA, "--app", "checkout-web"]);
    expect(run.status, run.stderr).toBe(0);
    expect(fs.existsSync(`${p.root}/out/clusters/dev-1/previews/checkout-web.yaml`)).toBe(false);
    const [kustomization] = objects(p, "out/clusters/dev-1/previews/pr-42-checkout-web.yaml");
    expectStrict([kustomization!], "the Kustomization of pull request 42's preview");
    expect(kustomization!.metadata).toMatchObject({ name: "checkout-web-pr-42", namespace: "flux-system" });
    expect(kustomization!.spec.targetNamespace).toBe("pr-42-checkout-web");
    expect(kustomization!.spec.images).toEqual([{ name: "registry.example.com/storefront/checkout-web", newTag: SHA }]);
    if (!hasKubectl) return;
    const built = buildWith(p, kustomization!.spec.path.replace(/^\.\//, ""), {
      namespace: kustomization!.spec.targetNamespace,
      images: kustomization!.spec.images,
      patches: kustomization!.spec.patches,
    });
    expectPreview(built, "checkout-web", "checkout-web-pr-42.preview.example.com");
  });

  it("refused, with nothing changed: over the cap, an app that does not preview, no head commit where the tag needs one", async () => {
    const p = recordsProject();
    for (const number of [1, 2, 3]) p.write(`stacks/previews/pr-${number}-checkout-web.ts`, record(number, "checkout-web"));
    await synth({ root: p.root, skipTypecheck: true });
    const before = p.tree();
    const full = await cli(p, ["open", "4", "--sha", SHA, "--app", "checkout-web"]);
    expect(full.status).toBe(2);
    expect(full.stderr).toContain("checkout-web already has 3 previews open (pull requests 1, 2, 3): the platform's cap");
    const payments = await cli(p, ["open", "4", "--sha", SHA, "--app", "payments"]);
    expect(payments.status).toBe(2);
    expect(payments.stderr).toContain("payments does not preview");
    const noSha = await cli(p, ["open", "4", "--app", "catalog-api"]);
    expect(noSha.status).toBe(2);
    expect(noSha.stderr).toContain('the platform\'s preview tag is "{sha}"');
    expect(p.tree()).toEqual(before);
  });

  it("where the platform names an SCM, records are refused: the label opens previews there", async () => {
    const p = copyProject(base);
    const run = await cli(p, ["open", "42", "--sha", SHA]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("--sha: the platform's previews are opened by the label");
  });
});

describe("records written by hand are checked at their lines", () => {
  it("an app the platform does not allow to preview", async () => {
    const p = recordsProject();
    p.write("stacks/previews/pr-7-payments.ts", record(7, "payments"));
    const found = await failsAt(p, "validate/preview-not-allowed", "stacks/previews/pr-7-payments.ts", "platform.preview(7");
    expect(found.message).toBe("payments may not preview: the platform's previews.apps does not list it");
  });

  it("one record beyond the cap: the last by number", async () => {
    const p = recordsProject();
    for (const number of [5, 6, 7, 8]) p.write(`stacks/previews/pr-${number}-catalog-api.ts`, record(number, "catalog-api"));
    const found = await failsAt(p, "validate/preview-cap", "stacks/previews/pr-8-catalog-api.ts", "platform.preview(8");
    expect(found.message).toBe("catalog-api already has 3 previews open (pull requests 5, 6, 7): the platform's cap");
  });

  it("a record where the platform names an SCM, and one without the head commit its tag needs", async () => {
    const labelled = copyProject(base);
    labelled.write("stacks/previews/pr-7-catalog-api.ts", record(7, "catalog-api"));
    await failsAt(labelled, "validate/preview-record", "stacks/previews/pr-7-catalog-api.ts", "platform.preview(7");
    const p = recordsProject();
    p.write("stacks/previews/pr-7-catalog-api.ts", record(7, "catalog-api").replace(`, { sha: "${SHA}" }`, ""));
    const found = await failsAt(p, "validate/preview-sha", "stacks/previews/pr-7-catalog-api.ts", "platform.preview(7");
    expect(found.hint).toContain("sluice preview open 7 --sha <commit>");
  });
});

describe("sluice preview sweep, by records", () => {
  it("closes the records whose commit is older than the lifetime, and keeps the rest; the age is the commit's, not the file's", async () => {
    const p = recordsProject();
    const now = Date.now();
    const at = (hours: number) => {
      const date = new Date(now - hours * 3_600_000).toISOString();
      return simpleGit(p.root).env({ ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date });
    };
    p.write(".gitignore", "node_modules/\n");
    await simpleGit(p.root).init(["--initial-branch=main"]);
    await synth({ root: p.root, skipTypecheck: true });
    await at(200).add(".").commit("the example");
    // #1 opened 80 hours ago (past 72h), #2 an hour ago, #3 not committed yet (its preview is not open).
    p.write("stacks/previews/pr-1-catalog-api.ts", record(1, "catalog-api"));
    await at(80).add(".").commit("open #1");
    p.write("stacks/previews/pr-2-catalog-api.ts", record(2, "catalog-api"));
    await at(1).add(".").commit("open #2");
    // A later push moved #1 to a new commit: its preview still opened when the record came.
    p.write("stacks/previews/pr-1-catalog-api.ts", record(1, "catalog-api", "abcdef1"));
    await at(0.5).add(".").commit("#1 pushed");
    p.write("stacks/previews/pr-3-catalog-api.ts", record(3, "catalog-api"));
    await synth({ root: p.root, skipTypecheck: true });

    const run = await cli(p, ["sweep", "--format", "json"]);
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.closed.map((c: { number: number }) => c.number)).toEqual([1]);
    expect(result.closed[0].why).toMatch(/^open for 3d8h \(since .*\), past the platform's lifetime of 72h$/);
    expect(result.kept.map((k: { number: number }) => k.number)).toEqual([2, 3]);
    expect(fs.existsSync(`${p.root}/stacks/previews/pr-1-catalog-api.ts`)).toBe(false);
    expect(fs.existsSync(`${p.root}/out/clusters/dev-1/previews/pr-1-catalog-api.yaml`)).toBe(false);
    expect(fs.existsSync(`${p.root}/out/clusters/dev-1/previews/pr-2-catalog-api.yaml`)).toBe(true);
  });

  it("a record whose commit is dated in the future is closed: its date would keep the preview open for ever", async () => {
    const p = recordsProject();
    const git = (date: string) => simpleGit(p.root).env({ ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date });
    p.write(".gitignore", "node_modules/\n");
    await simpleGit(p.root).init(["--initial-branch=main"]);
    p.write("stacks/previews/pr-9-catalog-api.ts", record(9, "catalog-api"));
    await synth({ root: p.root, skipTypecheck: true });
    await git(new Date(Date.now() + 30 * 86_400_000).toISOString())
      .add(".")
      .commit("from the future");
    const run = await cli(p, ["sweep"]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      /closed stacks\/previews\/pr-9-catalog-api.ts: commit [0-9a-f]{12} .* in the future: its date is refused as forged/,
    );
  });
});

describe("sluice preview open and close, by the label", () => {
  /** The example, its previews' GitHub at `api`. */
  function againstApi(api: string): Project {
    const p = copyProject(base);
    edit(p, "stacks/platform.ts", 'github: { repository: "acme/shop", token:', `github: { repository: "acme/shop", api: "${api}", token:`);
    return p;
  }

  /** A GitHub API for acme/shop: pull requests (open ones into main, #50 closed), which carry the label, and what is done to them. */
  async function fakeGitHub(labelled: number[]) {
    const calls: string[] = [];
    const server = http.createServer((request, response) => {
      const url = new URL(request.url!, "http://localhost");
      calls.push(`${request.method} ${url.pathname}`);
      const send = (status: number, body?: unknown) => {
        response.writeHead(status, { "Content-Type": "application/json" });
        response.end(body === undefined ? undefined : JSON.stringify(body));
      };
      const pull = /^\/repos\/acme\/shop\/pulls\/(\d+)$/.exec(url.pathname);
      if (request.method === "GET" && pull)
        return Number(pull[1]) > 100
          ? send(404, { message: "Not Found" })
          : send(200, { state: pull[1] === "50" ? "closed" : "open", base: { ref: pull[1] === "60" ? "release" : "main" } });
      if (request.method === "GET" && url.pathname === "/repos/acme/shop/issues")
        return send(
          200,
          labelled.map((number) => ({ number, pull_request: {} })),
        );
      if (request.method === "GET" && /\/events$/.test(url.pathname))
        return send(200, [{ event: "labeled", label: { name: "preview" }, created_at: new Date().toISOString() }]);
      if (request.method === "POST" && /\/labels$/.test(url.pathname)) return send(200, []);
      if (request.method === "DELETE" && /\/labels\/preview$/.test(url.pathname)) return send(200, []);
      send(404, { message: "Not Found" });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    return { api: `http://127.0.0.1:${port}`, calls, close: () => new Promise((resolve) => server.close(resolve)) };
  }

  it("open labels an open pull request under the cap; close takes the label off, without a comment; refusals say why", async () => {
    const github = await fakeGitHub([11, 12]);
    try {
      const p = againstApi(github.api);
      const env = { SLUICE_PREVIEW_TOKEN: "t0ken" };
      const before = p.tree();
      const opened = await cli(p, ["open", "42"], env);
      expect(opened.status, opened.stderr).toBe(0);
      expect(opened.stdout).toContain('Labelled #42 "preview"');
      expect(github.calls.filter((c) => !c.startsWith("GET"))).toEqual(["POST /repos/acme/shop/issues/42/labels"]);
      // Already labelled: nothing to do.
      expect((await cli(p, ["open", "11"], env)).stdout).toContain('#11 is labelled "preview" already');
      for (const [number, why] of [
        ["50", "pull request 50 is not open"],
        ["60", "pull request 60 goes into release, and previews are of pull requests into main"],
        ["404", "there is no pull request 404"],
      ] as const) {
        const refused = await cli(p, ["open", number], env);
        expect(refused.status).toBe(2);
        expect(refused.stderr).toContain(why);
      }
      const closed = await cli(p, ["close", "12"], env);
      expect(closed.status, closed.stderr).toBe(0);
      expect(github.calls.filter((c) => !c.startsWith("GET"))).toEqual([
        "POST /repos/acme/shop/issues/42/labels",
        "DELETE /repos/acme/shop/issues/12/labels/preview",
      ]);
      // --app and --sha have no say: the label opens every app's preview at the head commit.
      const flags = await cli(p, ["open", "43", "--app", "checkout-web"], env);
      expect(flags.status).toBe(2);
      expect(flags.stderr).toContain("--app: the platform's previews are opened by the label");
      // The stacks and out/ are the SCM's business only.
      expect(p.tree()).toEqual(before);
    } finally {
      await github.close();
    }
  });

  it("at the cap, open is refused and labels nothing", async () => {
    const github = await fakeGitHub([1, 2, 3]);
    try {
      const p = againstApi(github.api);
      const run = await cli(p, ["open", "42"], { SLUICE_PREVIEW_TOKEN: "t0ken" });
      expect(run.status).toBe(2);
      expect(run.stderr).toContain("3 pull requests already have a preview open (#1, #2, #3): the platform's cap");
      expect(github.calls.filter((c) => !c.startsWith("GET"))).toEqual([]);
    } finally {
      await github.close();
    }
  });
});
