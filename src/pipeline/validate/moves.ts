import type { Diagnostic } from "../../model/diagnostic.js";
import { declaredEngine } from "../../model/hub.js";
import type { EngineMove } from "../../model/model.js";
import type { Origin } from "../../model/origin.js";
import { own } from "../../model/own.js";
import type { PlatformInput } from "../../model/platform-schema.js";

type At = (...path: (string | number)[]) => Origin;

/**
 * A move goes from one engine to another, on a cluster whose own engine
 * deploys in-cluster: a spoke is its hub's, and a hub's spokes need its
 * Argo CD.
 */
export function moveProblems(input: PlatformInput, at: At): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const [name, cluster] of Object.entries(input.clusters)) {
    const { move } = cluster;
    if (!move) continue;
    const to = declaredEngine(cluster, input.engine);
    if (move.from === to) {
      diagnostics.push({
        code: "validate/move-to-same-engine",
        message: `cluster ${name} moves from ${move.from} to ${to}: the same engine`,
        origin: at("clusters", name, "move", "from"),
        hint: `set the cluster's engine to the one it moves to, or leave move out`,
      });
    }
    if (cluster.managedBy) {
      diagnostics.push({
        code: "validate/move-spoke",
        message: `cluster ${name} is managed by the Argo CD of ${cluster.managedBy.hub}: it has no engine of its own to move`,
        origin: at("clusters", name, "move"),
        hint: "leave move out, or leave managedBy out first",
      });
    }
    const spokes = Object.entries(input.clusters).filter(([, other]) => other.managedBy?.hub === name);
    if (spokes.length > 0) {
      diagnostics.push({
        code: "validate/move-hub",
        message: `cluster ${name} is the hub of ${spokes.map(([spoke]) => spoke).join(", ")}, whose roots and Applications live in its Argo CD`,
        origin: at("clusters", name, "move"),
        hint: "move the spokes to another hub, or to engines of their own, first",
      });
    }
  }
  return diagnostics;
}

/** A cluster's move as the model holds it; call after moveProblems found none. */
export function moveOf(input: PlatformInput, name: string, at: At): EngineMove | undefined {
  const cluster = own(input.clusters, name);
  if (!cluster?.move) return undefined;
  return {
    from: cluster.move.from,
    to: declaredEngine(cluster, input.engine),
    step: cluster.move.step,
    origin: at("clusters", name, "move"),
  };
}
