import type { Prerequisite, PrerequisiteInput } from "../../model/prerequisite.js";
import { teamRolePrerequisites } from "./project-roles.js";

const SYNC_WAVE = "argocd.argoproj.io/sync-wave";

/**
 * What Argo CD must be set up with for the objects sluice gives it. Argo CD
 * removed the health check of Applications in 1.8, so an app-of-apps root
 * syncs its child Applications wave by wave without waiting for any to be
 * healthy: the ordering `dependsOn` asks for holds only with the health
 * customization of argoproj.io/Application in argocd-cm restored (Argo CD's
 * operator manual, "Argocd App" in health.md).
 */
export function argoCdPrerequisites({ model, platform, cluster, fleetObjects, apps }: PrerequisiteInput): Prerequisite[] {
  const ordered =
    fleetObjects.some(({ object }) => object.kind === "Application" && Number(object.metadata.annotations?.[SYNC_WAVE] ?? 0) > 0) ||
    apps.some((app) => model.order.depth(cluster.name, { kind: "app", name: app.name }) > 0);
  return [...teamRolePrerequisites(platform), ...(ordered ? waves(platform.engineSettings.argocd.namespace) : [])];
}

function waves(namespace: string): Prerequisite[] {
  return [
    {
      what: "setting",
      name: '`resource.customizations.health.argoproj.io_Application` in ConfigMap `argocd-cm` (Argo CD\'s operator manual, health checks, "Argocd App")',
      namespace,
      why: "Applications here sync in waves (`dependsOn`); Argo CD has no health check for Applications since 1.8, so without it the root does not wait for one wave to be healthy before the next",
    },
  ];
}
