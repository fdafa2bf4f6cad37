/**
 * Config files (`files`): one ConfigMap `<app>-files`, each file mounted
 * read-only at exactly its path (one volume per directory, with `items`,
 * never subPath), its content hashed into the pod template; refused at the
 * line where a path, a mount or the size would break.
 */
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { plan } from "sluice";
import { exampleStacks, makeProject, type Project } from "./helpers/project.js";
import { edit, expectAt, lineOf, only, rejection, withCode } from "./helpers/stack-edit.js";

interface Obj {
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  data?: Record<string, string>;
  spec?: any;
}

async function objectsOf(p: Project, app: string, cluster: string): Promise<Obj[]> {
  const planned = await plan({ root: p.root, skipTypecheck: true });
  const file = planned.plan.files.find((f) => f.path === `apps/${app}/${cluster}/manifest.yaml`)!;
  return parseAllDocuments(file.content).map((d) => d.toJS() as Obj);
}
const deployment = (objects: Obj[]) => objects.find((o) => o.kind === "Deployment")!;

const CONFIG =
  'files: {\n    "/etc/payments/config.yaml": "port: 8080\\n",\n    "/etc/payments/limits.json": "{}",\n    "/opt/hooks/pre stop.sh": "#!/bin/sh\\n",\n  },';

function withFiles(extra = ""): Project {
  const p = makeProject(exampleStacks());
  edit(p, "stacks/payments.ts", '  team: "payments",', `  team: "payments",\n  ${CONFIG}${extra}`);
  return p;
}

