import type { Prerequisite, PrerequisiteInput } from "../../model/prerequisite.js";
import { CONTROLLER_ACCOUNT, HELM_CONTROLLER_ACCOUNT } from "./source.js";
import { homeNamespace } from "./tenancy.js";
import { notificationSecrets } from "./notifications.js";
import { teamAccessPrerequisites } from "./team-access.js";
import { driftIgnorePrerequisites } from "./drift-ignore.js";

/**
 * What a Flux install must provide for the objects sluice gives it: the
 * multi-tenancy lockdown flags the tenants rely on, the controllers' own
 * accounts that the root and the components run as, and the Secrets its
 * objects name — each read from the namespace of the object that names it
 * (a GitRepository's secretRef, a Kustomization's decryption.secretRef).
 */
export function fluxPrerequisites({ platform, fleetObjects, sops, apps }: PrerequisiteInput): Prerequisite[] {
  const namespace = platform.engineSettings.flux.namespace;
  const helm = fleetObjects.some(({ object }) => object.kind === "HelmRelease");
  const list: Prerequisite[] = [
    {
      what: "flag",
      name: `\`--no-cross-namespace-refs=true\` on kustomize-controller${helm ? ", helm-controller" : ""} and notification-controller`,
      namespace,
      why: "each team's Kustomizations read the env repo from a GitRepository in their own namespace; without the flag one team's Kustomization could use another namespace's source",
    },
    {
      what: "flag",
      name: `\`--default-service-account=default\` on kustomize-controller${helm ? " and helm-controller" : ""}`,
      namespace,
      why: "a Kustomization that names no account would otherwise run as the controller itself, with every permission; sluice's name theirs, this covers any other",
    },
    {
      what: "ServiceAccount",
      name: `\`${CONTROLLER_ACCOUNT}\` (a Flux install creates it, bound to cluster-admin)`,
      namespace,
      why: `the root${helm ? " and the components' Kustomizations" : ""} run as it (\`serviceAccountName\`); without it they fail to impersonate and nothing is applied`,
    },
    ...(helm
      ? [
          {
            what: "ServiceAccount",
            name: `\`${HELM_CONTROLLER_ACCOUNT}\` (a Flux install creates it, bound to cluster-admin)`,
            namespace,
            why: "the components' HelmReleases run as it (`serviceAccountName`); with `--default-service-account` they would otherwise run as an account with no rights and fail to install",
          } satisfies Prerequisite,
        ]
      : []),
  ];
  // Every Secret a GitRepository names, in its own namespace.
  const git = new Set<string>();
  for (const { object } of fleetObjects) {
    const secret =
      object.kind === "GitRepository" ? (object.spec as { secretRef?: { name?: string } } | undefined)?.secretRef?.name : undefined;
    if (secret && object.metadata.namespace) git.add(`${object.metadata.namespace}\0${secret}`);
  }
  for (const entry of [...git].sort()) {
    const [at, name] = entry.split("\0") as [string, string];
    list.push({
      what: "Secret",
      name: `\`${name}\` (git credentials)`,
      namespace: at,
      why: "the env repo's GitRepository here reads it (`secretRef`); without it the repo cannot be cloned and nothing in the namespace syncs",
    });
  }
  // Flux reads decryption.secretRef from the Kustomization's namespace: the team's home.
  const homes = new Set(sops.map((app) => homeNamespace(platform.teams.find((t) => t.name === app.team)!)));
  for (const home of [...homes].sort()) {
    list.push({
      what: "Secret",
      name: `\`${platform.engineSettings.flux.decryptionSecret}\` (the team's own SOPS key)`,
      namespace: home,
      why: "apps here deliver SOPS files; their Kustomizations (in this namespace) decrypt with it (`decryption.secretRef`), and fail without it. It holds this team's age key alone: the team can read it, so a key shared with another team would let each decrypt the other's files",
    });
  }
  list.push(...notificationSecrets(platform, fleetObjects));
  list.push(...teamAccessPrerequisites(platform), ...driftIgnorePrerequisites(apps, namespace));
  return list;
}
