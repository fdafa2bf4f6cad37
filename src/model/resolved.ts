import type { ClusterModel, EnvironmentModel, RawObject, WaveModel } from "./model.js";
import type { Origin } from "./origin.js";
import type { ProbeSpec, ResourcesSpec } from "./settings-schema.js";

/**
 * One app on one cluster, fully merged: platform defaults ← environment ←
 * cluster ← app ← the app's environment override ← its cluster override, with
 * the release of the cluster's wave. This is what blueprints render and what
 * policy rules will judge.
 */
export interface ResolvedApp {
  readonly name: string;
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
  readonly origin: Origin;
}

export interface ResolvedSettings {
  /** Absent when autoscaling owns the replica count. */
  readonly replicas?: number;
  readonly autoscaling?: { readonly min: number; readonly max: number; readonly targetCPU: number };
  /** Port name → container port, in declaration order. */
  readonly ports: Readonly<Record<string, number>>;
  readonly env: Readonly<Record<string, string>>;
  readonly resources: ResourcesSpec;
  readonly probes: {
    readonly readiness?: ResolvedProbe;
    readonly liveness?: ResolvedProbe;
    readonly startup?: ResolvedProbe;
  };
  readonly command?: readonly string[];
  readonly args?: readonly string[];
}

export type ResolvedProbe = Omit<ProbeSpec, "port"> & { readonly port: string | number };
