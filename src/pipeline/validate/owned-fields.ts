import { fieldPointer, findKind } from "../../k8s/field-paths.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import type { PlatformModel } from "../../model/model.js";
import type { Origin } from "../../model/origin.js";
import type { OwnedField } from "../../model/owned-fields-schema.js";

type Layered = { readonly ownedFields?: readonly OwnedField[] | undefined };

/**
 * Each owned field an app declares, in the app and in its environment and
 * cluster overrides, checked at its line: the kind exists (Kubernetes',
 * sluice's or the platform's declared custom resources) and every path is a
 * field path of that kind's schema, with the nearest one suggested.
 */
export function ownedFieldsProblems(
  spec: Layered & { readonly environments?: Readonly<Record<string, Layered>>; readonly clusters?: Readonly<Record<string, Layered>> },
  platform: Pick<PlatformModel, "customResources">,
  at: (...path: (string | number)[]) => Origin,
): Diagnostic[] {
  const layers: [Layered, (string | number)[]][] = [
    [spec, []],
    ...Object.entries(spec.environments ?? {}).map(([name, layer]): [Layered, (string | number)[]] => [layer, ["environments", name]]),
    ...Object.entries(spec.clusters ?? {}).map(([name, layer]): [Layered, (string | number)[]] => [layer, ["clusters", name]]),
  ];
  const diagnostics: Diagnostic[] = [];
  for (const [layer, prefix] of layers) {
    (layer.ownedFields ?? []).forEach((field, index) => {
      const found = findKind(field.kind, platform.customResources);
      if ("problem" in found) {
        diagnostics.push({
          code: "validate/owned-field-kind",
          message: `owned field: ${found.problem}`,
          origin: at(...prefix, "ownedFields", index, "kind"),
          hint: found.hint,
        });
        return;
      }
      (field.paths ?? []).forEach((path, position) => {
        const pointer = fieldPointer(found, path);
        if ("problem" in pointer)
          diagnostics.push({
            code: "validate/owned-field-path",
            message: `owned field of ${field.kind}: ${pointer.problem}`,
            origin: at(...prefix, "ownedFields", index, "paths", position),
            hint: pointer.hint,
          });
      });
    });
  }
  return diagnostics;
}
