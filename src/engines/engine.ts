import type { ClusterModel, EnvironmentModel, Ordering, PlatformModel } from "../model/model.js";
import type { Prerequisite, PrerequisiteInput } from "../model/prerequisite.js";
import type { RenderedObject } from "../model/rendered.js";
import type { ResolvedApp } from "../model/resolved.js";
import type { AdmissionBackend } from "../policy/policy.js";
import type { InstancePlatform } from "../model/instance-input.js";
import type { Diagnostic } from "../model/diagnostic.js";
import type { Origin } from "../model/origin.js";
import type { PlatformInput } from "../model/platform-schema.js";
import type { KubernetesObject } from "../k8s/object.js";

/** One of an engine's controllers, and the API group whose kinds it serves. */
export interface EngineController {
  readonly group: string;
  /** How prerequisites name it: "Argo CD", "Flux kustomize-controller". */
  readonly controller: string;
  /** Why a cluster needs it: what of the engine's objects it reads. */
  readonly why: string;
}

/** What an engine renders one cluster's own GitOps objects from. */
export interface ClusterInput {
  readonly platform: PlatformModel;
  readonly cluster: ClusterModel;
  readonly environment: EnvironmentModel;
  /** The admission policies the cluster gets (the root must be allowed to apply them). */
  readonly admission: AdmissionBackend;
  readonly order: Ordering;
  /** The apps that run on the cluster, with their teams (what each team's tenant reads). */
  readonly apps: readonly { readonly name: string; readonly team: string }[];
  /**
   * The directory the cluster's root watches. Default clusters/<cluster>;
   * clusters/<cluster>/<engine> for the engine a cluster is adopting, whose
   * files the stage moves there (see model/move-schema.ts).
   */
  readonly rootDir?: string;
  /**
   * The objects the engine's renderApp gathered (RenderedObject.gathered)
   * for the cluster's app instances, in no particular order: the cluster's
   * files that hold them are its to write (Argo CD's ApplicationSets).
   */
  readonly gathered?: readonly KubernetesObject[];
  /** Whether the cluster is adopting another engine (model/move-schema.ts): its roots, old and new, prune nothing either. */
  readonly adopting?: boolean;
}

/** A remark in the env repo README: said when a cluster runs the engine (caveat), or after another engine's caveat in a fleet that runs both (aside). */
export interface EngineNote {
  readonly caveat?: string;
  readonly aside?: string;
}

/**
 * A GitOps engine's renderer: how a cluster pulls its part of the env repo.
 * The rest of sluice — the workload manifests, the namespaces and their
 * guards, the admission policies, the docs — is the same whatever the engine;
 * everything that differs is here and in the engine's declaration
 * (declaration.ts: its name, settings and namespace, which the model knows):
 * the stages, the prerequisites, diff and the CLI ask the registry rather
 * than naming an engine. Adding an engine is a folder next to argocd/ and
 * flux/ (a declaration.ts whose `load` imports this renderer) and one line in
 * registry.ts; test/engine-conformance.test.ts holds every engine to this
 * contract, and adds a third one of its own that way.
 */
export interface EngineRenderer {
  /** Its controllers and their API groups: the prerequisites of its objects, which run in its namespace. */
  readonly controllers: readonly EngineController[];
  /** "an Argo CD object": how a message names one of the kinds it owns. */
  readonly objectNoun: string;
  /**
   * Whether a kind is one of its GitOps objects, which decide what is deployed
   * where: the platform's alone, refused in an app's manifests.
   */
  ownsKind(group: string, kind: string): boolean;
  /**
   * Whether it grants a team a cluster-scoped kind through an RBAC rule, which
   * names the kind's plural (so a custom resource's plural must be declared),
   * rather than by group and kind as an Argo CD project does.
   */
  readonly grantsByRbac: boolean;
  /** What it cannot deliver in a platform as declared (checked with the rest of the platform, whatever engine the clusters run). */
  platformProblems(input: PlatformInput, at: (...path: (string | number)[]) => Origin): Diagnostic[];
  /** The kinds whose change diff flags for a reviewer as a change to delivery itself. */
  readonly deliveryKinds: readonly string[];
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
  /** Whether it can leave the fields of a field manager, by its name, to that manager (an app's `ownedFields` `managers`). Default false. */
  readonly ignoresByManager?: boolean;
  /** On the objects under clusters/ that apps need first (namespaces, their guards, admission policies). */
  readonly beforeApps: Readonly<Record<string, string>>;
  /** On team namespaces: never pruned or deleted by the engine. */
  readonly keepNamespace: Readonly<Record<string, string>>;
  /** The env repo README's lines about this engine's files. */
  layout(platform: PlatformModel): string[];
  /** What the README's platform components section says of it: when "waited for by" holds, how it pulls an OCI chart ("An OCI chart is pulled …"). */
  readonly componentNotes: { readonly waiting: EngineNote; readonly ociChart: EngineNote };
  /** What its objects on a cluster rely on that the env repo does not install: settings, flags, accounts, Secrets (see prerequisites.ts). */
  prerequisites(input: PrerequisiteInput): Prerequisite[];
  /**
   * A cluster moving to another engine (model/move-schema.ts): how a person
   * bootstraps this engine from `dir` while adopting, and how they remove
   * its objects from the cluster after the handover without deleting what
   * they deployed (which the adoption made safe).
   */
  readonly move: { bootstrap(dir: string): string; letGo(cluster: string, namespace: string): string };
}

/** A registered engine: its declaration's name and title, where it runs, and its renderer (see index.ts). */
export interface Engine extends EngineRenderer {
  /** Its name in the registry (registry.ts) and in stacks. */
  readonly name: string;
  /** How people call it: "Argo CD", "Flux". */
  readonly title: string;
  /** The namespace it runs in on a cluster of this platform; no team may own it. */
  namespace(platform: Pick<PlatformModel, "engineSettings">): string;
}
