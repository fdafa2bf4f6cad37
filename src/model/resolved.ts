import type { ClusterModel, EnvironmentModel, RawObject, WaveModel } from "./model.js";
import type { SecretSourceInput } from "./secret-schema.js";
import type { Origin } from "./origin.js";
import type { AppKind } from "./app-kinds.js";
import type { IdentitySpec, PlacementSpec } from "./placement-schema.js";
import type { ProbeSpec, ResourcesSpec, VolumeClaimSpec } from "./settings-schema.js";
import type { ExposureSpec } from "./exposure-schema.js";
import type { VolumeSpec } from "./volume-schema.js";
import type { SecurityContextSpec } from "./security-schema.js";
import type { MetricProviderInput, ProgressiveController } from "./progressive-schema.js";

/**
 * One app on one cluster, fully merged: platform defaults ← environment ←
 * cluster ← app ← the app's environment override ← its cluster override, with
 * the release of the cluster's wave. This is what blueprints render and what
 * policy rules will judge.
 */
export interface ResolvedApp {
  readonly name: string;
  /** What the app is (see app-kinds.ts); `spec` holds only the settings of its kind. */
  readonly kind: AppKind;
  readonly team: string;
  readonly namespace: string;
  readonly partOf: string;
  /** Image repository, without tag or digest. */
  readonly image: string;
  /** The release of the cluster's wave: a semver tag or a sha256 digest. */
  readonly release: string;
  /** The full image reference: repository:tag or repository@digest. */
  readonly imageRef: string;
  readonly cluster: ClusterModel;
  readonly environment: EnvironmentModel;
  readonly wave: WaveModel;
  readonly spec: ResolvedSettings;
  /**
   * Where each setting came from, by dotted path ("replicas", "env.LOG_LEVEL",
   * "resources.limits.cpu"): the line of the layer that won.
   */
  readonly provenance: Readonly<Record<string, Origin>>;
  readonly objects: readonly RawObject[];
  /** What the app waits for on this cluster (see src/pipeline/validate/order.ts), with an app's team. */
  readonly dependsOn: readonly { readonly kind: "app" | "component"; readonly name: string; readonly team?: string }[];
  /** Its place in the cluster's sync order: 0 when it waits for nothing. */
  readonly orderDepth: number;
  /** Who may call the app on which of its ports (names): pods of another app (in its namespace), or every pod of a namespace. */
  readonly callers: readonly { readonly namespace: string; readonly app?: string; readonly ports: readonly string[] }[];
  /** The secrets the app uses on this cluster, sorted by name; what secret providers render. */
  readonly secrets: readonly ResolvedSecret[];
  readonly origin: Origin;
  /** Where the release of the cluster's wave is written: the app's `release`, or its release file. */
  readonly releaseOrigin: Origin;
}

/**
 * One declared secret that the app uses on one cluster: the Kubernetes Secret
 * that will hold it, which keys are read one by one and whether it is used
 * whole, and where its value is kept.
 */
export interface ResolvedSecret {
  /** The name it is declared under in `secrets`. */
  readonly name: string;
  /** The Kubernetes Secret in the app's namespace: "<app>-<name>". */
  readonly secretName: string;
  /** Keys read one by one (by `env`), sorted. */
  readonly keys: readonly string[];
  /** Used by `envFrom` or `secretFiles`: every key of the secret is needed. */
  readonly whole: boolean;
  readonly source: ResolvedSecretSource;
  /** Where the winning declaration was written. */
  readonly origin: Origin;
}

export type ResolvedSecretSource =
  | (Omit<Extract<SecretSourceInput, { provider: "external-secrets" }>, "store" | "refreshInterval"> & {
      readonly store: { readonly name: string; readonly kind: "ClusterSecretStore" | "SecretStore" };
      readonly refreshInterval: string;
    })
  | Extract<SecretSourceInput, { provider: "sealed-secrets" }>
  | (Extract<SecretSourceInput, { provider: "sops" }> & {
      /** The encrypted file's exact text, delivered as it is (see src/pipeline/resolve/secrets.ts). */
      readonly content: string;
    });

/** Where a Kubernetes Secret's key is read from. */
export interface SecretKeySelector {
  readonly secretName: string;
  readonly key: string;
}

