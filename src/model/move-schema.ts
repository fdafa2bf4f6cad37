import { z } from "zod";
import { ENGINE_NAMES } from "./engine-names.js";

/**
 * A cluster moving from one GitOps engine to another, in two steps that
 * never leave an app without an owner nor let two owners prune it:
 *
 * - "adopt": the old engine keeps its objects where they are, with pruning
 *   and cascading deletion off; the new engine's objects are written beside
 *   them, under clusters/<cluster>/<new engine>/, pruning off too. Bootstrap
 *   the new engine from there; both apply the same manifests.
 * - "handover": the new engine's objects take clusters/<cluster>/ (pruning as
 *   the environment says), and clusters/<cluster>/<new engine>/root.yaml
 *   points its root there; the old engine's objects leave the env repo. Its
 *   Applications or Kustomizations, which since "adopt" delete nothing, are
 *   then removed by hand.
 *
 * The cluster's `engine` is the one it moves to; drop `move` once the old
 * engine is gone.
 */
export const moveSchema = z.strictObject({
  /** The engine the cluster runs now, which it leaves. */
  from: z.enum(ENGINE_NAMES),
  /** "adopt" (both engines, nothing pruned), then "handover" (the new engine alone). */
  step: z.enum(["adopt", "handover"]),
});

export type MoveInput = z.input<typeof moveSchema>;
