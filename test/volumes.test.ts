/**
 * The pod's volumes (`volumes`): a scratch directory or an existing
 * PersistentVolumeClaim, mounted into the app's container at its mountPath
 * and into the sidecars that name it; names and mount paths unique in the
 * pod, no hostPath; the claim named in the Prerequisites. (diff's call-out
 * of a removed or re-pointed volume is in diff.test.ts.)
 */
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { plan } from "sluice";
import { exampleStacks, makeProject, type Project } from "./helpers/project.js";
import { edit, expectAt, lineOf, only, rejection } from "./helpers/stack-edit.js";

interface Obj {
  kind: string;
  metadata: { name: string };
  spec?: any;
}

async function objectsOf(p: Project, app: string, cluster: string): Promise<Obj[]> {
  const planned = await plan({ root: p.root, skipTypecheck: true });
  const file = planned.plan.files.find((f) => f.path === `apps/${app}/${cluster}/manifest.yaml`)!;
  return parseAllDocuments(file.content).map((d) => d.toJS() as Obj);
}
const podOf = async (p: Project, app: string, kind: string) =>
  (await objectsOf(p, app, "staging-1")).find((o) => o.kind === kind)!.spec.template.spec;

const VOLUMES = `volumes: {
    cache: { emptyDir: { sizeLimit: "1Gi", memory: true }, mountPath: "/var/cache/payments" },
    shared: { claim: "team-shared-data", mountPath: "/data", readOnly: true },
    spool: { emptyDir: {} },
  },
  sidecars: {
    shipper: { volumeMounts: { spool: "/spool", shared: "/shared" } },
  },`;

function withVolumes(): Project {
  const p = makeProject(exampleStacks());
  edit(p, "stacks/payments.ts", '  team: "payments",', `  team: "payments",\n  ${VOLUMES}`);
  return p;
}

describe("volumes", () => {
  it("renders scratch directories and existing claims, mounted into the app's container and the sidecars that name them", async () => {
    const pod = await podOf(withVolumes(), "payments", "Deployment");
    expect(pod.volumes).toEqual([
      { name: "cache", emptyDir: { medium: "Memory", sizeLimit: "1Gi" } },
      { name: "shared", persistentVolumeClaim: { claimName: "team-shared-data", readOnly: true } },
      { name: "spool", emptyDir: {} },
    ]);
    expect(pod.containers[0].volumeMounts).toEqual([
      { name: "cache", mountPath: "/var/cache/payments" },
      { name: "shared", mountPath: "/data", readOnly: true },
    ]);
    expect(pod.initContainers[0].volumeMounts).toEqual([
      { name: "shared", mountPath: "/shared", readOnly: true },
      { name: "spool", mountPath: "/spool" },
    ]);
  });

  it("lets a sidecar of a stateful service mount the volume claim of its pod", async () => {
    const p = makeProject(exampleStacks());
    edit(p, "stacks/search-index.ts", "    exporter: {", '    exporter: {\n      volumeMounts: { data: "/index" },');
    const pod = await podOf(p, "search-index", "StatefulSet");
    expect(pod.initContainers[0].volumeMounts).toEqual([{ name: "data", mountPath: "/index" }]);
  });

  it("takes the source of the highest layer: a cluster may mount a claim where the environment had a scratch directory", async () => {
    const p = withVolumes();
    edit(
      p,
      "stacks/payments.ts",
      "    dev: { replicas: 1 },",
      '    dev: { replicas: 1 },\n    staging: { volumes: { cache: { claim: "payments-cache" } } },',
    );
    const pod = await podOf(p, "payments", "Deployment");
    expect(pod.volumes[0]).toEqual({ name: "cache", persistentVolumeClaim: { claimName: "payments-cache" } });
  });

  it.each([
    ['volumes: {\n    scratch: { mountPath: "/x" },\n  },', "stacks/payments.ts", "scratch: {", "needs one of emptyDir or claim"],
    [
      'volumes: {\n    tls: { emptyDir: {}, mountPath: "/etc/tls" },\n  },\n  secretFiles: { "/etc/tls": secret("db") },',
      "stacks/payments.ts",
      "secretFiles:",
      "where volume tls is",
    ],
    [
      'sidecars: {\n    shipper: { volumeMounts: { logs: "/logs" } },\n  },',
      "stacks/payments.ts",
      "volumeMounts",
      'mounts volume "logs", which the pod does not have',
    ],
  ])("refuses %s at its line", async (setting, file, marker, message) => {
    const p = makeProject(exampleStacks());
    const anchor = file === "stacks/payments.ts" ? '  team: "payments",' : '  team: "storefront",';
    const text = edit(p, file, anchor, `${anchor}\n  ${setting}`);
    const d = only(await rejection(plan({ root: p.root, skipTypecheck: true })));
    expectAt(d, file, lineOf(text, marker));
    expect(d.message).toContain(message);
  });

  it("refuses the name of a volume claim, at its line", async () => {
    const p = makeProject(exampleStacks());
    const text = edit(p, "stacks/search-index.ts", "  volumes: { scratch:", "  volumes: {\n    data: { emptyDir: {} },\n    scratch:");
    const d = only(await rejection(plan({ root: p.root, skipTypecheck: true })));
    expectAt(d, "stacks/search-index.ts", lineOf(text, "data: { emptyDir"));
    expect(d.message).toContain("a volume claim of the same name");
  });

  it("has no hostPath, ever: it is not a field", async () => {
    const p = makeProject(exampleStacks());
    const text = edit(
      p,
      "stacks/payments.ts",
      '  team: "payments",',
      '  team: "payments",\n  volumes: {\n    node: { hostPath: "/var/run", mountPath: "/host" },\n  },',
    );
    const d = only(await rejection(plan({ root: p.root, skipTypecheck: true })));
    expectAt(d, "stacks/payments.ts", lineOf(text, "node:"));
    expect(d.message).toContain("hostPath");
  });

  it("names the claims the pods mount in the Prerequisites, in the app's namespace", async () => {
    const readme = (await plan({ root: withVolumes().root, skipTypecheck: true })).plan.files.find((f) => f.path === "README.md")!.content;
    expect(readme).toContain(
      "| PersistentVolumeClaim | `team-shared-data` | `payments` | the pods of payments mount it; without it they stay Pending |",
    );
  });
});