export interface ResolvedSettings {
  /** Absent when autoscaling owns the replica count, and for a cronJob or job. */
  readonly replicas?: number;
  readonly autoscaling?: { readonly min: number; readonly max: number; readonly targetCPU: number };
  /** Port name → container port, in declaration order. */
  readonly ports: Readonly<Record<string, number>>;
  /** Plain environment variables (the ConfigMap's data); never a secret. */
  readonly env: Readonly<Record<string, string>>;
  /** Environment variables read from a secret, by name. */
  readonly secretEnv: Readonly<Record<string, SecretKeySelector>>;
  /** Secrets whose every key becomes an environment variable: Secret names, in the order written. */
  readonly envFrom: readonly string[];
  /** The pod's volumes by name, each with one source. */
  readonly volumes: Readonly<Record<string, ResolvedVolume>>;
  /** Config files: absolute path → text. */
  readonly files: Readonly<Record<string, string>>;
  /** Secrets mounted read-only as files: directory → Secret name. */
  readonly secretFiles: Readonly<Record<string, string>>;
  readonly resources: ResourcesSpec;
  readonly probes: {
    readonly readiness?: ResolvedProbe;
    readonly liveness?: ResolvedProbe;
    readonly startup?: ResolvedProbe;
  };
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  /** Native sidecars (init containers that keep running), in the order written: a platform layer's before the app's. */
  readonly sidecars: readonly ResolvedContainer[];
  /** Init containers, which run in this order after the sidecars have started. */
  readonly initContainers: readonly ResolvedContainer[];
  /** What the app changes of the pods' hardened security context, as merged (Pod Security allows it: resolve checked). */
  readonly securityContext?: SecurityContextSpec;
  /** Where the pods run, as merged (nodeSelector key by key; tolerations and spread as the highest layer wrote them). */
  readonly placement?: PlacementSpec;
  /** The pods' cloud identity: one cloud's, the highest layer's that names one. */
  readonly identity?: IdentitySpec;
  /** cronJob: when, and in which time zone. */
  readonly schedule?: string;
  readonly timeZone?: string;
  /** cronJob: "Forbid" unless set. */
  readonly concurrencyPolicy?: "Allow" | "Forbid" | "Replace";
  readonly historyLimits?: { readonly successful?: number; readonly failed?: number };
  readonly suspend?: boolean;
  /** cronJob and job. */
  readonly activeDeadlineSeconds?: number;
  readonly backoffLimit?: number;
  /** statefulService: its volume per pod, by name, each with its size and mount path. */
  readonly volumeClaims?: Readonly<Record<string, ResolvedVolumeClaim>>;
  readonly podManagementPolicy?: "OrderedReady" | "Parallel";
  /** service: how it is served from outside on this cluster, when it is. */
  readonly expose?: ResolvedExpose;
  /** Fields of the app's objects that another controller owns, which the engine leaves to it (see owned-fields-schema.ts). */
  readonly ownedFields?: readonly ResolvedOwnedField[];
  /** service: how a release moves on this cluster, when it moves progressively (see progressive-schema.ts). */
  readonly progressive?: ResolvedProgressive;
}

/**
 * An app's progressive plan on one cluster, complete: the controller that
 * runs it, how traffic reaches the new release, the strategy with its steps
 * expanded one action each, and the analyses it runs with their queries
 * filled in for this app and cluster.
 */
export interface ResolvedProgressive {
  readonly controller: ProgressiveController;
  /** The controller's namespace. */
  readonly controllerNamespace: string;
  /**
   * What moves traffic to the new release: the app's HTTPRoute (Gateway API),
   * its Ingress (ingress-nginx's canary annotations), the pod count
   * (replica-based canary), or the Service's selector (blue-green, unexposed).
   */
  readonly traffic: "gateway" | "ingress" | "replicas" | "service";
  readonly strategy: ResolvedCanary | ResolvedBlueGreen;
  /** Every analysis the plan runs, in the order first named. */
  readonly analyses: readonly ResolvedAnalysis[];
  /** Argo Rollouts: the Rollout adopts the app's running Deployment (workloadRef) instead of replacing it. */
  readonly adoptDeployment?: true;
  /** Where the plan was written. */
  readonly origin: Origin;
}

