import type { AppModel } from "../../model/model.js";
import type { Prerequisite } from "../../model/prerequisite.js";
import type { ResolvedApp } from "../../model/resolved.js";
import { controllerOwnedFields } from "../../model/progressive.js";
import type { FluxKustomization } from "./types.js";

type IgnoreRule = NonNullable<FluxKustomization["spec"]["ignore"]>[number];

/** A regex that matches exactly this text: Flux's ignore targets are regexes, and unanchored ones match more. */
const exactly = (text: string) => `^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`;

/**
 * The app's owned fields as the Kustomization's `spec.ignore` rules (Flux
 * kustomize-controller 1.9): on a reconcile, a field another Apply manager
 * owns is stripped from what Flux applies, and one only Flux applies keeps
 * the live value (Update-type writers: a webhook, `kubectl patch`); changes
 * to them alone are not drift. One rule per kind or object, in the order the
 * app wrote them; the manifest keeps the field for the first apply.
 */
export function driftIgnore(app: ResolvedApp): IgnoreRule[] {
  return [...(app.spec.ownedFields ?? []), ...controllerOwnedFields(app)]
    .filter((field) => field.pointers.length > 0)
    .map((field) => ({
      paths: [...field.pointers],
      target: {
        group: exactly(field.group),
        kind: exactly(field.kind),
        ...(field.name !== undefined ? { name: exactly(field.name) } : {}),
      },
    }));
}

/** Whether an app declares owned fields in any layer (its settings, an environment's or a cluster's override). */
function declaresOwnedFields(app: AppModel): boolean {
  return [app.settings, ...Object.values(app.environmentOverrides), ...Object.values(app.clusterOverrides)].some((layer) => {
    const settings = layer as { ownedFields?: unknown; progressive?: unknown };
    // A progressive plan leaves fields to its controller (model/progressive.ts).
    return settings.ownedFields !== undefined || (settings.progressive !== undefined && settings.progressive !== false);
  });
}

/** `spec.ignore` is kustomize-controller 1.9's: an older one's CRD prunes it away, unseen. */
export function driftIgnorePrerequisites(apps: readonly AppModel[], namespace: string): Prerequisite[] {
  const declaring = apps.filter(declaresOwnedFields).map((app) => app.name);
  if (declaring.length === 0) return [];
  return [
    {
      what: "controller",
      name: "Flux kustomize-controller v1.9 or later (`spec.ignore` of Kustomizations)",
      namespace,
      why: `${declaring.join(", ")} ${declaring.length === 1 ? "declares" : "declare"} fields another controller owns (\`ownedFields\`), which ${declaring.length === 1 ? "its Kustomization leaves" : "their Kustomizations leave"} to it with \`spec.ignore\`; an older one's CRD drops the field without a word, and the fields are taken back on every reconcile`,
    },
  ];
}
