import fs from "node:fs";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import type { KubernetesObject } from "sluice";
import type { Project } from "./project.js";

/** The objects of a multi-document YAML file, as plain data. */
export function documents(text: string): KubernetesObject[] {
  return parseAllDocuments(text).map((doc) => doc.toJS() as KubernetesObject);
}

/** Each rule's emitted policy objects on a cluster, read back from the YAML in out/. */
export function emitted(project: Project, cluster: string): Map<string, KubernetesObject[]> {
  const dir = path.join(project.root, "out/clusters", cluster, "policies");
  const policies = new Map<string, KubernetesObject[]>();
  for (const file of fs.readdirSync(dir).filter((f) => f !== "kustomization.yaml"))
    policies.set(file.replace(/\.yaml$/, ""), documents(fs.readFileSync(path.join(dir, file), "utf8")));
  return policies;
}
