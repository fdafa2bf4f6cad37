import type { ObjectMeta } from "kubernetes-types/meta/v1";

// The Argo CD objects sluice writes, as far as it writes them: only the fields
// sluice sets, named and nested as in the vendored CRD schemas
// (src/k8s/crd-schemas/argoproj.io_v1alpha1_*.json), required where the
// schema requires them. test/crd-types.test.ts walks the schema for every
// property named here, so a field the CRD does not have cannot creep in.

/** A group and kind, as AppProject's resource lists take them. */
export interface ArgoGroupKind {
  group: string;
  kind: string;
}

/** A cluster resource kind an AppProject allows, optionally by name: a glob, Argo CD 3.3 and later. */
export interface ArgoClusterResource extends ArgoGroupKind {
  name?: string;
}

export interface ArgoDestination {
  server?: string;
  name?: string;
  namespace?: string;
}

export interface ArgoSyncPolicy {
  automated?: { prune?: boolean; selfHeal?: boolean };
  syncOptions?: string[];
  retry?: { limit?: number; backoff?: { duration?: string; factor?: number; maxDuration?: string } };
}

export interface ArgoApplicationSource {
  repoURL: string;
  targetRevision?: string;
  path?: string;
  chart?: string;
  helm?: { releaseName?: string; valuesObject?: Record<string, unknown> };
  kustomize?: ArgoKustomizeOverrides;
}

/** What an Application overrides of the kustomization it deploys (a preview's namespace, image tag and host). */
export interface ArgoKustomizeOverrides {
  namespace: string;
  images: string[];
  patches?: ArgoKustomizePatch[];
  commonAnnotations: Record<string, string>;
}

export interface ArgoResourceIgnoreDifferences {
  group?: string;
  kind: string;
  name?: string;
  namespace?: string;
  jsonPointers?: string[];
  managedFieldsManagers?: string[];
}

export interface ArgoApplication {
  apiVersion: "argoproj.io/v1alpha1";
  kind: "Application";
  metadata: ObjectMeta;
  spec: {
    project: string;
    source?: ArgoApplicationSource;
    destination: ArgoDestination;
    syncPolicy?: ArgoSyncPolicy;
    ignoreDifferences?: ArgoResourceIgnoreDifferences[];
  };
}

/** A project role: its SSO groups and their RBAC policy lines (`p, proj:<project>:<role>, <resource>, <action>, <project>/<object>, <effect>`). */
export interface ArgoProjectRole {
  name: string;
  description?: string;
  groups?: string[];
  policies?: string[];
}

export interface ArgoAppProject {
  apiVersion: "argoproj.io/v1alpha1";
  kind: "AppProject";
  metadata: ObjectMeta;
  spec: {
    description?: string;
    sourceRepos?: string[];
    destinations?: ArgoDestination[];
    clusterResourceWhitelist?: ArgoClusterResource[];
    clusterResourceBlacklist?: ArgoGroupKind[];
    namespaceResourceWhitelist?: ArgoGroupKind[];
    namespaceResourceBlacklist?: ArgoGroupKind[];
    syncWindows?: ArgoSyncWindow[];
    roles?: ArgoProjectRole[];
  };
}

/** One of an AppProject's sync windows (Argo CD's SyncWindow), as far as sluice sets it. */
export interface ArgoSyncWindow {
  kind: "allow" | "deny";
  schedule: string;
  duration: string;
  timeZone?: string;
  applications?: string[];
  clusters?: string[];
  manualSync?: boolean;
  description?: string;
}

/** A kustomize JSON 6902 patch of the objects a target selects, as an Application's source takes it. */
export interface ArgoKustomizePatch {
  target: { kind: string; name: string };
  patch: string;
}

/** A preview Application's spec: the env repo's preview path, with the pull request's overrides. */
export interface ArgoPreviewSpec {
  project: string;
  source: ArgoApplicationSource & { kustomize: ArgoKustomizeOverrides };
  destination: ArgoDestination;
  syncPolicy: ArgoSyncPolicy;
}

/** An ApplicationSet with one Pull Request generator: the preview environments of one app. */
export interface ArgoApplicationSet {
  apiVersion: "argoproj.io/v1alpha1";
  kind: "ApplicationSet";
  metadata: ObjectMeta;
  spec: {
    goTemplate: boolean;
    goTemplateOptions: string[];
    generators: {
      pullRequest: {
        github?: { owner: string; repo: string; api?: string; tokenRef: { secretName: string; key: string }; labels: string[] };
        gitlab?: {
          project: string;
          api?: string;
          tokenRef: { secretName: string; key: string };
          labels: string[];
          pullRequestState: "opened";
        };
        filters?: { targetBranchMatch: string }[];
        requeueAfterSeconds: number;
      };
    }[];
    template: { metadata: ObjectMeta; spec: ArgoPreviewSpec };
  };
}

/**
 * An ApplicationSet whose list generator makes a team's Applications on one
 * cluster (application-sets.ts): a Go template, each Application's params,
 * and the patch of what the template cannot hold.
 */
export interface ArgoTeamApplicationSet {
  apiVersion: "argoproj.io/v1alpha1";
  kind: "ApplicationSet";
  metadata: ObjectMeta;
  spec: {
    goTemplate: true;
    goTemplateOptions: string[];
    generators: { list: { elements: Record<string, unknown>[] } }[];
    syncPolicy: { preserveResourcesOnDeletion: boolean };
    template: { metadata: Record<string, unknown>; spec: Record<string, unknown> };
    templatePatch?: string;
  };
}