describe("files", () => {
  it("puts them in one ConfigMap and mounts each directory read-only with exactly its files, at their paths", async () => {
    const objects = await objectsOf(withFiles(), "payments", "staging-1");
    const configMap = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "payments-files")!;
    expect(configMap.data).toEqual({
      "etc_payments_config.yaml": "port: 8080\n",
      "etc_payments_limits.json": "{}",
      "opt_hooks_pre-stop.sh": "#!/bin/sh\n",
    });
    const pod = deployment(objects).spec.template.spec;
    const volumes = pod.volumes.filter((v: any) => v.configMap);
    expect(volumes.map((v: any) => v.configMap.items)).toEqual([
      [
        { key: "etc_payments_config.yaml", path: "config.yaml" },
        { key: "etc_payments_limits.json", path: "limits.json" },
      ],
      [{ key: "opt_hooks_pre-stop.sh", path: "pre stop.sh" }],
    ]);
    const mounts = pod.containers[0].volumeMounts.filter((m: any) => m.name.startsWith("files-"));
    expect(mounts.map((m: any) => [m.mountPath, m.readOnly, m.subPath])).toEqual([
      ["/etc/payments", true, undefined],
      ["/opt/hooks", true, undefined],
    ]);
    expect(mounts.map((m: any) => m.name)).toEqual(volumes.map((v: any) => v.name));
  });

  it("rolls the pods when a file changes: its hash is in the pod template", async () => {
    const p = withFiles();
    const before = deployment(await objectsOf(p, "payments", "staging-1")).spec.template.metadata.annotations;
    edit(p, "stacks/payments.ts", '"port: 8080\\n"', '"port: 9090\\n"');
    const after = deployment(await objectsOf(p, "payments", "staging-1")).spec.template.metadata.annotations;
    expect(before["sluice.dev/files-sha256"]).toMatch(/^[0-9a-f]{16}$/);
    expect(after["sluice.dev/files-sha256"]).not.toBe(before["sluice.dev/files-sha256"]);
    expect(after["sluice.dev/config-sha256"]).toBe(before["sluice.dev/config-sha256"]);
  });

  it("mounts them into a sidecar that lists them", async () => {
    const p = withFiles('\n  sidecars: { reloader: { files: ["/opt/hooks/pre stop.sh"] } },');
    const pod = deployment(await objectsOf(p, "payments", "staging-1")).spec.template.spec;
    expect(pod.initContainers[0].volumeMounts).toEqual([
      { name: expect.stringMatching(/^files-/), mountPath: "/opt/hooks", readOnly: true },
    ]);
  });

  it.each([
    ['"etc/relative.yaml"', "must be an absolute file path"],
    ['"/etc/../passwd"', "must be an absolute file path"],
    ['"/top-level.yaml"', "must be an absolute file path in a directory"],
  ])("refuses the path %s at its line", async (path, message) => {
    const p = makeProject(exampleStacks());
    const text = edit(p, "stacks/payments.ts", '  team: "payments",', `  team: "payments",\n  files: {\n    ${path}: "x",\n  },`);
    const d = only(await rejection(plan({ root: p.root, skipTypecheck: true })));
    expectAt(d, "stacks/payments.ts", lineOf(text, `${path}:`));
    expect(d.message).toContain(message);
  });

  it("refuses a file under a secretFiles directory, a file whose path is another's directory, and a file under a volume, at its line", async () => {
    const cases: [string, string][] = [
      ['secretFiles: { "/etc/tls": secret("db") },\n  files: {\n    "/etc/tls/extra.pem": "x",\n  },', '"/etc/tls/extra.pem"'],
      ['files: {\n    "/etc/app": "x",\n    "/etc/app/inner.yaml": "y",\n  },', '"/etc/app/inner.yaml"'],
    ];
    for (const [setting, marker] of cases) {
      const p = makeProject(exampleStacks());
      const text = edit(p, "stacks/payments.ts", '  team: "payments",', `  team: "payments",\n  ${setting}`);
      const d = only(withCode(await rejection(plan({ root: p.root, skipTypecheck: true })), "resolve/mount-path"));
      expectAt(d, "stacks/payments.ts", lineOf(text, marker));
    }
    const q = makeProject(exampleStacks());
    const text = edit(q, "stacks/search-index.ts", '"/etc/search-index/synonyms.txt"', '"/var/lib/index/conf/index.yaml"');
    const d = only(withCode(await rejection(plan({ root: q.root, skipTypecheck: true })), "resolve/mount-path"));
    expectAt(d, "stacks/search-index.ts", lineOf(text, '"/var/lib/index/conf/index.yaml"'));
    expect(d.message).toContain("volume claim data");
  });

  it("refuses more than a ConfigMap holds (1 MiB, as the API server counts it), at the files' line", async () => {
    const p = makeProject(exampleStacks());
    const text = edit(
      p,
      "stacks/payments.ts",
      '  team: "payments",',
      '  team: "payments",\n  files: {\n    "/etc/a/big.txt": "x".repeat(600 * 1024),\n    "/etc/b/big.txt": "é".repeat(300 * 1024),\n  },',
    );
    const d = only(await rejection(plan({ root: p.root, skipTypecheck: true })));
    expectAt(d, "stacks/payments.ts", lineOf(text, "files: {"));
    expect(d.message).toContain(`${600 * 1024 + 600 * 1024} bytes`);
  });

  it("refuses a sidecar listing a file the app does not have, at its line", async () => {
    const p = withFiles('\n  sidecars: {\n    reloader: { files: ["/etc/other.yaml"] },\n  },');
    const d = only(await rejection(plan({ root: p.root, skipTypecheck: true })));
    expectAt(d, "stacks/payments.ts", lineOf(p.read("stacks/payments.ts"), "reloader:"));
    expect(d.message).toContain("/etc/other.yaml");
  });

  it("finds a private key pasted into a file, at its line", async () => {
    // Built, not written out: the repository's own files are scanned too.
    const DASHES = "-".repeat(5);
    const p = makeProject(exampleStacks());
    const text = edit(
      p,
      "stacks/payments.ts",
      '  team: "payments",',
      `  team: "payments",\n  files: {\n    "/etc/payments/key.pem": "${DASHES}BEGIN RSA PRIVATE KEY${DASHES}\\nMIIE\\n${DASHES}END RSA PRIVATE KEY${DASHES}\\n",\n  },`,
    );
    const d = only(withCode(await rejection(plan({ root: p.root, skipTypecheck: true })), "secrets/plaintext"));
    expectAt(d, "stacks/payments.ts", lineOf(text, "key.pem"));
    expect(d.message).toContain("private key");
  });
});
