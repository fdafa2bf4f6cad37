/**
 * Team access: a team's SSO groups get an Argo CD project role and, on Flux
 * clusters, RoleBindings in its namespaces — view, sync (reconcile) and logs
 * everywhere, deleting live objects and override only where the platform's
 * `access` allows (by default: outside production).
 *
 * The policy lines are checked by the rules Argo CD's API server applies to a
 * project role (pkg/apis/application/v1alpha1/types.go, validatePolicy, and
 * util/rbac's project-scoped resources, at v3.4, whose CRD sluice vendors),
 * written out here independently of sluice's generator.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { synth } from "sluice";
import { teamRole } from "../src/engines/argocd/project-roles.js";
import { teamAccessOf } from "../src/model/access-schema.js";
import { synthesizedExample } from "./helpers/example-fixture.js";
import { copyProject, type Project } from "./helpers/project.js";
import { schemaFor } from "./helpers/schemas.js";
import { edit, failsAt } from "./helpers/stack-edit.js";

let base: Project;
beforeAll(() => {
  base = synthesizedExample();
});

function objects(p: Project, file: string): any[] {
  return parseAllDocuments(p.read(file)).map((doc) => doc.toJS());
}

// Argo CD v3.4: util/rbac ProjectScoped, the actions validActions/validActionPatterns accept, the role name rule.
const PROJECT_SCOPED = new Set(["applications", "applicationsets", "logs", "exec", "clusters", "repositories"]);
const ACTIONS = new Set(["get", "create", "update", "delete", "sync", "override", "*"]);
const ROLE_NAME = /^[a-zA-Z0-9]([-_a-zA-Z0-9]*[a-zA-Z0-9])?$/;

/** Why Argo CD would refuse this policy line of project `project`'s role `role`, or undefined. */
function argoPolicyProblem(project: string, role: string, policy: string): string | undefined {
  const parts = policy.split(",").map((part) => part.trim());
  if (parts.length !== 6 || parts[0] !== "p") return "not of the form p, sub, res, act, obj, eft";
  const [, subject, resource, action, object, effect] = parts as [string, string, string, string, string, string];
  if (subject !== `proj:${project}:${role}`) return `subject ${subject}`;
  if (!PROJECT_SCOPED.has(resource)) return `resource ${resource}`;
  if (!ACTIONS.has(action) && !/action\/.*|update\/.*|delete\/.*/.test(action)) return `action ${action}`;
  const escaped = project.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  if (!new RegExp(`^${escaped}(/[*\\w\\-.]+)?/[*\\w\\-.]+$`).test(object)) return `object ${object}`;
  if (effect !== "allow" && effect !== "deny") return `effect ${effect}`;
  return undefined;
}

/** The effect of each (resource, action) the role names, as "applications delete/*\/*\/*\/*" → "deny". */
function effects(policies: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    policies.map((policy) => {
      const [, , resource, action, , effect] = policy.split(",").map((part) => part.trim());
      return [`${resource} ${action}`, effect!];
    }),
  );
}

describe("Argo CD: the team's project role", () => {
  it("validates strictly, passes Argo CD's policy checks, and names the team's groups", () => {
    for (const cluster of ["dev-1", "staging-1", "prod-eu-1", "prod-us-1"]) {
      for (const [team, group] of [
        ["payments", "acme:payments"],
        ["storefront", "acme:storefront"],
      ] as const) {
        const [project] = objects(base, `out/clusters/${cluster}/projects/${team}.yaml`);
        expect(() => schemaFor("argoproj.io/v1alpha1", "AppProject")!(project)).not.toThrow();
        const [role, ...others] = project.spec.roles;
        expect(others).toEqual([]);
        expect(role.name).toMatch(ROLE_NAME);
        expect(role.groups).toEqual([group]);
        for (const policy of role.policies) expect(argoPolicyProblem(team, role.name, policy), policy).toBeUndefined();
        // Only the team's own project: every line's object is "<team>/…".
        expect(role.policies.every((policy: string) => policy.includes(`, ${team}/`))).toBe(true);
      }
    }
  });

  it("views, syncs and reads logs everywhere; deletes live objects and overrides only outside production", () => {
    const roleOf = (cluster: string) => objects(base, `out/clusters/${cluster}/projects/payments.yaml`)[0].spec.roles[0];
    const always = { "applications get": "allow", "applications sync": "allow", "logs get": "allow" };
    expect(effects(roleOf("dev-1").policies)).toEqual({
      ...always,
      "applications delete/*/*/*/*": "allow",
      "applications override": "allow",
    });
    for (const production of ["prod-eu-1", "prod-us-1"]) {
      const role = roleOf(production);
      expect(effects(role.policies)).toEqual({ ...always, "applications delete/*/*/*/*": "deny", "applications override": "deny" });
      // Never the Application itself, nor exec into its pods.
      expect(role.policies.join("\n")).not.toMatch(/applications, delete, |, exec, |applications, \*, /);
    }
  });

  it("follows the platform's access: production may be allowed to delete, and dev refused to override", async () => {
    const p = copyProject(base);
    edit(
      p,
      "stacks/platform.ts",
      "  teams: {\n",
      "  access: { production: { delete: true }, nonProduction: { override: false } },\n  teams: {\n",
    );
    await synth({ root: p.root, skipTypecheck: true });
    const roleOf = (cluster: string) => effects(objects(p, `out/clusters/${cluster}/projects/payments.yaml`)[0].spec.roles[0].policies);
    expect(roleOf("prod-eu-1")).toMatchObject({ "applications delete/*/*/*/*": "allow", "applications override": "deny" });
    expect(roleOf("dev-1")).toMatchObject({ "applications delete/*/*/*/*": "allow", "applications override": "deny" });
  });

  it("a hub's project: one set of lines per cluster's Applications, each with its environment's rights", () => {
    const [role] = teamRole(
      { name: "payments", groups: ["acme:payments", "acme:oncall"] },
      [
        { objects: "*-prod-us-2", production: true },
        { objects: "*-dev-2", production: false },
      ],
      teamAccessOf(undefined),
    );
    expect(role!.groups).toEqual(["acme:payments", "acme:oncall"]);
    for (const policy of role!.policies!) expect(argoPolicyProblem("payments", role!.name, policy), policy).toBeUndefined();
    const prod = role!.policies!.filter((policy) => policy.includes("payments/*-prod-us-2"));
    const dev = role!.policies!.filter((policy) => policy.includes("payments/*-dev-2"));
    expect(prod).toHaveLength(5);
    expect(dev).toHaveLength(5);
    expect(effects(prod)).toMatchObject({
      "applications delete/*/*/*/*": "deny",
      "applications override": "deny",
      "applications sync": "allow",
    });
    expect(effects(dev)).toMatchObject({ "applications delete/*/*/*/*": "allow", "applications override": "allow" });
    expect(role!.description).toContain("in production no delete, no override");
    expect(role!.description).toContain("outside production delete of live objects, override sync");
  });

  it("a team without groups gets no role", () => {
    expect(teamRole({ name: "payments", groups: [] }, [{ objects: "*", production: false }], teamAccessOf(undefined))).toEqual([]);
  });

  it("a group Argo CD would refuse (a comma) is an error at its line", async () => {
    const p = copyProject(base);
    edit(p, "stacks/platform.ts", 'groups: ["acme:payments"]', 'groups: ["acme,payments"]');
    await failsAt(p, "validate/invalid", "stacks/platform.ts", '"acme,payments"');
  });
});

