/**
 * Freeze windows: the example's production takes no release from Friday
 * 18:00 to Monday 09:00, Berlin time. With real git repositories and the time
 * injected (the API's `now`; the CLI's clock faked), `promote` and `gates`
 * refuse a release into a frozen wave with the window's reason, where it is
 * written and when it ends; `--force --reason` passes and the commit records
 * it; outside the window the promotion goes through. A cluster's windows add
 * to its environment's. Argo CD gets them as deny sync windows in the teams'
 * AppProjects, valid against the AppProject CRD; bad windows fail at their line.
 */
import { simpleGit } from "simple-git";
import { parse, parseAllDocuments } from "yaml";
import { afterEach, describe, expect, it, vi } from "vitest";
import { gates, promote, status, synth, type Promotion, type Refusal } from "sluice";
import { syncWindows } from "../src/engines/argocd/sync-windows.js";
import { freezeWindow } from "../src/model/freeze-schema.js";
import { activeAt } from "../src/promote/freeze.js";
import { runCli } from "./helpers/cli.js";
import { withGitIdentity } from "./helpers/git-identity.js";
import { exampleStacks, makeProject, type Project } from "./helpers/project.js";
import { setReleases } from "./helpers/releases.js";
import { schemaFor } from "./helpers/schemas.js";
import { edit, expectAt, lineOf, rejection, show } from "./helpers/stack-edit.js";

withGitIdentity();
afterEach(() => {
  vi.useRealTimers();
});

/** Wednesday 2026-11-04, 09:00 UTC: catalog-api 2.3.1 reaches staging; prod-canary (24h soak) runs 2.3.0. */
const T0 = new Date("2026-11-04T09:00:00Z");
/** Thursday noon: the soak is met and production is open. */
const THURSDAY = new Date("2026-11-05T12:00:00Z");
/** Saturday noon: inside the weekend freeze, which opened Friday 18:00 Berlin (17:00 UTC in November). */
const SATURDAY = new Date("2026-11-07T12:00:00Z");
/** Monday 09:00 Berlin, when the weekend freeze ends. */
const MONDAY_END = "2026-11-09T08:00:00Z";
const PLATFORM = "stacks/platform.ts";
const CANARY_FILE = "stacks/releases/prod-canary/catalog-api.ts";
const REASON = "Weekend freeze: nobody is on call to watch a production release";
const INCIDENT = "Incident 4711: the payments database fails over, hold production";

/** GIVEN the example, catalog-api 2.3.1 in dev and staging and 2.3.0 in production, committed at T0 on main. */
async function mainAtT0(edits: (p: Project) => void = () => {}): Promise<Project> {
  const p = makeProject(exampleStacks());
  p.write(".gitignore", "node_modules\n");
  setReleases(p, "catalog-api", { dev: "2.3.1", staging: "2.3.1", "prod-canary": "2.3.0", prod: "2.3.0" });
  edits(p);
  await synth({ root: p.root, skipTypecheck: true });
  const date = T0.toISOString();
  const git = simpleGit(p.root).env({ ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date });
  await git.init(["--initial-branch=main"]);
  await git.add(".").commit("catalog-api 2.3.1 in staging");
  return p;
}

/** The prod-eu-1 cluster (prod-canary's only one) gets a one-off incident freeze, Thursday 10:00 to 14:00 UTC. */
function incidentOnProdEu1(p: Project): void {
  edit(
    p,
    PLATFORM,
    '      labels: { region: "eu-west" },\n      env: { REGION: "eu-west" },',
    `      labels: { region: "eu-west" },\n      env: { REGION: "eu-west" },\n      freeze: [{ from: "2026-11-05T10:00:00Z", until: "2026-11-05T14:00:00Z", reason: "${INCIDENT}" }],`,
  );
}

const refusal = (result: Promotion | Refusal): Refusal => {
  expect(result, JSON.stringify(result)).toHaveProperty("refused");
  return result as Refusal;
};

