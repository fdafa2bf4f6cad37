import type { settingsShape } from "./settings-schema.js";

/**
 * What an app is: the kinds of workload teams run, each rendered by a
 * built-in blueprint of the same name (lib/blueprints). The kind decides
 * which settings an app may write: a cron job has a schedule and no ports, a
 * worker has no ports, only services and workers autoscale.
 */
export const APP_KINDS = ["service", "worker", "cronJob", "job", "statefulService"] as const;

export type AppKind = (typeof APP_KINDS)[number];

/** The kind of an app that names none. */
export const DEFAULT_KIND = "service" satisfies AppKind;

export type SettingName = keyof typeof settingsShape;

/** Settings every kind takes: what runs in the container, what it reads, where its pods run and who they are. */
const CONTAINER = [
  "env",
  "envFrom",
  "files",
  "volumes",
  "secretFiles",
  "secrets",
  "secretStore",
  "resources",
  "command",
  "args",
  "sidecars",
  "initContainers",
  "securityContext",
  "placement",
  "identity",
  "ownedFields",
] as const;

/** The settings each kind takes. A setting of another kind is an error at its line in an app, and ignored for it in a platform's defaults. */
export const KIND_SETTINGS = {
  service: [...CONTAINER, "replicas", "autoscaling", "ports", "probes", "expose", "progressive"],
  worker: [...CONTAINER, "replicas", "autoscaling", "probes"],
  cronJob: [...CONTAINER, "schedule", "timeZone", "concurrencyPolicy", "historyLimits", "suspend", "activeDeadlineSeconds", "backoffLimit"],
  job: [...CONTAINER, "activeDeadlineSeconds", "backoffLimit"],
  statefulService: [...CONTAINER, "replicas", "ports", "probes", "volumeClaims", "podManagementPolicy"],
} as const satisfies { readonly [K in AppKind]: readonly SettingName[] };

export type KindSettingName<K extends AppKind> = (typeof KIND_SETTINGS)[K][number];

export function kindTakes(kind: AppKind, setting: string): boolean {
  return (KIND_SETTINGS[kind] as readonly string[]).includes(setting);
}

/** The kinds that take a setting, for a message: "service, worker". */
export function kindsTaking(setting: string): AppKind[] {
  return APP_KINDS.filter((kind) => kindTakes(kind, setting));
}
