import fs from "node:fs";
import path from "node:path";
import { ENGINE_LIST } from "../engines/index.js";
import { apiGroup } from "../k8s/object.js";
import type { Diagnostic } from "../model/diagnostic.js";
import type { ClusterModel, PlatformModel } from "../model/model.js";

/**
 * The engine a cluster runs in an env repo on disk, by the kinds of its
 * root (clusters/<cluster>/root.yaml, or `under` it); undefined when there
 * is none (a new cluster, a spoke) or it names no engine's kind. sluice
 * writes each document's apiVersion and kind as its first two lines, so the
 * lines are read rather than the YAML parsed: this runs on every synth.
 */
function engineIn(outDir: string, cluster: string, under = ""): string | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(outDir, "clusters", cluster, under, "root.yaml"), "utf8");
  } catch {
    return undefined;
  }
  for (const match of text.matchAll(/^apiVersion: *"?([^\s"]+)"?\r?\nkind: *"?([^\s"]+)"?$/gm)) {
    const engine = ENGINE_LIST.find((e) => e.ownsKind(apiGroup(match[1]!), match[2]!));
    if (engine) return engine.name;
  }
  return undefined;
}

/**
 * A cluster changes engine in two steps (model/move-schema.ts), never at
 * once: the env repo as it is says which engine a cluster runs and whether
 * the first step was taken, so synth refuses, before it writes anything, an
 * engine changed without `move`, a handover before the adoption, and an
 * adoption of the engine that already has the cluster.
 */
export function engineMoveProblems(outDir: string, platform: Pick<PlatformModel, "clusters">): Diagnostic[] {
  const problems: Diagnostic[] = [];
  for (const cluster of platform.clusters) {
    if (cluster.managedBy) continue;
    const runs = engineIn(outDir, cluster.name);
    if (runs === undefined) continue;
    const problem = problemOf(outDir, cluster, runs);
    if (problem) problems.push(problem);
  }
  return problems;
}

function problemOf(outDir: string, cluster: ClusterModel, runs: string): Diagnostic | undefined {
  const { move } = cluster;
  const root = `out/clusters/${cluster.name}/root.yaml`;
  if (!move) {
    if (runs === cluster.engine) return undefined;
    return {
      code: "validate/engine-change",
      message: `cluster ${cluster.name} runs ${runs} in the env repo (${root}); switching it to ${cluster.engine} at once would leave both engines owning its apps, each pruning what the other applies, or none of them once ${runs}'s objects are gone`,
      origin: cluster.origin,
      hint: `move it in two steps: add move: { from: "${runs}", step: "adopt" } to the cluster, then step: "handover" once ${cluster.engine} reports the apps ready (README: "Moving a cluster between engines")`,
    };
  }
  if (move.step === "adopt" && runs !== move.from) {
    return {
      code: "validate/engine-move-step",
      message: `cluster ${cluster.name} adopts ${move.to} from ${move.from}, but the env repo already hands it to ${runs} (${root})`,
      origin: move.origin,
      hint:
        runs === move.to
          ? `keep step: "handover" until ${move.from}'s objects are removed, then drop move; to go back, move the other way: engine "${move.from}", move: { from: "${move.to}", step: "adopt" }`
          : `set move.from to "${runs}"`,
    };
  }
  if (move.step === "handover" && engineIn(outDir, cluster.name, move.to) !== move.to) {
    return {
      code: "validate/engine-move-step",
      message: `cluster ${cluster.name} hands over to ${move.to}, but the env repo has no ${move.to} beside ${runs} yet (out/clusters/${cluster.name}/${move.to}/root.yaml): the adoption comes first`,
      origin: move.origin,
      hint: `set step: "adopt", merge and bootstrap ${move.to} from clusters/${cluster.name}/${move.to}, and hand over once it reports the apps ready`,
    };
  }
  return undefined;
}
