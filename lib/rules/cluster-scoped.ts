import type { InstanceRule, Violation } from "../../src/sdk.js";

/**
 * A cluster-scoped object (a ClusterRole, a CRD, a StorageClass) reaches
 * beyond the team's namespaces, so a team may add only the kinds the platform
 * granted it in `teams.<team>.clusterResources` — which also lets its Argo CD
 * project apply them. Not waivable: the grant is the way.
 */
export const noClusterScopedObjects = {
  id: "no-cluster-scoped-objects",
  description: "An app adds no cluster-scoped objects, except the kinds the platform grants its team in `teams.<team>.clusterResources`.",
  severity: "error",
  waivable: false,
  on: "instance",
  hint: 'ask the platform team to grant the kind to your team in teams.<team>.clusterResources ("<group>/<Kind>"), or to add the object to the platform\'s own objects (platform objects); or use a namespaced kind',
  check({ app, objects, context }) {
    const granted = new Set(Object.hasOwn(context.clusterResources, app.team) ? context.clusterResources[app.team] : []);
    const violations: Violation[] = [];
    for (const object of objects) {
      if (object.metadata.namespace !== undefined) continue;
      const slash = object.apiVersion.lastIndexOf("/");
      const kind = slash === -1 ? object.kind : `${object.apiVersion.slice(0, slash)}/${object.kind}`;
      if (granted.has(kind)) continue;
      violations.push({
        message: `${object.kind} ${object.metadata.name} is cluster-scoped, and team ${app.team} is not granted ${kind}`,
        object,
      });
    }
    return violations;
  },
} satisfies InstanceRule;
