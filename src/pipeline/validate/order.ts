import type { Diagnostic } from "../../model/diagnostic.js";
import type { Capability } from "../../model/capabilities.js";
import type { AppModel, ClusterModel, Dependency, Ordering, PlatformModel } from "../../model/model.js";
import { childOrigin, type Origin } from "../../model/origin.js";
import { own } from "../../model/own.js";
import { nameHint } from "../../model/spelling.js";

interface Node {
  readonly kind: "app" | "component";
  readonly name: string;
  readonly dependsOn: readonly string[];
  readonly origin: Origin;
  /** The clusters it runs on. */
  readonly clusters: ReadonlySet<string>;
  /** A component's capabilities (see capabilities.ts). */
  readonly provides: readonly Capability[];
}

const key = (node: Dependency) => `${node.kind}:${node.name}`;

/**
 * Checks the declared dependencies between apps and platform components and
 * lays them out per cluster. A name must be an app or a component (never
 * both), a component may wait only for components, what a node waits for must
 * run on every cluster the node runs on, and the graph has no cycle. Each
 * problem is reported at the `dependsOn` entry that declared it.
 *
 * Besides what is declared, an app waits on a cluster for the components
 * there that provide what it needs there (`needs`: an ExternalSecret needs
 * the operator, a SealedSecret the controller), so that its secrets can be
 * read before its workload starts. These edges go from an app to a component
 * only, and components never wait for apps: they cannot close a cycle.
 */
