import { engineNamed } from "../engines/index.js";
import type { Model } from "../model/model.js";
import type { Attention } from "./attention.js";

/**
 * What a reviewer must know of a cluster moving between engines
 * (model/move-schema.ts): which step this is, what it does to ownership,
 * and what a person does once it is merged.
 */
export function moveNotes(model: Pick<Model, "platform">): Attention[] {
  return model.platform.clusters.flatMap((cluster): Attention[] => {
    const { move } = cluster;
    if (!move) return [];
    const from = engineNamed(move.from);
    const to = engineNamed(move.to);
    const environment = model.platform.environments.find((e) => e.name === cluster.environment)!;
    const dir = `clusters/${cluster.name}`;
    const message =
      move.step === "adopt"
        ? `${cluster.name} moves from ${from.title} to ${to.title}, step 1 of 2 (adopt): ${from.title} keeps the apps, but none of its objects prunes or deletes in cascade any more; ${to.title}'s objects are written to ${dir}/${move.to}/, pruning nothing. Both apply the same manifests. After the merge: ${to.move.bootstrap(`${dir}/${move.to}`)}; once ${to.title} reports every app ready, set step: "handover".`
        : `${cluster.name} moves from ${from.title} to ${to.title}, step 2 of 2 (handover): ${to.title}'s objects take ${dir}/ and prune as the environment says; the root bootstrapped from ${dir}/${move.to}/ follows there. ${from.title}'s objects leave the env repo but stay on the cluster, deleting nothing. After the merge, once ${to.title} reports every app ready, remove them: ${from.move.letGo(cluster.name, from.namespace({ engineSettings: model.platform.engineSettings }))}; then drop move.`;
    return [{ kind: "engine-move", cluster: cluster.name, production: environment.production, message }];
  });
}
