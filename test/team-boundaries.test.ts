/**
 * Team boundaries (issue 17): a team's objects cannot replace the platform's
 * guards in its namespace, nor be taken over by another Application, and a
 * team is never granted a kind that rewrites its own rights.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { synth } from "sluice";
import { copyProject, exampleStacks, makeProject, type Project } from "./helpers/project.js";
import { edit, failsAt } from "./helpers/stack-edit.js";

let base: Project;
beforeAll(async () => {
  base = makeProject(exampleStacks());
  await synth({ root: base.root });
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
    withObject(p, `{ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "sluice-default-deny" }, spec: { podSelector: {}, ingress: [{}] } } as never`);
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
