import type { AnalysisModel, AppModel, ClusterModel, Dependency, EnvironmentModel, PlatformModel, TeamModel, WaveModel } from "./model.js";
import type { Origin } from "./origin.js";
import type { InstanceSubscription } from "./notifications.js";

/**
 * The platform as one instance sees it: only what resolving, rendering and
 * checking an instance read. A renderer that needs another platform field
 * does not compile until it is added here — and then it is in the render key.
 */
export type InstancePlatform = Pick<PlatformModel, "origin" | "envRepo" | "engineSettings" | "secrets" | "customResources"> & {
  /** A Flux Kustomization lives in its team's first namespace, and waits for other teams' apps in theirs; a team's Pod Security level bounds its apps' securityContext. */
  readonly teams: readonly Pick<TeamModel, "name" | "namespaces" | "podSecurity">[];
  /** The subscriptions of the instance's own team (Argo CD annotates its Applications): another team's change leaves its key alone. */
  readonly notify: readonly InstanceSubscription[];
};

/** An app's declaration as one of its instances sees it: the releases of the other waves left out. */
export type InstanceApp = Omit<AppModel, "release" | "releaseOrigins" | "preview">;

/**
 * Everything one app instance (an app on one cluster) is resolved, rendered
 * and checked from, and nothing else: resolve, render and check take this
 * value, and the render cache's key is a hash of it (see pipeline/render/instance-key.ts),
 * so there is nothing a renderer reads that the key could miss. Plain data
 * only — no functions, maps or class instances — so that it serialises whole.
 */
export interface InstanceInput {
  readonly app: InstanceApp;
  /** The release of the cluster's wave, and where it is written (what the rendered image points back at). */
  readonly release: string;
  readonly releaseOrigin: Origin;
  readonly cluster: ClusterModel;
  readonly environment: EnvironmentModel;
  readonly wave: WaveModel;
  readonly platform: InstancePlatform;
  /** What the instance reads of the rest of the fleet. */
  readonly fleet: InstanceFleet;
  /** The stack files its files come from: the platform's and the app's (the lock records them). */
  readonly sources: readonly string[];
  /**
   * The SOPS files its settings name, by path, with their bytes (null when
   * unreadable): delivered as they are, so their bytes are part of the output.
   */
  readonly sopsFiles: Readonly<Record<string, string | null>>;
  /** The platform's analyses the app's `progressive` names in any layer, by name: another analysis's change leaves its key alone. */
  readonly analyses: Readonly<Record<string, AnalysisModel>>;
}

export interface InstanceFleet {
  /** Its position in the cluster's sync order. */
  readonly orderDepth: number;
  /** What it waits for on the cluster, apps with their teams (Flux names their namespaces). */
  readonly dependsOn: readonly (Dependency & { readonly team?: string })[];
  /** Each calling app's namespace, which the app's NetworkPolicy names. */
  readonly callerNamespaces: Readonly<Record<string, string>>;
}
