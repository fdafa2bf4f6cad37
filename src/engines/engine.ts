import type { ClusterModel, EnvironmentModel, Ordering, PlatformModel } from "../model/model.js";
import type { Prerequisite, PrerequisiteInput } from "../model/prerequisite.js";
import type { RenderedObject } from "../model/rendered.js";
import type { ResolvedApp } from "../model/resolved.js";
import type { AdmissionEngine } from "../policy/policy.js";
import type { InstancePlatform } from "../model/instance-input.js";

/** What an engine renders one cluster's own GitOps objects from. */
export interface ClusterInput {
  readonly platform: PlatformModel;
  readonly cluster: ClusterModel;
  readonly environment: EnvironmentModel;
  /** The admission policies the cluster gets (the root must be allowed to apply them). */
  readonly admission: AdmissionEngine;
  readonly order: Ordering;
  /** The apps that run on the cluster, with their teams (what each team's tenant reads). */
  readonly apps: readonly { readonly name: string; readonly team: string }[];
}

/**
 * A GitOps engine: how a cluster pulls its part of the env repo. The rest of
 * sluice — the workload manifests, the namespaces and their guards, the
 * admission policies, the docs — is the same whatever the engine; everything
 * that differs is here. Adding an engine is a folder next to argocd/ and flux/
 * and one line in index.ts.
 */
export interface Engine {
  /** Its name in the registry (index.ts) and in stacks. */
  readonly name: string;
  /** How people call it: "Argo CD", "Flux". */
  readonly title: string;
  /** The namespace it runs in on a cluster; no team may own it. */
  namespace(platform: PlatformModel): string;
  /**
   * The cluster's own objects: its root (what `kubectl apply -k
   * clusters/<cluster>` bootstraps), the teams' tenancy, the platform
   * components — under clusters/<cluster>/, and for components whatever their
   * manifests need elsewhere.
   */
  renderCluster(input: ClusterInput): RenderedObject[];
  /** The object that deploys one app instance: clusters/<cluster>/apps/<app>.yaml. */
  /** It reads only the platform parts an instance's input holds (see model/instance-input.ts): they are in its render key. */
  renderApp(platform: InstancePlatform, app: ResolvedApp, sources: readonly string[]): RenderedObject;
  /** Whether it decrypts SOPS files in an app's directory (they are then delivered as they are). */
  readonly decryptsSops: boolean;
  /** On the objects under clusters/ that apps need first (namespaces, their guards, admission policies). */
  readonly beforeApps: Readonly<Record<string, string>>;
  /** On team namespaces: never pruned or deleted by the engine. */
  readonly keepNamespace: Readonly<Record<string, string>>;
  /** The env repo README's lines about this engine's files. */
  layout(platform: PlatformModel): string[];
  /** What its objects on a cluster rely on that the env repo does not install: settings, flags, accounts, Secrets (see prerequisites.ts). */
  prerequisites(input: PrerequisiteInput): Prerequisite[];
}