async function cli(p: Project, now: Date, ...args: string[]) {
  // Only Date is faked: git and the file system run as usual, and the gates read the clock through it.
  vi.useFakeTimers({ toFake: ["Date"], now });
  try {
    return await runCli(args, { cwd: p.root, env: { NO_COLOR: "1" } });
  } finally {
    vi.useRealTimers();
  }
}

describe("a freeze window refuses a promotion before merge", () => {
  it("promote into a frozen wave is refused with the window's reason, where it is written and when it ends; outside the window it passes", async () => {
    const p = await mainAtT0();
    const windowLine = lineOf(p.read(PLATFORM), 'schedule: "0 18 * * FRI"') - 1;

    const frozen = refusal(await promote({ root: p.root, app: "catalog-api", skipTypecheck: true, now: SATURDAY }));
    expect(frozen.refused).toBe(
      `catalog-api 2.3.1 enters prod-canary, which is frozen: "${REASON}" (environment prod, ${PLATFORM}:${windowLine}; on prod-eu-1) until ${MONDAY_END} (2026-11-09 09:00 Europe/Berlin)`,
    );
    expect(frozen.hint).toContain(`ends at ${MONDAY_END}`);
    expect(frozen.hint).toContain("--force --reason");
    expect(frozen.frozen).toMatchObject({ wave: "prod-canary", clusters: ["prod-eu-1"], until: MONDAY_END });
    // Nothing was edited.
    expect(p.read(CANARY_FILE)).toContain('"prod-canary": "2.3.0"');
    // status agrees: blocked until the freeze ends, so `promote --all-ready` leaves it.
    const next = (await status({ root: p.root, now: SATURDAY })).apps.find((a) => a.app === "catalog-api")!.next;
    expect(next).toMatchObject({ state: "blocked", to: "prod-canary", reason: `frozen until ${MONDAY_END}`, readyAt: MONDAY_END });

    // Friday 16:59 UTC is a minute before the window opens; Monday 08:00 UTC is when it ends.
    for (const open of [new Date("2026-11-06T16:59:00Z"), new Date(MONDAY_END)]) {
      const result = await promote({ root: p.root, app: "catalog-api", skipTypecheck: true, now: open });
      expect(result, JSON.stringify(result)).toMatchObject({ to: "prod-canary", version: "2.3.1" });
      expect(result).not.toHaveProperty("frozen");
      await simpleGit(p.root).raw(["checkout", "--", "."]);
    }
    // And the minute it opens, it is closed.
    refusal(await promote({ root: p.root, app: "catalog-api", skipTypecheck: true, now: new Date("2026-11-06T17:00:00Z") }));
  });

  it("sluice promote exits 1 like a closed gate; --force --reason passes, and the commit records the reason and the freeze", async () => {
    const p = await mainAtT0();

    const refused = await cli(p, SATURDAY, "promote", "catalog-api", "--skip-typecheck");
    expect(refused.status, refused.stderr).toBe(1);
    expect(refused.stdout).toContain(`refused: catalog-api 2.3.1 enters prod-canary, which is frozen: "${REASON}"`);
    expect(refused.stdout).toContain(`until ${MONDAY_END} (2026-11-09 09:00 Europe/Berlin)`);

    const json = await cli(p, SATURDAY, "promote", "catalog-api", "--skip-typecheck", "--format", "json");
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, frozen: { wave: "prod-canary", until: MONDAY_END } });

    const reason = "security fix CVE-2026-0001, approved by the on-call lead";
    const forced = await cli(p, SATURDAY, "promote", "catalog-api", "--skip-typecheck", "--commit", "--force", "--reason", reason);
    expect(forced.status, forced.stdout + forced.stderr).toBe(0);
    expect(forced.stdout).toContain(`forced past the freeze of prod-canary: ${reason}`);
    const branch = "promote/catalog-api/prod-canary/2.3.1";
    const message = await simpleGit(p.root).raw(["log", "-1", "--format=%B", branch]);
    expect(message).toContain(`Sluice-Forced: ${reason}`);
    expect(message).toContain(`- Freeze: prod-canary is frozen until ${MONDAY_END} ("${REASON}", environment prod, ${PLATFORM}:`);

    // In CI on that branch, the gate stays closed (exit 1) and reports the forced reason from the trailer.
    await simpleGit(p.root).raw(["switch", branch]);
    const gate = await cli(p, SATURDAY, "gates", "--base", "main", "--format", "json");
    expect(gate.status).toBe(1);
    const result = JSON.parse(gate.stdout) as { forced: string; findings: { code: string; message: string }[] };
    expect(result.forced).toBe(reason);
    expect(result.findings.map((f) => f.code)).toEqual(["gates/frozen"]);
  });

  it("sluice gates holds a release change into a frozen wave at the release's line, exit 1, with the freeze in its JSON", async () => {
    const p = await mainAtT0();
    setReleases(p, "catalog-api", { dev: "2.3.1", staging: "2.3.1", "prod-canary": "2.3.1", prod: "2.3.0" });

    const result = await gates({ root: p.root, base: "HEAD", now: SATURDAY });
    expect(result.changes).toMatchObject([{ app: "catalog-api", wave: "prod-canary", to: "2.3.1", allowed: false }]);
    expect(result.findings).toHaveLength(1);
    const [finding] = result.findings;
    expect(finding!.code).toBe("gates/frozen");
    expect(finding!.message).toContain(`"${REASON}" (environment prod, ${PLATFORM}:`);
    expect(finding!.message).toContain(`until ${MONDAY_END}`);
    expectAt(finding!, CANARY_FILE, lineOf(p.read(CANARY_FILE), '"prod-canary": "2.3.1"'));
    expect(finding!.hint).toContain("on Argo CD clusters the window denies every sync");
    expect(finding!.hint).not.toContain("Flux");
    // Thursday: open.
    expect((await gates({ root: p.root, base: "HEAD", now: THURSDAY })).findings).toEqual([]);

    const run = await cli(p, SATURDAY, "gates", "--base", "HEAD", "--format", "json");
    expect(run.status).toBe(1);
    const json = JSON.parse(run.stdout) as { ok: boolean; changes: { frozen?: { until: string } }[]; findings: { code: string }[] };
    expect(json.ok).toBe(false);
    expect(json.changes[0]!.frozen?.until).toBe(MONDAY_END);
    expect(json.findings.map((f) => f.code)).toEqual(["gates/frozen"]);

    const text = await cli(p, THURSDAY, "gates", "--base", "HEAD");
    expect(text.status, text.stdout + text.stderr).toBe(0);
  });

  it("sluice gates holds a rollback into a frozen wave too: the frozen Argo CD clusters would not sync it either", async () => {
    const p = await mainAtT0();
    // prod-canary took 2.3.1 on Thursday; on Saturday someone rolls it back to 2.3.0.
    setReleases(p, "catalog-api", { dev: "2.3.1", staging: "2.3.1", "prod-canary": "2.3.1", prod: "2.3.0" });
    const date = THURSDAY.toISOString();
    await simpleGit(p.root)
      .env({ ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date })
      .add(".")
      .commit("promote catalog-api 2.3.1 to prod-canary");
    setReleases(p, "catalog-api", { dev: "2.3.1", staging: "2.3.1", "prod-canary": "2.3.0", prod: "2.3.0" });

    const saturday = await gates({ root: p.root, base: "HEAD", now: SATURDAY });
    expect(saturday.changes).toMatchObject([{ wave: "prod-canary", from: "2.3.1", to: "2.3.0", allowed: false }]);
    expect(saturday.findings.map((f) => f.code)).toEqual(["gates/frozen"]);
    // Outside the window the rollback is allowed, as ever.
    const friday = await gates({ root: p.root, base: "HEAD", now: new Date("2026-11-06T16:00:00Z") });
    expect(friday.findings).toEqual([]);
  });

  it("a wave of Argo CD and Flux clusters: the environment's window is told once for both, and the hint says what each engine does", async () => {
    const p = await mainAtT0();
    setReleases(p, "catalog-api", { dev: "2.3.1", staging: "2.3.1", "prod-canary": "2.3.0", prod: "2.3.1" });

    const result = await gates({ root: p.root, base: "HEAD", now: SATURDAY });
    const frozen = result.findings.filter((f) => f.code === "gates/frozen");
    expect(frozen, JSON.stringify(result.findings)).toHaveLength(1);
    expect(frozen[0]!.message).toMatch(
      new RegExp(
        `enters prod, which is frozen: "${REASON}" \\(environment prod, ${PLATFORM}:\\d+; on prod-ap-1, prod-us-1, prod-us-central-1, prod-us-west-1\\) until ${MONDAY_END}`,
      ),
    );
    expect(frozen[0]!.hint).toContain("on Argo CD clusters the window denies every sync");
    expect(frozen[0]!.hint).toContain("on Flux clusters it deploys as soon as it merges");
    expect(result.changes.find((c) => c.wave === "prod")?.frozen).toMatchObject({
      clusters: ["prod-ap-1", "prod-us-1", "prod-us-central-1", "prod-us-west-1"],
      engines: ["argocd", "flux"],
    });
  });

  it("a cluster's window adds to its environment's: an incident on prod-eu-1 closes prod-canary on a Thursday, and both reach its AppProjects", async () => {
    const p = await mainAtT0(incidentOnProdEu1);
    const incidentLine = lineOf(p.read(PLATFORM), INCIDENT);

    const refused = refusal(await promote({ root: p.root, app: "catalog-api", skipTypecheck: true, now: THURSDAY }));
    expect(refused.refused).toBe(
      `catalog-api 2.3.1 enters prod-canary, which is frozen: "${INCIDENT}" (cluster prod-eu-1, ${PLATFORM}:${incidentLine}; on prod-eu-1) until 2026-11-05T14:00:00Z`,
    );
    // On Saturday both windows would hold it; the weekend's still applies to the cluster.
    expect(refusal(await promote({ root: p.root, app: "catalog-api", skipTypecheck: true, now: SATURDAY })).refused).toContain(REASON);
    const after = await promote({ root: p.root, app: "catalog-api", skipTypecheck: true, now: new Date("2026-11-05T14:00:00Z") });
    expect(after).toMatchObject({ to: "prod-canary" });

    const windows = (cluster: string) =>
      (parse(p.read(`out/clusters/${cluster}/projects/payments.yaml`)) as { spec: { syncWindows?: unknown[] } }).spec.syncWindows;
    expect(windows("prod-eu-1")).toEqual([
      {
        kind: "deny",
        schedule: "0 18 * * FRI",
        duration: "63h",
        timeZone: "Europe/Berlin",
        applications: ["*"],
        manualSync: false,
        description: `${REASON} (sluice: freeze of environment prod in ${PLATFORM})`,
      },
      {
        kind: "deny",
        schedule: "0 10 5 11 *",
        duration: "4h",
        timeZone: "UTC",
        applications: ["*"],
        manualSync: false,
        description: `${INCIDENT} (sluice: freeze of cluster prod-eu-1 in ${PLATFORM}; one-off 2026-11-05T10:00:00.000Z to 2026-11-05T14:00:00.000Z, recurs yearly until removed)`,
      },
    ]);
    // prod-us-1 is a hub: its projects hold the environment's window once per cluster it deploys to (itself and its two spokes).
    expect(windows("prod-us-1")).toHaveLength(3);
    expect(windows("staging-1")).toBeUndefined();
    expect(p.read("out/README.md")).toContain(
      "| cluster prod-eu-1 | `prod-eu-1` | 2026-11-05T10:00:00.000Z to 2026-11-05T14:00:00.000Z, once |",
    );
  });
});