export function orderFleet(
  platform: PlatformModel,
  apps: readonly AppModel[],
  needs: (app: AppModel, cluster: ClusterModel) => readonly Capability[] = () => [],
): { order: Ordering; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const nodes = new Map<string, Node>();
  const byName = new Map<string, Node>();
  for (const component of platform.components) {
    const node: Node = {
      kind: "component",
      name: component.name,
      dependsOn: component.dependsOn,
      origin: component.origin,
      clusters: new Set(component.clusters),
      provides: component.provides,
    };
    nodes.set(key(node), node);
    byName.set(node.name, node);
  }
  for (const app of apps) {
    const clusters = new Set(platform.clusters.filter((c) => own(app.release, c.wave) !== undefined).map((c) => c.name));
    const node: Node = { kind: "app", name: app.name, dependsOn: app.dependsOn, origin: app.origin, clusters, provides: [] };
    if (byName.has(app.name)) {
      diagnostics.push({
        code: "validate/name-taken",
        message: `app ${app.name} has the name of a platform component, so dependsOn could not tell them apart`,
        origin: app.origin,
        hint: "give the app another name",
      });
      continue;
    }
    nodes.set(key(node), node);
    byName.set(node.name, node);
  }

  const edges = new Map<string, { target: Node; at: Origin }[]>();
  for (const node of nodes.values()) {
    const list: { target: Node; at: Origin }[] = [];
    node.dependsOn.forEach((name, index) => {
      const at = childOrigin(node.origin, "dependsOn", index);
      const target = byName.get(name);
      if (!target) {
        diagnostics.push({
          code: "validate/unknown-dependency",
          message: `${node.kind} ${node.name} depends on ${JSON.stringify(name)}, which is neither an app nor a platform component`,
          origin: at,
          hint: nameHint(
            name,
            [...byName.keys()].filter((n) => n !== node.name),
            "name an app declared in stacks/ or a component of the platform's",
          ),
        });
        return;
      }
      if (node.kind === "component" && target.kind === "app") {
        diagnostics.push({
          code: "validate/component-depends-on-app",
          message: `component ${node.name} depends on app ${name}; components are the platform's and come before apps`,
          origin: at,
          hint: "make the app depend on the component instead",
        });
        return;
      }
      // One problem of one dependsOn entry, however many clusters it is missing on.
      const missing = [...node.clusters].sort().filter((cluster) => !target.clusters.has(cluster));
      if (missing.length > 0) {
        const clusters = missing.join(", ");
        const one = missing.length === 1;
        diagnostics.push({
          code: "validate/dependency-not-on-cluster",
          message: `${node.kind} ${node.name} depends on ${target.kind} ${name}, which does not run on cluster${one ? "" : "s"} ${clusters}`,
          origin: at,
          hint:
            target.kind === "component"
              ? `install ${name} on ${one ? clusters : "those clusters"} (its clusters), or drop the dependency`
              : `release ${name} to ${one ? `${clusters}'s wave` : "the waves of those clusters"} first, or drop the dependency`,
        });
      }
      list.push({ target, at });
    });
    edges.set(key(node), list);
  }

  // app key → cluster → the components it waits for there because it needs what they provide.
  const implicit = new Map<string, Map<string, Node[]>>();
  const components = [...nodes.values()].filter((node) => node.kind === "component");
  for (const app of apps) {
    const node = nodes.get(key({ kind: "app", name: app.name }));
    if (!node || components.length === 0) continue;
    const byCluster = new Map<string, Node[]>();
    for (const cluster of platform.clusters) {
      if (!node.clusters.has(cluster.name)) continue;
      const wanted = needs(app, cluster);
      const providers = components.filter(
        (c) => c.clusters.has(cluster.name) && c.provides.some((capability) => wanted.includes(capability)),
      );
      if (providers.length > 0) byCluster.set(cluster.name, providers);
    }
    if (byCluster.size > 0) implicit.set(key(node), byCluster);
  }
  /** What a node waits for on a cluster: what it declared that runs there, and what it needs there. */
  const targetsOn = (cluster: string, node: Node): Node[] => {
    const declared = (edges.get(key(node)) ?? []).map(({ target }) => target).filter((target) => target.clusters.has(cluster));
    const needed = (implicit.get(key(node))?.get(cluster) ?? []).filter((target) => !declared.includes(target));
    return [...declared, ...needed];
  };

  // A cycle, reported once, at the entry that closes it, naming every member.
  const state = new Map<string, "visiting" | "done">();
  const path: Node[] = [];
  const visit = (node: Node): void => {
    state.set(key(node), "visiting");
    path.push(node);
    for (const { target, at } of edges.get(key(node)) ?? []) {
      const seen = state.get(key(target));
      if (seen === "visiting") {
        const members = [...path.slice(path.indexOf(target)), target].map((n) => n.name);
        diagnostics.push({
          code: "validate/dependency-cycle",
          message: `dependency cycle: ${members.join(" → ")}`,
          origin: at,
          hint: "remove one of these dependencies: each waits for the next, so none would ever sync",
        });
      } else if (seen === undefined) visit(target);
    }
    path.pop();
    state.set(key(node), "done");
  };
  for (const node of [...nodes.values()].sort((a, b) => (key(a) < key(b) ? -1 : 1))) if (!state.has(key(node))) visit(node);

  const depths = new Map<string, number>();
  const depthOf = (cluster: string, node: Node, hops = 0): number => {
    const id = `${cluster}\0${key(node)}`;
    const known = depths.get(id);
    if (known !== undefined) return known;
    if (hops > nodes.size) return 0; // a cycle, already reported
    let depth = 0;
    for (const target of targetsOn(cluster, node)) depth = Math.max(depth, depthOf(cluster, target, hops + 1) + 1);
    depths.set(id, depth);
    return depth;
  };
  const order: Ordering = {
    depth: (cluster, dependency) => {
      const node = nodes.get(key(dependency));
      return node ? depthOf(cluster, node) : 0;
    },
    dependencies: (cluster, dependency) => {
      const node = nodes.get(key(dependency));
      return node
        ? targetsOn(cluster, node)
            .map((target) => ({ kind: target.kind, name: target.name }))
            .sort((a, b) => (key(a) < key(b) ? -1 : 1))
        : [];
    },
  };
  return { order, diagnostics };
}
