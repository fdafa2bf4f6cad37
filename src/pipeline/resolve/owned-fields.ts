import { engineOf } from "../../engines/index.js";
import { fieldPointer, findKind } from "../../k8s/field-paths.js";
import { jsonPointer } from "../../k8s/workloads.js";
import type { CustomResources } from "../../k8s/kinds.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import type { ClusterModel } from "../../model/model.js";
import { childOrigin, type Origin } from "../../model/origin.js";
import type { OwnedField } from "../../model/owned-fields-schema.js";
import type { ResolvedOwnedField } from "../../model/resolved.js";

/**
 * The app's owned fields on one cluster, as merged (a later layer replaced the
 * list whole), with each kind's group and each path as a JSON pointer, which
 * both engines take. Validate has checked kinds and paths. An engine that
 * cannot leave fields to a field manager by name (Flux) refuses `managers`
 * on its clusters, at the line: the fields would be taken back silently.
 */
export function resolveOwnedFields(
  written: readonly OwnedField[] | undefined,
  context: { readonly cluster: ClusterModel; readonly customResources: CustomResources; readonly onCluster: string },
  where: (path: string) => Origin,
  diagnostics: Diagnostic[],
): readonly ResolvedOwnedField[] | undefined {
  if (written === undefined) return undefined;
  const engine = engineOf(context.cluster);
  return written.flatMap((field, index) => {
    const found = findKind(field.kind, context.customResources);
    if ("problem" in found) throw new Error(`owned field kind ${field.kind}: validate should have refused it`);
    if (field.managers && !engine.ignoresByManager) {
      diagnostics.push({
        code: "resolve/owned-field-managers",
        message: `owned field of ${field.kind} names field managers, which ${engine.title} cannot leave fields to${context.onCluster}`,
        origin: childOrigin(where("ownedFields"), index, "managers"),
        hint: `name the fields instead (paths: ["spec.replicas"]), in a cluster override for ${context.cluster.name} if the managers suit the others`,
      });
      return [];
    }
    const pointers = (field.paths ?? []).map((path) => {
      const segments = fieldPointer(found, path);
      if ("problem" in segments) throw new Error(`owned field path ${path}: validate should have refused it`);
      return jsonPointer(segments);
    });
    return [
      {
        group: found.group,
        kind: found.kind,
        ...(field.name !== undefined ? { name: field.name } : {}),
        pointers: [...new Set(pointers)].sort(),
        managers: [...new Set(field.managers ?? [])].sort(),
        ...(field.reason !== undefined ? { reason: field.reason } : {}),
      },
    ];
  });
}
