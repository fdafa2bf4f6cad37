/**
 * Moving a cluster between engines (issue 21): dev-1 of the example goes
 * from Argo CD to Flux and back, each way in two steps. At every state the
 * env repo passes through, the test plays what each engine on the cluster
 * would do with it — its root reads its directory as `kubectl kustomize`
 * builds it, applies what its project allows, follows a new definition of
 * itself, prunes what left when it prunes — and what the person does in
 * between (bootstrap the new engine, remove the old one as diff says). It
 * checks that no app of the cluster is ever without an owner, that never two
 * owners would prune it, and that nothing an engine deployed is ever deleted
 * in cascade. Skipping a step is refused before anything is written.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { simpleGit } from "simple-git";
import { parseAllDocuments } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { diff, synth } from "sluice";
import { exampleStacks, makeProject, type Project } from "./helpers/project.js";
import { edit, rejection } from "./helpers/stack-edit.js";

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; finalizers?: string[] };
  spec?: any;
}

const CLUSTER = "dev-1";
const LINE = '"dev-1": { environment: "dev", server:';
const FINALIZER = "resources-finalizer.argocd.argoproj.io";

/** Who deploys one app directory (apps/<app>/dev-1): an Argo CD Application or a Flux Kustomization, live on the cluster. */
interface Owner {
  readonly engine: "argocd" | "flux";
  readonly name: string;
  readonly path: string;
  readonly prune: boolean;
  /** Deleting it deletes what it deployed. */
  readonly cascade: boolean;
}

/** What runs on dev-1: each engine's root (the directory it watches) and the owners it applied. */
class Cluster {
  argoRoot?: string;
  fluxRoot?: { path: string; prune: boolean };
  readonly owners = new Map<string, Owner>();
  /** Anything deleted in cascade: a workload an engine deployed and took down with it. */
  readonly deleted: string[] = [];

  constructor(private readonly p: Project) {}

  private build(dir: string): Obj[] | undefined {
    const run = spawnSync("kubectl", ["kustomize", path.join(this.p.root, "out", dir)], { encoding: "utf8" });
    if (run.status !== 0) return undefined;
    return parseAllDocuments(run.stdout).map((d) => d.toJS() as Obj);
  }

  private remove(key: string, by: string): void {
    const owner = this.owners.get(key)!;
    if (owner.cascade) this.deleted.push(`${owner.path}, with ${key}, by ${by}`);
    this.owners.delete(key);
  }

  /** Argo CD's root syncs its directory: all or nothing, and only the kinds its project allows. */
  syncArgo(): void {
    if (this.argoRoot === undefined) return;
    const objects = this.build(this.argoRoot);
    // The root's project (sluice-platform) allows no Flux kind: the whole sync fails, nothing changes.
    if (!objects || objects.some((o) => o.apiVersion.includes(".toolkit.fluxcd.io/"))) return;
    const root = objects.find((o) => o.kind === "Application" && o.metadata.name === "root")!;
    const apps = objects.filter((o) => o.kind === "Application" && String(o.spec.source.path).startsWith("apps/"));
    const seen = new Set(apps.map((o) => `argocd/${o.metadata.name}`));
    if (root.spec.syncPolicy?.automated?.prune) {
      for (const key of [...this.owners.keys()]) if (key.startsWith("argocd/") && !seen.has(key)) this.remove(key, "Argo CD's root");
    }
    this.applyApplications(apps);
    this.argoRoot = root.spec.source.path;
  }

  /** Application objects applied to the cluster (by either root): each an owner of its app directory, as Argo CD syncs it. */
  private applyApplications(applications: readonly Obj[]): void {
    for (const app of applications) {
      this.owners.set(`argocd/${app.metadata.name}`, {
        engine: "argocd",
        name: app.metadata.name,
        path: app.spec.source.path,
        prune: app.spec.syncPolicy?.automated?.prune === true,
        cascade: (app.metadata.finalizers ?? []).includes(FINALIZER),
      });
    }
  }

