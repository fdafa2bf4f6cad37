/**
 * `securityContext`: what an app may change of its pods' hardened security
 * context, refused at the line that set it where the namespace's Pod
 * Security level would refuse the pods (the rules of
 * kubernetes/pod-security-admission, policy/check_*.go). In the example,
 * dev and staging are "baseline", prod "restricted".
 */
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { plan } from "sluice";
import { exampleStacks, makeProject, type Project } from "./helpers/project.js";
import { edit, expectAt, lineOf, only, rejection } from "./helpers/stack-edit.js";

async function podOf(p: Project, cluster: string): Promise<any> {
  const planned = await plan({ root: p.root, skipTypecheck: true });
  const file = planned.plan.files.find((f) => f.path === `apps/payments/${cluster}/manifest.yaml`)!;
  return (parseAllDocuments(file.content).map((d) => d.toJS()) as any[]).find((o) => o.kind === "Deployment").spec.template.spec;
}

/** payments with `setting` in its own settings, or in its prod override. */
function withSetting(setting: string, where: "app" | "prod" = "app"): { p: Project; text: string } {
  const p = makeProject(exampleStacks());
  const text =
    where === "app"
      ? edit(p, "stacks/payments.ts", '  team: "payments",', `  team: "payments",\n  ${setting}`)
      : edit(p, "stacks/payments.ts", "    prod: {\n      replicas: 4,", `    prod: {\n      replicas: 4,\n      ${setting}`);
  return { p, text };
}

describe("securityContext", () => {
  it("puts the user, group and seccomp profile on the pod, the read-only root and added capabilities on the app's container", async () => {
    const { p } = withSetting(
      'securityContext: {\n    runAsUser: 10001,\n    runAsGroup: 10001,\n    fsGroup: 2000,\n    readOnlyRootFilesystem: true,\n    capabilities: { add: ["NET_BIND_SERVICE"] },\n    seccompProfile: { type: "Localhost", localhostProfile: "profiles/payments.json" },\n  },',
    );
    const pod = await podOf(p, "prod-us-1");
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      fsGroup: 2000,
      seccompProfile: { type: "Localhost", localhostProfile: "profiles/payments.json" },
    });
    expect(pod.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { add: ["NET_BIND_SERVICE"], drop: ["ALL"] },
      readOnlyRootFilesystem: true,
    });
  });

  it("allows what baseline allows where the namespace is baseline: a capability of the runtimes' default set", async () => {
    const p = makeProject(exampleStacks());
    edit(
      p,
      "stacks/payments.ts",
      "    dev: { replicas: 1 },",
      '    dev: { replicas: 1, securityContext: { capabilities: { add: ["CHOWN"] } } },',
    );
    expect((await podOf(p, "dev-1")).containers[0].securityContext.capabilities.add).toEqual(["CHOWN"]);
  });

  it.each([
    [
      'securityContext: {\n    capabilities: { add: ["CHOWN"] },\n  },',
      "capabilities:",
      'Pod Security "restricted"',
      "check capabilities_restricted",
      "adding NET_BIND_SERVICE only",
    ],
    [
      'securityContext: {\n    capabilities: { add: ["SYS_ADMIN"] },\n  },',
      "capabilities:",
      'Pod Security "baseline"',
      "check capabilities_baseline",
      "AUDIT_WRITE, CHOWN",
    ],
    [
      "securityContext: {\n    runAsNonRoot: false,\n  },",
      "runAsNonRoot:",
      'Pod Security "restricted"',
      "check runAsNonRoot",
      "only runAsNonRoot: true",
    ],
    [
      "securityContext: {\n    runAsNonRoot: false,\n    runAsUser: 0,\n  },",
      "runAsUser:",
      'Pod Security "restricted"',
      "check runAsUser",
      "any user but 0",
    ],
    [
      'securityContext: {\n    seccompProfile: { type: "Unconfined" },\n  },',
      "seccompProfile:",
      'Pod Security "baseline"',
      "check seccompProfile_baseline",
      '"RuntimeDefault" or "Localhost"',
    ],
  ])("refuses %s at its line, naming the level, its check and what it allows", async (setting, marker, level, check, allows) => {
    const { p, text } = withSetting(setting);
    const diagnostics = await rejection(plan({ root: p.root, skipTypecheck: true }));
    const d = diagnostics.find((one) => one.message.includes(check))!;
    expect(d, JSON.stringify(diagnostics)).toBeDefined();
    expectAt(d, "stacks/payments.ts", lineOf(text, marker));
    expect(d.message).toContain(level);
    expect(d.message).toContain(allows);
  });

  it("refuses at the line of the layer that set it: an app's production override", async () => {
    const { p, text } = withSetting('securityContext: { capabilities: { add: ["SETUID"] } },', "prod");
    const d = only(await rejection(plan({ root: p.root, skipTypecheck: true })));
    expectAt(d, "stacks/payments.ts", lineOf(text, "SETUID"));
    expect(d.message).toContain('Pod Security "restricted" in namespace payments on clusters prod-ap-1, prod-eu-1, prod-us-1');
  });

  it("allows more where the platform gives the team a laxer level", async () => {
    const { p } = withSetting('securityContext: { capabilities: { add: ["SYS_ADMIN"] } },');
    edit(
      p,
      "stacks/platform.ts",
      'payments: { owners: ["@acme/payments"],',
      'payments: { podSecurity: "privileged", owners: ["@acme/payments"],',
    );
    expect((await podOf(p, "prod-us-1")).containers[0].securityContext.capabilities.add).toEqual(["SYS_ADMIN"]);
  });

  it("refuses root while runAsNonRoot holds, a Localhost profile without its file, and a capability written with CAP_, at their lines", async () => {
    for (const [setting, marker, message] of [
      ["securityContext: {\n    runAsUser: 0,\n  },", "runAsUser:", "the kubelet would refuse"],
      ['securityContext: {\n    seccompProfile: { type: "Localhost" },\n  },', "seccompProfile:", "needs a localhostProfile"],
      ['securityContext: {\n    capabilities: { add: ["CAP_NET_BIND_SERVICE"] },\n  },', "capabilities:", 'without "CAP_"'],
    ]) {
      const { p, text } = withSetting(setting!);
      const diagnostics = await rejection(plan({ root: p.root, skipTypecheck: true }));
      const d = diagnostics.find((one) => one.message.includes(message!))!;
      expect(d, JSON.stringify(diagnostics)).toBeDefined();
      expectAt(d, "stacks/payments.ts", lineOf(text, marker!));
    }
  });
});
