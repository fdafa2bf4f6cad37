import { z } from "zod";
import { dnsLabel } from "./names.js";
import { parseRelease } from "./release.js";
import { allowLiteralsSchema, ruleId, waiverReason } from "./platform-schema.js";
import { APP_KINDS } from "./app-kinds.js";
import { portName, settingsSchema, settingsShape } from "./settings-schema.js";

/** The ports a caller may use, by the app's port names. Default: every port of the app. */
const callerPorts = z.array(portName).min(1, { message: "name at least one port, or leave ports out for all of them" }).optional();

/**
 * An image repository with no tag or digest: the tag comes from the app's
 * release for the wave, so that promotion edits one literal per wave.
 */
export const imageRepository = z
  .string()
  .regex(
    /^(?:[A-Za-z0-9][A-Za-z0-9.-]*(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/,
    {
      message: 'must be an image repository without tag or digest, e.g. "registry.example.com/payments"; the tag comes from `release`',
    },
  );

/**
 * A release: a semantic version tag ("1.6.3", "v2.0.0-rc.1"), an image
 * digest ("sha256:<64 hex>"), or a tag pinned by digest ("1.10@sha256:<64
 * hex>"). A plain tag that is not semver ("1.10") is a tag that can move:
 * it passes here, and validation allows it only where the platform's
 * `releases.allowTags` does. `latest` always moves and is refused.
 */
export const release = z
  .string()
  .refine((value) => value !== "latest" && !value.startsWith("latest@") && parseRelease(value) !== undefined, {
    message:
      'must be a release: a semver tag such as "1.6.3", a digest "sha256:<64 hex>", or a tag pinned by digest such as "1.10@sha256:<64 hex>"',
  });

/** DNS-1123 subdomain, the rule for most Kubernetes object names. */
const objectName = z
  .string()
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, {
    message: "must be a DNS-1123 subdomain: lower-case letters, digits, '-' and '.'",
  });

export const rawObjectSchema = z.looseObject({
  apiVersion: z.string().min(1),
  kind: z.string().regex(/^[A-Z][A-Za-z0-9]*$/, { message: "must be a Kubernetes kind such as ConfigMap" }),
  metadata: z.looseObject({
    name: objectName,
    namespace: dnsLabel.optional(),
  }),
});

export const appSchema = z.strictObject({
  ...settingsShape,
  /** What the app is: "service" (the default), "worker", "cronJob", "job" or "statefulService". It decides the settings the app takes and the blueprint that renders it. */
  kind: z.enum(APP_KINDS).optional(),
  /** The owning team, from the platform's `teams`. */
  team: z.string(),
  /** The image repository, without tag or digest: the tag comes from `release`. */
  image: imageRepository,
  /** Wave → release: a semver tag ("1.6.3"), a digest ("sha256:<64 hex>") or a tag pinned by digest ("1.10@sha256:…"); a plain tag only where the platform's `releases.allowTags` allows it. A wave without a release does not run the app; releases cover a prefix of the waves. */
  release: z.record(z.string(), release),
  /** The blueprint that renders the app: the built-in one of its kind (the default) or one the platform registers in `blueprints` for that kind. */
  blueprint: dnsLabel.optional(),
  /** One of the team's namespaces. Default: the team's first namespace. */
  namespace: dnsLabel.optional(),
  /**
   * `app.kubernetes.io/part-of`: the larger application (system) this app is
   * one part of, as Kubernetes' recommended labels mean it. Default: the
   * team's name, whose apps are taken as one system.
   */
  partOf: dnsLabel.optional(),
  /** Environment → overrides of any workload setting, for every cluster of that environment. */
  environments: z.record(z.string(), settingsSchema).optional(),
  /** Cluster → overrides of any workload setting; they win over `environments`. */
  clusters: z.record(z.string(), settingsSchema).optional(),
  /** Extra Kubernetes objects, rendered as written into the app's namespace after the blueprint's (type them with `sluice/k8s`). Kinds must be served by Kubernetes or declared in `customResources`; GitOps objects are refused; cluster-scoped kinds need the team's grant. */
  objects: z.array(rawObjectSchema).optional(),
  /**
   * Rules this app does not follow, by rule id, each with the reason, an
   * optional expiry date ("2027-03-31": an error from that day on) and
   * optionally only on some clusters. Every waiver is listed in the env
   * repo's README.
   */
  waivers: z
    .record(
      ruleId,
      z.strictObject({
        reason: waiverReason,
        expires: z.iso.date({ message: 'must be a date such as "2027-03-31"' }).optional(),
        clusters: z.array(z.string()).min(1).optional(),
      }),
    )
    .optional(),
  /**
   * Who may call the app on its ports: other apps by name, or whole
   * namespaces ({ namespace: "ingress-nginx" }), on every port of the app;
   * or on some ports only ({ app: "checkout-web", ports: ["http"] },
   * { namespace: "monitoring", ports: ["metrics"] }). Everything else is
   * refused by the namespace's default-deny NetworkPolicy.
   */
  callers: z
    .array(
      z.union([
        dnsLabel,
        z.strictObject({ app: dnsLabel, ports: callerPorts }),
        z.strictObject({ namespace: dnsLabel, ports: callerPorts }),
      ]),
    )
    .optional(),
  /**
   * Apps and platform components that must be ready before this app is
   * synced, by name: Flux `dependsOn`, Argo CD sync waves.
   */
  dependsOn: z.array(dnsLabel).optional(),
  /** Plaintext findings in this app judged harmless, by the path each finding printed, with the reason. */
  allowLiterals: allowLiteralsSchema.optional(),
  /**
   * service: a preview environment per labelled pull request, on the clusters the platform's `previews`
   * names (the app must be among its `apps`): `true`, or settings over the preview cluster's (a smaller
   * `replicas`, another `env`). It renders as on that cluster, into namespace `pr-<number>-<app>`.
   */
  preview: z.union([z.literal(true), settingsSchema]).optional(),
});

export type AppInput = z.input<typeof appSchema>;
export type AppParsed = z.infer<typeof appSchema>;
