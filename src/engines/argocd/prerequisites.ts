import { spokesOf } from "../../model/hub.js";
import type { ClusterModel, ManagedBy } from "../../model/model.js";
import { own } from "../../model/own.js";
import type { Prerequisite, PrerequisiteInput } from "../../model/prerequisite.js";
import { notificationPrerequisites } from "./notifications.js";
import { teamRolePrerequisites } from "./project-roles.js";

const SYNC_WAVE = "argocd.argoproj.io/sync-wave";

/**
 * What Argo CD must be set up with for the objects sluice gives it. Argo CD
 * removed the health check of Applications in 1.8, so an app-of-apps root
 * syncs its child Applications wave by wave without waiting for any to be
 * healthy: the ordering `dependsOn` asks for holds only with the health
 * customization of argoproj.io/Application in argocd-cm restored (Argo CD's
 * operator manual, "Argocd App" in health.md). A hub needs it for its
 * spokes' apps too, and must reach and be let into each spoke; a spoke runs
 * no Argo CD, only an identity for its hub's.
 */
export function argoCdPrerequisites(input: PrerequisiteInput): Prerequisite[] {
  const { cluster, platform } = input;
  if (cluster.managedBy) return spokePrerequisites(input, cluster.managedBy);
  const namespace = platform.engineSettings.argocd.namespace;
  const spokes = spokesOf(platform, cluster.name);
  // The notifications of the teams' apps here and, on a hub, on its spokes: this Argo CD sends them.
  const here = new Set(input.apps);
  const spokeApps =
    spokes.length === 0
      ? []
      : input.model.apps.filter((app) => !here.has(app) && spokes.some((spoke) => own(app.release, spoke.wave) !== undefined));
  const list: Prerequisite[] = [
    ...teamRolePrerequisites(platform),
    ...notificationPrerequisites(platform, [...input.apps, ...spokeApps], namespace),
  ];
  if (ordered(input, cluster) || spokes.some((spoke) => ordered(input, spoke))) {
    list.push({
      what: "setting",
      name: '`resource.customizations.health.argoproj.io_Application` in ConfigMap `argocd-cm` (Argo CD\'s operator manual, health checks, "Argocd App")',
      namespace,
      why: "Applications here sync in waves (`dependsOn`); Argo CD has no health check for Applications since 1.8, so without it the root does not wait for one wave to be healthy before the next",
    });
  }
  if (platform.engineSettings.argocd.applications === "per-team") {
    list.push({
      what: "controller",
      name: "Argo CD's ApplicationSet controller (`argocd-applicationset-controller`, part of Argo CD's standard install) in Argo CD's own namespace, with its default policy `sync` (`applicationsetcontroller.policy` not `create-only` or `create-update`)",
      namespace,
      why: `the apps' Applications${spokes.length > 0 ? ", this cluster's and its spokes'," : ""} are made by the teams' ApplicationSets (\`argocd.applications: "per-team"\`, clusters/<cluster>/appsets/): without it no app is deployed; \`create-only\` would not take over the Applications of a switch from "per-app" (the root would prune them), \`create-update\` would not delete an app's Application when it leaves the cluster`,
    });
  }
  if (spokes.length > 0) {
    const shards = spokes.filter((spoke) => spoke.managedBy?.shard !== undefined);
    list.push({
      what: "setting",
      name: `network access from Argo CD's application controller and repo server to the API servers of ${spokes.map((s) => `${s.name} (${s.server})`).join(", ")}`,
      namespace,
      why: "this cluster's Argo CD is their hub: it deploys to them from here, with the credentials of each one's registration Secret",
    });
    list.push({
      what: "flag",
      name:
        shards.length > 0
          ? `application controller replicas (\`ARGOCD_CONTROLLER_REPLICAS\`) above the highest shard pinned here (${shards.map((s) => `${s.name}: ${s.managedBy!.shard}`).join(", ")}); no \`--application-namespaces\` needed`
          : "for more than one application controller replica, `ARGOCD_CONTROLLER_REPLICAS` (and `controller.sharding.algorithm`); no `--application-namespaces` needed",
      namespace,
      why: "the controller shards by cluster: each shard manages the clusters assigned to it (a registration's `shard`, else the sharding algorithm), and every Application of every spoke is in Argo CD's own namespace, labelled `sluice.dev/cluster`",
    });
  }
  // A hub holds its spokes' windows too, in its AppProjects.
  list.push(...freezePrerequisites([cluster, ...spokes]));
  return list;
}

/** Whether the cluster's Applications sync in waves: components' in its fleet objects, apps' by the fleet's order. */
function ordered({ model, fleetObjects }: PrerequisiteInput, cluster: ClusterModel): boolean {
  return (
    fleetObjects.some(
      ({ object }) =>
        object.kind === "Application" &&
        object.metadata.labels?.["sluice.dev/cluster"] === cluster.name &&
        Number(object.metadata.annotations?.[SYNC_WAVE] ?? 0) > 0,
    ) ||
    // Apps' Applications made by ApplicationSets ("per-team") are not the root's: no wave of the root orders them (README).
    (model.platform.engineSettings.argocd.applications !== "per-team" &&
      model.apps.some(
        (app) => own(app.release, cluster.wave) !== undefined && model.order.depth(cluster.name, { kind: "app", name: app.name }) > 0,
      ))
  );
}

function spokePrerequisites({ platform, cluster }: PrerequisiteInput, managedBy: ManagedBy): Prerequisite[] {
  const namespace = platform.engineSettings.argocd.namespace;
  const { credentials, hub, shard } = managedBy;
  const registration: Prerequisite =
    "key" in credentials
      ? {
          what: "store",
          name: `key \`${credentials.key}\`, property \`${credentials.property}\`, in ${credentials.store.kind} \`${credentials.store.name}\`, read on ${hub}`,
          namespace,
          why: `it holds Argo CD's cluster \`config\` for ${cluster.name} (bearerToken, tlsClientConfig, execProviderConfig or awsAuthConfig, as JSON): the External Secrets Operator on ${hub} writes it into the registration Secret \`cluster-${cluster.name}\``,
        }
      : {
          what: "Secret",
          name: `\`${credentials.secret}\` on ${hub}, labelled \`argocd.argoproj.io/secret-type: cluster\`, with \`name: ${cluster.name}\`, \`server: ${cluster.server}\`, \`config\`${shard !== undefined ? ` and \`shard: "${shard}"\`` : ""}`,
          namespace,
          why: `it registers ${cluster.name} with the Argo CD of its hub ${hub}; the platform creates it (sluice writes no credentials)`,
        };
  return [
    registration,
    {
      what: "ServiceAccount",
      name: `the identity that registration authenticates as on ${cluster.name} (a ServiceAccount token, a client certificate or a cloud IAM role), allowed to manage the teams' namespaces, the platform's objects and the admission policies`,
      why: `${cluster.name} runs no Argo CD: ${hub}'s deploys everything here as that identity`,
    },
  ];
}

function freezePrerequisites(clusters: readonly ClusterModel[]): Prerequisite[] {
  if (!clusters.some((cluster) => cluster.freeze.length > 0)) return [];
  return [
    {
      what: "controller",
      name: "Argo CD 3.1 or later",
      why: "the teams' AppProjects hold the freeze windows as sync windows with a `timeZone` (2.2) and a `description` (3.1); an older Argo CD drops the fields it does not know, or refuses the project",
    },
  ];
}
