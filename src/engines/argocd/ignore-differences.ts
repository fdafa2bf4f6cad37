import { WORKLOADS, jsonPointer } from "../../k8s/workloads.js";
import type { ResolvedApp } from "../../model/resolved.js";
import { controllerOwnedFields, workloadKind } from "../../model/progressive.js";
import { RELOADER_POD_ANNOTATION, reloaderWatches } from "../../model/rotation.js";
import type { ArgoResourceIgnoreDifferences } from "./types.js";

/**
 * An Application's ignoreDifferences: what sluice knows another controller
 * writes (the HPA's replica count, Reloader's restart annotation in the pod
 * template) and the app's own `ownedFields`, as one list. One entry per
 * object (group, kind and name) or per kind (no name: all of the app's
 * objects of it); a pointer or manager an entry for the whole kind already
 * covers is not repeated on one of its objects; pointers and managers sorted.
 */
export function ignoreDifferences(app: ResolvedApp): ArgoResourceIgnoreDifferences[] {
  const workload = workloadKind(app);
  const entries = new Map<string, { group: string; kind: string; name?: string; pointers: Set<string>; managers: Set<string> }>();
  const add = (group: string, kind: string, name: string | undefined, pointers: readonly string[], managers: readonly string[]) => {
    const key = `${group}/${kind}/${name ?? ""}`;
    const entry = entries.get(key) ?? { group, kind, ...(name !== undefined ? { name } : {}), pointers: new Set(), managers: new Set() };
    for (const pointer of pointers) entry.pointers.add(pointer);
    for (const manager of managers) entry.managers.add(manager);
    entries.set(key, entry);
  };
  // The HPA owns the replica count of the Deployment it scales; without this every sync would reset it.
  if (app.spec.autoscaling !== undefined)
    add(workload.group, workload.kind, app.name, [jsonPointer(WORKLOADS["apps/Deployment"]!.replicas!)], []);
  // Reloader restarts the pods by writing an annotation into the pod template, which the env repo does not hold.
  if (reloaderWatches(app).length > 0)
    add(
      workload.group,
      workload.kind,
      app.name,
      [jsonPointer(["spec", "template", "metadata", "annotations", RELOADER_POD_ANNOTATION])],
      [],
    );
  for (const field of [...(app.spec.ownedFields ?? []), ...controllerOwnedFields(app)])
    add(field.group, field.kind, field.name, field.pointers, field.managers);

  const result: ArgoResourceIgnoreDifferences[] = [];
  for (const [, entry] of [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const wholeKind = entry.name !== undefined ? entries.get(`${entry.group}/${entry.kind}/`) : undefined;
    const pointers = [...entry.pointers].filter((pointer) => !wholeKind?.pointers.has(pointer)).sort();
    const managers = [...entry.managers].filter((manager) => !wholeKind?.managers.has(manager)).sort();
    if (pointers.length === 0 && managers.length === 0) continue;
    result.push({
      group: entry.group,
      kind: entry.kind,
      // The app's objects are in its namespace; a cluster-scoped kind's have none, so only a named object carries it.
      ...(entry.name !== undefined ? { name: entry.name, namespace: app.namespace } : {}),
      ...(pointers.length > 0 ? { jsonPointers: pointers } : {}),
      ...(managers.length > 0 ? { managedFieldsManagers: managers } : {}),
    });
  }
  return result;
}