  /** Flux's root reconciles its directory: it applies whatever is there (as the controller's account), follows its own new definition, prunes if it did. */
  syncFlux(): void {
    for (let pass = 0; pass < 2 && this.fluxRoot; pass++) {
      const { path: dir, prune } = this.fluxRoot;
      const objects = this.build(dir);
      if (!objects) return;
      const kustomizations = objects.filter((o) => o.kind === "Kustomization" && String(o.spec.path).startsWith("./apps/"));
      const applications = objects.filter((o) => o.kind === "Application" && String(o.spec?.source?.path).startsWith("apps/"));
      const seen = new Set(kustomizations.map((o) => `flux/${o.metadata.name}`));
      if (prune) {
        for (const key of [...this.owners.keys()]) if (key.startsWith("flux/") && !seen.has(key)) this.remove(key, "Flux's root");
      }
      for (const k of kustomizations) {
        this.owners.set(`flux/${k.metadata.name}`, {
          engine: "flux",
          name: k.metadata.name,
          path: k.spec.path.replace(/^\.\//, ""),
          prune: k.spec.prune === true,
          cascade: k.spec.prune === true,
        });
      }
      // Argo CD's objects in the directory are applied as they are, and Argo CD acts on them.
      this.applyApplications(applications);
      // Its own definition gone from the directory (Argo CD's root is there now), it stays as it is.
      const root = objects.find((o) => o.kind === "Kustomization" && o.metadata.name === "root");
      if (!root) return;
      this.fluxRoot = { path: root.spec.path.replace(/^\.\//, ""), prune: root.spec.prune };
      if (this.fluxRoot.path === dir) return;
    }
  }

  /** `kubectl apply -k <dir>` as the step's note says. */
  bootstrap(engine: "argocd" | "flux", dir: string): void {
    if (engine === "argocd") {
      this.argoRoot = dir;
      this.syncArgo();
    } else {
      const root = this.build(dir)!.find((o) => o.kind === "Kustomization" && o.metadata.name === "root")!;
      this.fluxRoot = { path: dir, prune: root.spec.prune };
      this.syncFlux();
    }
  }

  /** The old engine's objects deleted by hand, as the handover's note says (Flux's suspended first). */
  letGo(engine: "argocd" | "flux"): void {
    for (const [key, owner] of [...this.owners]) {
      if (owner.engine !== engine) continue;
      if (engine === "flux") this.owners.delete(key);
      else this.remove(key, "deleting the Application");
    }
    if (engine === "argocd") this.argoRoot = undefined;
    else this.fluxRoot = undefined;
  }

  sync(): void {
    this.syncArgo();
    this.syncFlux();
  }

  /** Every app directory of dev-1 has an owner, at most one of them prunes, and nothing was deleted in cascade. */
  expectSafe(state: string): void {
    const dirs = Object.keys(this.p.tree())
      .filter((f) => f.startsWith("apps/") && f.endsWith(`/${CLUSTER}/manifest.yaml`))
      .map((f) => path.posix.dirname(f));
    expect(dirs.length, state).toBeGreaterThan(5);
    for (const dir of dirs) {
      const owners = [...this.owners.values()].filter((o) => o.path === dir);
      expect(owners.length, `${state}: ${dir} has no owner`).toBeGreaterThan(0);
      expect(
        owners.filter((o) => o.prune).map((o) => `${o.engine} ${o.name}`),
        `${state}: ${dir} is owned with prune on by more than one engine`,
      ).toHaveLength(Math.min(1, owners.filter((o) => o.prune).length));
    }
    expect(this.deleted, `${state}: deleted in cascade`).toEqual([]);
  }

  enginesOwning(dir: string): string[] {
    return [...new Set([...this.owners.values()].filter((o) => o.path === dir).map((o) => o.engine))].sort();
  }
}

const setDev1 = (p: Project, declaration: string) => {
  const text = p.read("stacks/platform.ts");
  const start = text.indexOf('"dev-1": { environment: "dev",');
  if (start === -1) throw new Error("dev-1 is no longer declared on one line of stacks/platform.ts");
  const end = text.indexOf("\n", start);
  p.write("stacks/platform.ts", `${text.slice(0, start)}${declaration}${text.slice(end)}`);
};
const dev1 = (extra: string) =>
  `"dev-1": { environment: "dev", ${extra}server: "https://dev-1.k8s.example.com", labels: { region: "eu-west" } },`;

let p: Project;
beforeAll(async () => {
  p = makeProject(exampleStacks());
  await synth({ root: p.root, skipTypecheck: true });
  const git = simpleGit(p.root);
  await git.init(["--initial-branch=main"]);
  await git.addConfig("user.email", "ci@example.com").addConfig("user.name", "CI");
  await git.add(".").commit("the example, dev-1 on Argo CD");
}, 120_000);

/** dev-1 from one engine to the other: adopt, bootstrap, hand over, remove the old engine, drop the move; safe at each state. */
async function move(cluster: Cluster, from: "argocd" | "flux", to: "argocd" | "flux"): Promise<void> {
  // The example's default engine is Argo CD: the cluster names Flux itself.
  const engine = to === "flux" ? 'engine: "flux", ' : "";
  const synthed = async (step: string) => {
    setDev1(p, dev1(`${engine}${step}`));
    return synth({ root: p.root, skipTypecheck: true });
  };
  const payments = `apps/payments/${CLUSTER}`;

  await synthed(`move: { from: "${from}", step: "adopt" }, `);
  cluster.sync();
  cluster.expectSafe(`${from} to ${to}, adopt, ${from} synced`);
  // Nothing prunes nor deletes in cascade while both engines own the apps.
  expect([...cluster.owners.values()].some((o) => o.prune || o.cascade)).toBe(false);
  cluster.bootstrap(to, `clusters/${CLUSTER}/${to}`);
  cluster.sync();
  cluster.expectSafe(`${from} to ${to}, adopt, ${to} bootstrapped`);
  expect(cluster.enginesOwning(payments)).toEqual(["argocd", "flux"]);

  await synthed(`move: { from: "${from}", step: "handover" }, `);
  cluster.sync();
  cluster.expectSafe(`${from} to ${to}, handover, both synced`);
  // The new engine prunes now (dev does); the old one's objects are still there, pruning nothing.
  expect(cluster.owners.get(`${to}/payments`)?.prune).toBe(true);
  expect(cluster.owners.get(`${from}/payments`)?.prune).toBe(false);
  cluster.letGo(from);
  cluster.sync();
  cluster.expectSafe(`${from} to ${to}, ${from} removed`);
  expect(cluster.enginesOwning(payments)).toEqual([to]);

  // Done: the move is dropped; only the root that followed leaves the env repo.
  const done = await synthed("");
  expect(done.write?.deleted).toEqual([`clusters/${CLUSTER}/${to}/kustomization.yaml`, `clusters/${CLUSTER}/${to}/root.yaml`]);
  cluster.sync();
  cluster.expectSafe(`on ${to}`);
}

describe("moving dev-1 from Argo CD to Flux and back", () => {
  it("never leaves an app without an owner, never has two owners prune it, and deletes nothing in cascade", async () => {
    const cluster = new Cluster(p);
    cluster.bootstrap("argocd", `clusters/${CLUSTER}`);
    cluster.expectSafe("before: Argo CD");
    expect(cluster.enginesOwning(`apps/payments/${CLUSTER}`)).toEqual(["argocd"]);
    // dev prunes: Argo CD's Applications delete in cascade before the move.
    expect([...cluster.owners.values()].every((o) => o.prune && o.cascade)).toBe(true);

    // Argo CD to Flux, then back.
    await move(cluster, "argocd", "flux");
    expect(cluster.fluxRoot).toEqual({ path: `clusters/${CLUSTER}`, prune: true });
    await move(cluster, "flux", "argocd");
    expect(cluster.argoRoot).toBe(`clusters/${CLUSTER}`);
    expect(cluster.owners.get("argocd/payments")).toMatchObject({ prune: true, cascade: true });

    setDev1(p, dev1(""));
    await synth({ root: p.root, skipTypecheck: true });
    // Where it started, byte for byte.
    const git = simpleGit(p.root);
    expect((await git.status()).files.map((f) => f.path).filter((f) => f.startsWith("out/"))).toEqual([]);
  }, 240_000);
});

describe("a step skipped", () => {
  it("an engine changed without a move is refused before anything is written, naming the two steps", async () => {
    const q = makeProject(exampleStacks());
    await synth({ root: q.root, skipTypecheck: true });
    const before = q.tree();
    edit(q, "stacks/platform.ts", LINE, '"dev-1": { environment: "dev", engine: "flux", server:');
    const [d, ...rest] = await rejection(synth({ root: q.root, skipTypecheck: true }));
    expect(rest).toEqual([]);
    expect(d!.code).toBe("validate/engine-change");
    expect(d!.origin?.file).toBe("stacks/platform.ts");
    expect(d!.hint).toContain('move: { from: "argocd", step: "adopt" }');
    expect(q.tree()).toEqual(before);
  });

  it("a handover before the adoption is refused at the move's line", async () => {
    const q = makeProject(exampleStacks());
    await synth({ root: q.root, skipTypecheck: true });
    const before = q.tree();
    setDev1(q, dev1('engine: "flux", move: { from: "argocd", step: "handover" }, '));
    const [d] = await rejection(synth({ root: q.root, skipTypecheck: true }));
    expect(d!.code).toBe("validate/engine-move-step");
    expect(d!.message).toContain("the adoption comes first");
    expect(q.tree()).toEqual(before);
  });

  it("a move to the engine the cluster runs, or of a spoke, is refused at its line", async () => {
    const q = makeProject(exampleStacks());
    setDev1(q, dev1('move: { from: "argocd", step: "adopt" }, '));
    const [same] = await rejection(synth({ root: q.root, skipTypecheck: true }));
    expect(same!.code).toBe("validate/move-to-same-engine");
    const r = makeProject(exampleStacks());
    edit(
      r,
      "stacks/platform.ts",
      'managedBy: { hub: "prod-us-1", credentials: { key:',
      'move: { from: "flux", step: "adopt" },\n      managedBy: { hub: "prod-us-1", credentials: { key:',
    );
    const found = await rejection(synth({ root: r.root, skipTypecheck: true }));
    expect(found.map((x) => x.code)).toContain("validate/move-spoke");
  });
});

describe("sluice diff on a move", () => {
  it("explains the step: what it does to ownership and what to do after the merge", async () => {
    const q = makeProject(exampleStacks());
    await synth({ root: q.root, skipTypecheck: true });
    const git = simpleGit(q.root);
    await git.init(["--initial-branch=main"]);
    await git.addConfig("user.email", "ci@example.com").addConfig("user.name", "CI");
    await git.add(".").commit("base");
    setDev1(q, dev1('engine: "flux", move: { from: "argocd", step: "adopt" }, '));
    const adopt = await diff({ root: q.root, skipTypecheck: true });
    const note = adopt.attention.find((n) => n.kind === "engine-move")!;
    expect(note.cluster).toBe(CLUSTER);
    expect(note.message).toContain("step 1 of 2 (adopt)");
    expect(note.message).toContain(`kubectl apply -k clusters/${CLUSTER}/flux`);
    // Argo CD's Applications lose their finalizer and prune: changed, nothing removed.
    expect(adopt.attention.filter((n) => n.kind === "deletions" && n.cluster === CLUSTER)).toEqual([]);
    await synth({ root: q.root, skipTypecheck: true });
    await git.add(".").commit("adopt");
    setDev1(q, dev1('engine: "flux", move: { from: "argocd", step: "handover" }, '));
    const handover = await diff({ root: q.root, skipTypecheck: true });
    const second = handover.attention.find((n) => n.kind === "engine-move")!;
    expect(second.message).toContain("step 2 of 2 (handover)");
    expect(second.message).toContain(`kubectl -n argocd delete applications.argoproj.io -l sluice.dev/cluster=${CLUSTER}`);
    // What leaves the env repo is deleted by nobody: orphaned until that command, never "deletes".
    expect(handover.attention.filter((n) => n.kind === "deletions" && n.cluster === CLUSTER)).toEqual([]);
    expect(handover.attention.some((n) => n.kind === "orphaned" && n.cluster === CLUSTER)).toBe(true);
  });
});