describe("when a window is open", () => {
  const weekend = freezeWindow(
    { schedule: "0 18 * * FRI", duration: "63h", timeZone: "Europe/Berlin", reason: REASON },
    { kind: "environment", name: "prod" },
    { file: PLATFORM, line: 1, column: 1 },
  );
  const open = (iso: string) => activeAt(weekend, new Date(iso))?.end.toISOString();

  it("follows the zone's calendar: 18:00 Berlin is 17:00 UTC in winter and 16:00 UTC in summer", () => {
    expect(open("2026-11-06T16:59:59Z")).toBeUndefined();
    expect(open("2026-11-06T17:00:00Z")).toBe("2026-11-09T08:00:00.000Z");
    expect(open("2026-07-03T15:59:00Z")).toBeUndefined();
    expect(open("2026-07-03T16:00:00Z")).toBe("2026-07-06T07:00:00.000Z");
    // It ends at the start plus the duration: Monday 09:00 Berlin, 07:00 UTC in July.
    expect(open("2026-07-06T06:59:59.999Z")).toBe("2026-07-06T07:00:00.000Z");
    expect(open("2026-07-06T07:00:00Z")).toBeUndefined();
    expect(open("2026-07-08T12:00:00Z")).toBeUndefined();
  });
});

describe("Argo CD sync windows", () => {
  const validate = schemaFor("argoproj.io/v1alpha1", "AppProject")!;
  const project = (syncWindowList: unknown[]) => ({
    apiVersion: "argoproj.io/v1alpha1",
    kind: "AppProject",
    metadata: { name: "payments", namespace: "argocd" },
    spec: { syncWindows: syncWindowList },
  });

  it("every AppProject of the example validates strictly against the CRD, and only the production clusters' hold a window", () => {
    const p = makeProject(exampleStacks());
    return synth({ root: p.root, skipTypecheck: true }).then(() => {
      const tree = p.tree();
      const projects = Object.entries(tree).filter(
        ([file, text]) => /^clusters\/[^/]+\/projects\/[^/]+\.yaml$/.test(file) && text.includes("kind: AppProject"),
      );
      expect(projects.length).toBeGreaterThan(8);
      for (const [file, text] of projects) {
        for (const doc of parseAllDocuments(text)) expect(() => validate(doc.toJSON() as object), file).not.toThrow();
      }
      const held = projects.filter(([, text]) => text.includes("syncWindows:")).map(([file]) => file);
      expect(held).toEqual([
        "clusters/prod-eu-1/projects/payments.yaml",
        "clusters/prod-eu-1/projects/storefront.yaml",
        "clusters/prod-us-1/projects/payments.yaml",
        "clusters/prod-us-1/projects/storefront.yaml",
      ]);
    });
  });

  it("a scope of clusters matches the project's Applications by destination instead of all of them; the CRD refuses an unknown field", () => {
    const origin = { file: PLATFORM, line: 1, column: 1, path: ["environments", "prod", "freeze", 0] };
    const window = freezeWindow(
      { from: "2026-12-24T00:00:00+01:00", until: "2026-12-27T00:30:00+01:00", reason: "Holiday freeze over Christmas", manualSync: true },
      { kind: "environment", name: "prod" },
      origin,
    );
    const scoped = syncWindows([window], { clusters: ["prod-eu-1", "prod-us-1"] });
    expect(scoped).toEqual([
      {
        kind: "deny",
        // 2026-12-24T00:00+01:00 is 23:00 UTC on the 23rd.
        schedule: "0 23 23 12 *",
        duration: "72h30m",
        timeZone: "UTC",
        clusters: ["prod-eu-1", "prod-us-1"],
        manualSync: true,
        description: expect.stringContaining("Holiday freeze over Christmas (sluice: freeze of environment prod"),
      },
    ]);
    expect(syncWindows([window])[0]).toMatchObject({ applications: ["*"] });
    expect(syncWindows([window])[0]).not.toHaveProperty("clusters");
    expect(() => validate(project(scoped))).not.toThrow();
    // The check is real: a field Argo CD's SyncWindow does not have is refused.
    expect(() => validate(project([{ ...scoped[0], reason: "x" }]))).toThrow(/reason/);
  });
});

