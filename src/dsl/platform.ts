import { callSites, type CallSite } from "./call-site.js";
import type { AppKind, DEFAULT_KIND } from "../model/app-kinds.js";
import type { AppOfKind, AppSpec, BlueprintNames, DeclaredAnalyses, NamesOf, PlatformNames, PlatformSpec } from "./types.js";

/**
 * A platform value, as exported from a stack. Brands are plain string
 * properties rather than classes: stacks are imported in their own module
 * namespace, so `instanceof` across that boundary would be unreliable.
 */
export interface Platform<N extends PlatformNames = PlatformNames> {
  readonly $sluice: "platform";
  readonly spec: PlatformSpec<N["environment"], N["cluster"], N["wave"], N["team"], BlueprintNames<N>, DeclaredAnalyses<N>>;
  /** Where `definePlatform` was called: the frames outside sluice, innermost first, as they ran (load maps them). */
  readonly callSites: readonly CallSite[];
  /**
   * Declares an app on this platform. Names are checked against the
   * platform's, and settings against the app's kind (`kind`, a service when
   * it names none): one kind's spec at a time, so that a setting of another
   * kind is an error at its own line.
   */
  app<const K extends AppKind = typeof DEFAULT_KIND>(name: string, spec: AppOfKind<N, K>): App<N>;
  /** Every app declared on this platform so far, in declaration order. */
  readonly apps: readonly App<N>[];
  /**
   * Sets an app's release in some waves from a file of its own. A wave whose
   * gate names approvers keeps its releases this way, one file per app under
   * stacks/releases/<wave>/, which the generated CODEOWNERS gives to the
   * wave's approvers: a change there needs their review on the forge.
   */
  release(app: string, releases: AppSpec<N>["release"]): Release<N>;
  /** Every release declared on this platform so far, in declaration order. */
  readonly releases: readonly Release<N>[];
  /**
   * Opens pull request `number`'s preview of `app` (see the platform's
   * `previews`), where no engine generator opens them: a record in a file of
   * its own, stacks/previews/pr-<number>-<app>.ts, that `sluice preview open`
   * writes and `sluice preview close` deletes. `sha` is the pull request's
   * head commit, when the preview tag names it.
   */
  preview(number: number, app: string, opened?: OpenedPreviewSpec): OpenPreview<N>;
  /** Every preview opened on this platform so far, in declaration order. */
  readonly openPreviews: readonly OpenPreview<N>[];
}

/** What a preview record says besides its pull request and app. */
export interface OpenedPreviewSpec {
  /** The pull request's head commit (7–40 hex digits): the image tag is made from it when the platform's tag names {sha}. */
  readonly sha?: string;
}

/** A pull request's preview of an app, opened by a record (see Platform.preview). */
export interface OpenPreview<N extends PlatformNames = PlatformNames> {
  readonly $sluice: "preview";
  readonly number: number;
  readonly app: string;
  readonly opened: OpenedPreviewSpec | undefined;
  readonly platform: Platform<N>;
  readonly callSites: readonly CallSite[];
}

/** An app's releases declared apart from the app (see Platform.release). */
export interface Release<N extends PlatformNames = PlatformNames> {
  readonly $sluice: "release";
  readonly app: string;
  readonly releases: AppSpec<N>["release"];
  readonly platform: Platform<N>;
  readonly callSites: readonly CallSite[];
}

export interface App<N extends PlatformNames = PlatformNames> {
  readonly $sluice: "app";
  readonly name: string;
  readonly spec: AppSpec<N>;
  readonly platform: Platform<N>;
  readonly callSites: readonly CallSite[];
}

/**
 * Declares the platform: environments, clusters, waves, teams, the env repo
 * the GitOps engine and the platform's own blueprints. Export the result from a stack file and build apps
 * with its `app()` method.
 */
export function definePlatform<
  E extends string,
  C extends string,
  W extends string,
  T extends string,
  B extends string = never,
  A extends string = never,
>(spec: PlatformSpec<E, C, W, T, B, A>): Platform<NamesOf<E, C, W, T, B, A>> {
  type N = NamesOf<E, C, W, T, B, A>;
  // Apps are collected on the platform that declares them, so an app counts
  // wherever it is declared in stacks/, whether or not its module exports it.
  const declared: App<N>[] = [];
  const released: Release<N>[] = [];
  const opened: OpenPreview<N>[] = [];
  const platform: Platform<N> = {
    $sluice: "platform",
    // The same spec: its names, read back through N, are E, C, W, T, B and A again.
    spec: spec as Platform<N>["spec"],
    callSites: callSites(),
    app<K extends AppKind>(name: string, appSpec: AppOfKind<N, K>): App<N> {
      const app: App<N> = Object.freeze({ $sluice: "app", name, spec: appSpec as AppSpec<N>, platform, callSites: callSites() });
      declared.push(app);
      return app;
    },
    get apps() {
      return [...declared];
    },
    release(app: string, releases: AppSpec<N>["release"]): Release<N> {
      const release: Release<N> = Object.freeze({ $sluice: "release", app, releases, platform, callSites: callSites() });
      released.push(release);
      return release;
    },
    get releases() {
      return [...released];
    },
    preview(number: number, app: string, spec?: OpenedPreviewSpec): OpenPreview<N> {
      const preview: OpenPreview<N> = Object.freeze({ $sluice: "preview", number, app, opened: spec, platform, callSites: callSites() });
      opened.push(preview);
      return preview;
    },
    get openPreviews() {
      return [...opened];
    },
  };
  return Object.freeze(platform);
}

export function isPlatform(value: unknown): value is Platform {
  return typeof value === "object" && value !== null && (value as { $sluice?: unknown }).$sluice === "platform";
}

export function isApp(value: unknown): value is App {
  return typeof value === "object" && value !== null && (value as { $sluice?: unknown }).$sluice === "app";
}

export function isRelease(value: unknown): value is Release {
  return typeof value === "object" && value !== null && (value as { $sluice?: unknown }).$sluice === "release";
}

export function isOpenPreview(value: unknown): value is OpenPreview {
  return typeof value === "object" && value !== null && (value as { $sluice?: unknown }).$sluice === "preview";
}