describe("Flux: the team's RoleBindings", () => {
  const access = (p: Project, team: string) =>
    objects(p, `out/clusters/prod-ap-1/tenants/${team}.yaml`).filter(
      (o) => o.metadata.labels["app.kubernetes.io/name"] === "sluice-team-access",
    );

  it("in each of the team's namespaces: view, and the team's Flux objects to read and reconcile; strictly valid; kustomize builds them", () => {
    for (const [team, namespaces, group] of [
      ["payments", ["payments"], "acme:payments"],
      ["storefront", ["storefront", "storefront-jobs"], "acme:storefront"],
    ] as const) {
      const found = access(base, team);
      for (const object of found) expect(() => schemaFor(object.apiVersion, object.kind)!(object), object.kind).not.toThrow();
      // Nothing cluster-wide, nothing outside the team's namespaces.
      expect(
        found.every((o) => ["Role", "RoleBinding"].includes(o.kind) && (namespaces as readonly string[]).includes(o.metadata.namespace)),
      ).toBe(true);
      for (const namespace of namespaces) {
        const here = found.filter((o) => o.metadata.namespace === namespace);
        const view = here.find((o) => o.metadata.name === "sluice-team-view");
        expect(view.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" });
        expect(view.subjects).toEqual([{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: group }]);
        const binding = here.find((o) => o.kind === "RoleBinding" && o.metadata.name === "sluice-team-access");
        expect(binding.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "sluice-team-access" });
        expect(binding.subjects).toEqual(view.subjects);
      }
      const home = found.find((o) => o.kind === "Role" && o.metadata.namespace === namespaces[0]);
      expect(home.rules).toContainEqual({
        apiGroups: ["kustomize.toolkit.fluxcd.io"],
        resources: ["kustomizations"],
        verbs: ["get", "list", "watch", "reconcile"],
      });
      // No patch (it would let the team rewrite its Kustomization), no suspend; prod-ap-1 is production: no delete.
      const verbs = found.filter((o) => o.kind === "Role").flatMap((role) => role.rules.flatMap((rule: any) => rule.verbs));
      expect(verbs).not.toContain("patch");
      expect(verbs).not.toContain("suspend");
      expect(verbs).not.toContain("delete");
    }
    const built = spawnSync("kubectl", ["kustomize", path.join(base.root, "out/clusters/prod-ap-1")], { encoding: "utf8" });
    expect(built.status, built.stderr).toBe(0);
    const builtKinds = parseAllDocuments(built.stdout)
      .map((doc) => doc.toJS() as any)
      .filter((o) => o.metadata?.name === "sluice-team-access");
    expect(builtKinds.map((o) => `${o.metadata.namespace}/${o.kind}`).sort()).toEqual(
      [
        "payments/Role",
        "payments/RoleBinding",
        "storefront/Role",
        "storefront/RoleBinding",
        "storefront-jobs/Role",
        "storefront-jobs/RoleBinding",
      ].sort(),
    );
  });

  it("outside production the groups may delete a pod; a team without groups gets nothing", async () => {
    const p = copyProject(base);
    edit(p, "stacks/platform.ts", '"dev-1": { environment: "dev",', '"dev-1": { engine: "flux", environment: "dev",');
    edit(p, "stacks/platform.ts", ', groups: ["acme:payments"]', "");
    // dev-1 on Flux from the start: no env repo yet that runs it on Argo CD.
    p.remove("out");
    await synth({ root: p.root, skipTypecheck: true });
    const devAccess = objects(p, "out/clusters/dev-1/tenants/storefront.yaml").filter((o) => o.kind === "Role");
    for (const role of devAccess) expect(role.rules).toContainEqual({ apiGroups: [""], resources: ["pods"], verbs: ["delete"] });
    expect(access(p, "payments")).toEqual([]);
    expect(objects(p, "out/clusters/dev-1/tenants/payments.yaml").some((o) => o.metadata.name.startsWith("sluice-team"))).toBe(false);
  });
});
