import { declaredEngine } from "../../model/hub.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import { argoName, spokesOf } from "../../model/hub.js";
import type { AppModel, ManagedBy, PlatformModel } from "../../model/model.js";
import type { Origin } from "../../model/origin.js";
import { own } from "../../model/own.js";
import type { PlatformInput } from "../../model/platform-schema.js";
import { nameHint } from "../../model/spelling.js";

type At = (...path: (string | number)[]) => Origin;

/**
 * What a hub needs to be one: a cluster of the platform, not the spoke
 * itself, running Argo CD for itself (hubs do not chain), with the spoke on
 * Argo CD too; and credentials the hub can read.
 */
export function hubProblems(input: PlatformInput, at: At): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const engineOf = (cluster: PlatformInput["clusters"][string]) => declaredEngine(cluster, input.engine);
  for (const [name, cluster] of Object.entries(input.clusters)) {
    const managedBy = cluster.managedBy;
    if (!managedBy) continue;
    const hub = own(input.clusters, managedBy.hub);
    const where = at("clusters", name, "managedBy", "hub");
    if (hub === undefined) {
      diagnostics.push({
        code: "validate/unknown-hub",
        message: `cluster ${name} is managed by ${JSON.stringify(managedBy.hub)}, which is not a cluster of this platform`,
        origin: where,
        hint: nameHint(managedBy.hub, Object.keys(input.clusters), "name the cluster whose Argo CD manages this one"),
      });
      continue;
    }
    if (managedBy.hub === name) {
      diagnostics.push({
        code: "validate/hub-of-itself",
        message: `cluster ${name} names itself as its hub`,
        origin: where,
        hint: "leave managedBy out: a cluster's own Argo CD deploys in-cluster",
      });
      continue;
    }
    if (hub.managedBy) {
      diagnostics.push({
        code: "validate/hub-managed",
        message: `cluster ${name}'s hub ${managedBy.hub} is itself managed by ${hub.managedBy.hub}: a hub runs its own Argo CD`,
        origin: where,
        hint: `manage ${name} from ${hub.managedBy.hub}, or give ${managedBy.hub} its own Argo CD`,
      });
    }
    if (engineOf(hub) !== "argocd") {
      diagnostics.push({
        code: "validate/hub-engine",
        message: `cluster ${name}'s hub ${managedBy.hub} runs ${engineOf(hub)}; only Argo CD manages other clusters here`,
        origin: where,
        hint: `choose a hub that runs Argo CD, or leave managedBy out`,
      });
    }
    if (engineOf(cluster) !== "argocd") {
      diagnostics.push({
        code: "validate/spoke-engine",
        message: `cluster ${name} runs ${engineOf(cluster)} but is managed by the Argo CD of ${managedBy.hub}`,
        origin: at("clusters", name, "managedBy"),
        hint: `leave engine out (a spoke runs Argo CD: its hub's), or leave managedBy out (its own ${engineOf(cluster)} deploys in-cluster)`,
      });
    }
    if ("key" in managedBy.credentials) {
      const stores = Object.keys(input.secretStores ?? {});
      const store = storeOf(input, managedBy);
      const storeAt = at("clusters", name, "managedBy", "credentials", managedBy.credentials.store !== undefined ? "store" : "key");
      if (store === undefined) {
        diagnostics.push({
          code: "validate/hub-credentials-store",
          message: `cluster ${name}'s credentials name no store, and ${managedBy.hub} has no secretStore to read them from`,
          origin: storeAt,
          hint: stores.length > 0 ? `add store: one of ${stores.join(", ")}` : "declare the store under secretStores",
        });
      } else if (!Object.hasOwn(input.secretStores ?? {}, store)) {
        diagnostics.push({
          code: "validate/hub-credentials-store",
          message: `cluster ${name}'s credentials read store ${JSON.stringify(store)}, which is not in secretStores`,
          origin: storeAt,
          hint: nameHint(store, stores, "declare the store under secretStores"),
        });
      }
    }
  }
  return diagnostics;
}

/** The store a spoke's credentials are read from: its own, the hub cluster's secretStore, the hub's environment's, or the only store. */
function storeOf(input: PlatformInput, managedBy: NonNullable<PlatformInput["clusters"][string]["managedBy"]>): string | undefined {
  if (!("key" in managedBy.credentials)) return undefined;
  const hub = own(input.clusters, managedBy.hub);
  const stores = Object.keys(input.secretStores ?? {});
  return (
    managedBy.credentials.store ??
    hub?.secretStore ??
    (hub ? own(input.environments, hub.environment)?.secretStore : undefined) ??
    (stores.length === 1 ? stores[0] : undefined)
  );
}

/** A cluster's managedBy as the model holds it; call after hubProblems found none. */
export function managedByOf(input: PlatformInput, name: string, at: At): ManagedBy | undefined {
  const managedBy = own(input.clusters, name)?.managedBy;
  if (!managedBy) return undefined;
  const { credentials } = managedBy;
  const store = storeOf(input, managedBy);
  return {
    hub: managedBy.hub,
    credentials:
      "key" in credentials
        ? {
            key: credentials.key,
            property: credentials.property ?? "config",
            store: { name: store!, kind: own(input.secretStores ?? {}, store!)!.kind },
          }
        : { secret: credentials.secret },
    ...(managedBy.shard !== undefined ? { shard: managedBy.shard } : {}),
    origin: at("clusters", name, "managedBy"),
  };
}

/**
 * Argo CD objects' names are unique in the hub's namespace, where the hub's
 * own ("checkout-api", "root") and each spoke's ("checkout-api-prod-us-2",
 * "root-prod-us-2") meet: an app whose name with a spoke's after it is
 * another's name would overwrite it. And at most 63 characters, as Argo CD
 * writes an Application's name into a label when it tracks by label.
 */
export function hubNameClashes(platform: PlatformModel, apps: readonly AppModel[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const hub of platform.clusters.filter((cluster) => !cluster.managedBy)) {
    const spokes = spokesOf(platform, hub.name);
    if (spokes.length === 0) continue;
    const taken = new Map<string, string>();
    const claim = (name: string, what: string, origin: Origin) => {
      const before = taken.get(name);
      if (name.length > 63) {
        diagnostics.push({
          code: "validate/hub-name-length",
          message: `${what} is the Application ${name} in ${hub.name}'s Argo CD: ${name.length} characters, over the 63 a label value holds`,
          origin,
          hint: "shorten the app's or the cluster's name",
        });
      }
      if (before !== undefined) {
        diagnostics.push({
          code: "validate/hub-name-clash",
          message: `${what} and ${before} are both the Application ${name} in ${hub.name}'s Argo CD namespace`,
          origin,
          hint: "rename the app (or the cluster): in a hub, a spoke's Applications are named <app>-<cluster>",
        });
      } else taken.set(name, what);
    };
    for (const cluster of [hub, ...spokes]) {
      const on = cluster.name === hub.name ? "" : ` on ${cluster.name}`;
      claim(argoName("root", cluster), `the root${on}`, cluster.origin);
      if (cluster.managedBy) claim(argoName("platform", cluster), `the spoke objects of ${cluster.name}`, cluster.managedBy.origin);
      for (const component of platform.components.filter((c) => c.clusters.includes(cluster.name)))
        claim(argoName(component.name, cluster), `component ${component.name}${on}`, component.origin);
      for (const app of apps.filter((a) => own(a.release, cluster.wave) !== undefined))
        claim(argoName(app.name, cluster), `app ${app.name}${on}`, app.origin);
    }
  }
  return diagnostics;
}