describe("bad freeze windows fail at their line", () => {
  it("a bad cron, an unknown zone, a window that ends before it starts and one without a reason are each an error at its line", async () => {
    const p = makeProject(exampleStacks());
    edit(
      p,
      PLATFORM,
      '          reason: "Weekend freeze: nobody is on call to watch a production release",\n        },\n',
      [
        '          reason: "Weekend freeze: nobody is on call to watch a production release",',
        "        },",
        '        { schedule: "0 18 * * FRY", duration: "2h", reason: "bad cron in this window" },',
        '        { schedule: "0 18 * * 5", duration: "2h", timeZone: "Europe/Berlln", reason: "bad zone in this window" },',
        '        { from: "2026-12-27T00:00:00Z", until: "2026-12-24T00:00:00Z", reason: "backwards window here" },',
        '        { schedule: "0 18 * * 5", duration: "2 hours", reason: "bad duration in this window" },',
        '        { schedule: "0 18 * * 5", duration: "2h", reason: "short" },',
        '        { from: "2026-12-24", until: "2026-12-27T00:00:00Z", reason: "a date alone is not a time" },',
        '        { schedule: "0 0 31 2 *", duration: "2h", reason: "the 31st of February never comes" },',
        "",
      ].join("\n"),
    );
    const text = p.read(PLATFORM);
    const diagnostics = await rejection(synth({ root: p.root, skipTypecheck: true }));
    const at = (marker: string, pattern: RegExp) => {
      const found = diagnostics.find((d) => pattern.test(d.message));
      expect(found, `${pattern}:\n${show(diagnostics)}`).toBeDefined();
      expectAt(found!, PLATFORM, lineOf(text, marker));
    };
    at('"0 18 * * FRY"', /schedule "0 18 \* \* FRY" has "FRY" in its day of week/);
    at('"Europe/Berlln"', /time zone "Europe\/Berlln" is not a time zone/);
    at("backwards window here", /ends \(2026-12-24T00:00:00Z\) before it starts/);
    at('"2 hours"', /duration "2 hours" is not a duration/);
    at('reason: "short"', /say why/);
    at('"2026-12-24"', /"2026-12-24" is not an RFC 3339 time/);
    at("31st of February", /schedule "0 0 31 2 \*" never fires/);
    expect(diagnostics, show(diagnostics)).toHaveLength(7);
  });

  it("a window with no reason, or both a schedule and dates, is refused at the window", async () => {
    const p = makeProject(exampleStacks());
    edit(
      p,
      PLATFORM,
      '          reason: "Weekend freeze: nobody is on call to watch a production release",\n        },\n',
      [
        '          reason: "Weekend freeze: nobody is on call to watch a production release",',
        "        },",
        '        { schedule: "0 18 * * 5", duration: "2h" },',
        '        { schedule: "0 18 * * 5", duration: "2h", from: "2026-12-24T00:00:00Z", until: "2026-12-27T00:00:00Z", reason: "both kinds at once" },',
        "",
      ].join("\n"),
    );
    const text = p.read(PLATFORM);
    const diagnostics = await rejection(synth({ root: p.root, skipTypecheck: true }));
    const reasonless = diagnostics.find((d) => d.origin?.path?.at(-1) === "reason");
    expect(reasonless, show(diagnostics)).toBeDefined();
    expectAt(reasonless!, PLATFORM, lineOf(text, '{ schedule: "0 18 * * 5", duration: "2h" },'));
    const both = diagnostics.find((d) => /either recurring or one-off/.test(d.message));
    expect(both, show(diagnostics)).toBeDefined();
    expectAt(both!, PLATFORM, lineOf(text, "both kinds at once"));
  });
});