export interface ResolvedCanary {
  readonly kind: "canary";
  /** One action per step, in order: a weight, a pause (Go duration; "manual": until promoted) or an analysis (its id). */
  readonly steps: readonly ({ readonly weight: number } | { readonly pause: string } | { readonly analysis: string })[];
  /** The ids of the analyses that run for the whole canary. */
  readonly background: readonly string[];
}

export interface ResolvedBlueGreen {
  readonly kind: "blueGreen";
  /** The host that serves the new release before it takes the traffic. */
  readonly previewHost?: string;
  readonly autoPromote: boolean;
  /** The ids of the analyses that must pass before the new release takes the traffic. */
  readonly analyses: readonly string[];
}

/** One analysis as the plan runs it on one cluster: the platform's, with the app's arguments and this app's names filled in. */
export interface ResolvedAnalysis {
  /** Unique in the plan: the analysis's name, with "-2", "-3"… when the plan runs it with other arguments too. */
  readonly id: string;
  /** The platform's name for it. */
  readonly analysis: string;
  readonly provider: MetricProviderInput;
  /** The query, every placeholder filled in. */
  readonly query: string;
  readonly max?: number;
  readonly min?: number;
  /** Go duration, whole seconds or minutes. */
  readonly interval: string;
  /** How many measurements a step's run takes; absent for one that runs for the whole canary. */
  readonly count?: number;
  readonly failureLimit: number;
}

/** Fields of the app's objects of one kind (one object, with a name) that another controller owns. */
export interface ResolvedOwnedField {
  readonly group: string;
  readonly kind: string;
  readonly name?: string;
  /** The fields as JSON pointers ("/spec/replicas"), sorted. */
  readonly pointers: readonly string[];
  /** Field managers whose fields these are (Argo CD only), sorted. */
  readonly managers: readonly string[];
  readonly reason?: string;
}

/**
 * An app's `expose` on one cluster, complete: its host, path prefix, the
 * name of the port traffic goes to, whether it is served over HTTPS, and
 * what the platform serves it with there.
 */
export interface ResolvedExpose {
  readonly host: string;
  readonly path: string;
  /** A name from the app's ports. */
  readonly port: string;
  readonly tls: boolean;
  readonly via: ExposureSpec;
}

export type ResolvedVolumeClaim = Required<Pick<VolumeClaimSpec, "size" | "mountPath">> & Omit<VolumeClaimSpec, "size" | "mountPath">;

/** A probe with its port resolved (a name of the app's ports, or a number); an `exec` probe has none. */
export type ResolvedProbe = Omit<ProbeSpec, "port"> & { readonly port?: string | number };

/** A sidecar or init container, merged: its image resolved, its environment split like the app's. */
export interface ResolvedContainer {
  readonly name: string;
  /** The full image reference: the app's at the wave's release (`appImage`), or the pinned one written. */
  readonly image: string;
  /** True when it runs the app's image, which the release moves. */
  readonly appImage: boolean;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  /** Plain environment variables, as literal values of the container. */
  readonly env: Readonly<Record<string, string>>;
  /** Environment variables read from a secret, by name. */
  readonly secretEnv: Readonly<Record<string, SecretKeySelector>>;
  readonly resources: ResourcesSpec;
  /** Port name → container port. */
  readonly ports: Readonly<Record<string, number>>;
  /** A sidecar's probes, on its own ports; an init container has none. */
  readonly probes: ResolvedSettings["probes"];
  /** Paths of the app's files it mounts too. */
  readonly files: readonly string[];
  /** Volume name → mount path. */
  readonly volumeMounts: Readonly<Record<string, string>>;
}

/** One of the pod's volumes: a scratch directory or an existing claim; mounted into the app's container at `mountPath`, if it has one. */
export type ResolvedVolume = Omit<VolumeSpec, "emptyDir" | "claim"> &
  (
    | { readonly emptyDir: NonNullable<VolumeSpec["emptyDir"]>; readonly claim?: never }
    | { readonly claim: string; readonly emptyDir?: never }
  );
