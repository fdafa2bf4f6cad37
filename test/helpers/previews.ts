/** What the preview tests share: strict checks, and a preview built as an engine builds it. */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect } from "vitest";
import { parseAllDocuments } from "yaml";
import type { Project } from "./project.js";
import { apiServerProblems, schemaFor } from "./schemas.js";

export type Obj = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any;
};

export const objectsIn = (text: string) => parseAllDocuments(text).map((doc) => doc.toJS() as Obj);
export const objects = (p: Project, file: string) => objectsIn(p.read(file));
export const SHA = "4f1c0e7a9b2d3c4e5f60718293a4b5c6d7e8f901";
export const hasKubectl = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" }).status === 0;

export function expectStrict(list: readonly Obj[], where: string): void {
  for (const object of list) {
    const validate = schemaFor(object.apiVersion, object.kind);
    expect(validate, `${where}: no schema for ${object.apiVersion} ${object.kind}`).toBeDefined();
    expect(() => validate!(object), `${where}: ${object.kind} ${object.metadata.name}`).not.toThrow();
    expect(apiServerProblems(object), `${where}: ${object.kind} ${object.metadata.name}`).toEqual([]);
  }
}

/**
 * What an engine applies for one pull request: the preview path built with
 * kustomize under the overrides the engine sets (namespace, image, patches),
 * as an overlay beside it.
 */
export function buildWith(p: Project, dir: string, overrides: { namespace: string; images: object[]; patches?: object[] }): Obj[] {
  // Beside out/ in the project: kustomize takes a base by a relative path only.
  const overlay = fs.mkdtempSync(path.join(p.root, "overlay-"));
  try {
    fs.writeFileSync(
      path.join(overlay, "kustomization.yaml"),
      JSON.stringify({ resources: [path.relative(overlay, path.join(p.root, "out", dir))], ...overrides }),
    );
    const run = spawnSync("kubectl", ["kustomize", overlay], { encoding: "utf8" });
    expect(run.status, `kubectl kustomize ${dir}:\n${run.stderr}`).toBe(0);
    return objectsIn(run.stdout);
  } finally {
    fs.rmSync(overlay, { recursive: true, force: true });
  }
}

/** The pull request's objects, checked: all in its namespace, with its quota, its image and its host. */
export function expectPreview(built: readonly Obj[], app: string, host: string | undefined): void {
  const namespace = `pr-42-${app}`;
  expectStrict(built, `preview of ${app}`);
  expect(built.find((o) => o.kind === "Namespace")?.metadata.name).toBe(namespace);
  expect(built.filter((o) => o.kind !== "Namespace").every((o) => o.metadata.namespace === namespace)).toBe(true);
  expect(built.find((o) => o.kind === "ResourceQuota" && o.metadata.name === "sluice-quota")).toBeDefined();
  const deployment = built.find((o) => o.kind === "Deployment" && o.metadata.name === app)!;
  expect(deployment.spec.template.spec.containers[0].image).toMatch(new RegExp(`:${SHA}$`));
  if (host) expect(JSON.stringify(built.find((o) => o.kind === "Ingress" || o.kind === "HTTPRoute")!.spec)).toContain(host);
}

/** What Argo CD applies for a preview Application's source: its path built under its kustomize overrides. */
export function buildArgoSource(
  p: Project,
  source: { path: string; kustomize: { namespace: string; images: string[]; patches?: object[] } },
): Obj[] {
  const { kustomize } = source;
  const images = kustomize.images.map((image) => {
    const at = image.lastIndexOf(":");
    return { name: image.slice(0, at), newTag: image.slice(at + 1) };
  });
  return buildWith(p, source.path, {
    namespace: kustomize.namespace,
    images,
    ...(kustomize.patches ? { patches: kustomize.patches } : {}),
  });
}
