import type { KubernetesObject } from "../k8s/object.js";
import type { Origin } from "./origin.js";
import type { AppKind } from "./app-kinds.js";
import type { ResolvedApp } from "./resolved.js";

/** One Kubernetes object, where it goes in the env repo, and the stack line it came from. */
export interface RenderedObject {
  /** Path inside out/, with forward slashes. */
  readonly path: string;
  readonly object: KubernetesObject;
  readonly origin: Origin;
  /** Every stack file that shaped the object. */
  readonly sources: readonly string[];
  /**
   * The file's exact text, when it must reach the env repo as it is (a
   * SOPS-encrypted Secret, whose MAC covers the file as written): then
   * `object` is that text parsed, for identity and review, and is never
   * serialised again. Such a file holds this one object.
   */
  readonly verbatim?: string;
  /**
   * Not a file of its own: the engine gathers it, with the same object of
   * the cluster's other app instances, into one of the cluster's files (Argo
   * CD's ApplicationSet per team: engines/argocd/application-sets.ts). It is
   * rendered, checked and cached with its instance; `path` is where it would
   * be on its own.
   */
  readonly gathered?: boolean;
}

/** A generated text file that is not a Kubernetes object (README, CODEOWNERS). */
export interface RenderedDocument {
  readonly path: string;
  readonly content: string;
  readonly sources: readonly string[];
}

export interface Rendered {
  readonly objects: readonly RenderedObject[];
  readonly documents: readonly RenderedDocument[];
}

/**
 * Renders the workload of one app on one cluster. The default is the
 * web-service blueprint in lib/; a team can supply its own. sluice adds the
 * namespace and the recommended labels to whatever it returns.
 */
export interface Blueprint {
  readonly name: string;
  /**
   * The kind of app it renders (default "service"): an app chooses it only if
   * the app is of that kind, and gets that kind's settings resolved.
   */
  readonly kind?: AppKind;
  /**
   * Declares that `render` is a pure function of its input, and names this
   * version of it: synth then skips instances whose input did not change.
   * Change it whenever the blueprint's code changes. The built-in blueprint
   * needs none (it is hashed with sluice's own code).
   */
  readonly cacheKey?: string;
  render(app: ResolvedApp): KubernetesObject[];
  /**
   * The setting (a dotted path such as "resources", "probes.readiness",
   * "replicas" or "release") that produced a field of an object this
   * blueprint rendered, so that a policy finding points at the stack line to
   * change rather than at the app's call. Undefined when no setting did.
   */
  settingOf?(object: KubernetesObject, field: readonly (string | number)[]): string | undefined;
}
