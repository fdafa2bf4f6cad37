import { z } from "zod";
import { dnsLabel } from "./names.js";

/**
 * Preview environments: an app's change on a pull request, running before
 * the merge in a throw-away namespace `pr-<number>-<app>` on a cluster the
 * platform names, opened by a label and closed when the label or the pull
 * request goes. The engine opens and closes them (Argo CD's ApplicationSet
 * Pull Request generator, the Flux Operator's ResourceSet) — or, where the
 * platform names no SCM, records in stacks/previews/ do (platform.preview).
 * sluice renders the preview of each app once, into previews/<app>/<cluster>/,
 * and the engine sets the namespace, the image tag and the host per pull request.
 */

/** A Kubernetes quantity ("250m", "1Gi"). */
const quantity = z
  .string()
  .regex(/^[0-9]+(\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti)?$/, { message: 'must be a quantity such as "250m" or "512Mi"' });

const containerDefaults = z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() });

/** A duration in one or more units: "72h", "7d", "1d12h". */
const lifetime = z.string().regex(/^([0-9]+[mhd])+$/, { message: 'must be a duration such as "72h" or "7d"' });

const tokenSchema = z.strictObject({
  /** The Secret (in the engine's namespace on each preview cluster) holding the token; see the README for its keys per engine. */
  secret: dnsLabel,
});

export const previewScmSchema = z.union([
  z.strictObject({
    github: z.strictObject({
      /** "owner/repository": the repository whose pull requests open previews. */
      repository: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, { message: 'must be "owner/repository"' }),
      /** GitHub Enterprise's API ("https://ghe.example.com/api/v3"). Default: github.com's. */
      api: z.url().optional(),
      token: tokenSchema,
    }),
  }),
  z.strictObject({
    gitlab: z.strictObject({
      /** "group/project": the project whose merge requests open previews (Flux reads it by its URL). */
      project: z.string().regex(/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$/, { message: 'must be "group/project"' }),
      /** The project's numeric ID: Argo CD's generator (and its webhook) know a project by it alone. */
      projectId: z.number().int().min(1),
      /** A self-managed GitLab ("https://gitlab.example.com"). Default: gitlab.com. */
      url: z.url().optional(),
      token: tokenSchema,
    }),
  }),
]);

export const previewsSchema = z.strictObject({
  /** The clusters that host previews; none may serve production. */
  clusters: z.array(dnsLabel).min(1, { message: 'name the cluster that hosts previews, e.g. clusters: ["dev-1"]' }),
  /** The apps that may preview (each opts in with `preview`). */
  apps: z.array(dnsLabel).min(1, { message: "name the apps that may preview" }),
  /** The pull request label that opens a preview. Default "preview". */
  label: z.string().min(1).max(50).optional(),
  /** The most previews of one app open at once on a cluster (1–50). */
  maxOpen: z
    .number()
    .int()
    .min(1, { message: "a cap of 0 opens no preview (and Flux would read 0 as its default of 100): at least 1, or leave previews out" })
    .max(50, { message: "at most 50: each preview is a namespace with the app and its quota" }),
  /** How long a preview stays open after it was labelled ("72h", "7d"). Default "72h". */
  lifetime: lifetime.optional(),
  /** Each preview namespace's ResourceQuota, by the quota's keys. Default: 1 CPU and 2 GiB of memory requested, 4 GiB limited, 20 pods. */
  quota: z
    .record(
      z
        .string()
        .regex(
          /^((requests|limits)\.(cpu|memory|ephemeral-storage)|requests\.storage|pods|services|configmaps|secrets|persistentvolumeclaims)$/,
          {
            message: 'must be a ResourceQuota key such as "requests.cpu" or "pods"',
          },
        ),
      z.union([quantity, z.number().int().min(0)]),
    )
    .optional(),
  /** Each preview container's defaults where it sets none (a LimitRange): `{ default: { cpu, memory }, defaultRequest: { cpu, memory } }`. */
  limits: z.strictObject({ default: containerDefaults.optional(), defaultRequest: containerDefaults.optional() }).optional(),
  /** The host an exposed app's preview is served on: "{app}-pr-{number}.preview.example.com" ({number} required). */
  host: z
    .string()
    .regex(/^[a-z0-9.{}-]+$/, { message: "must be a host name with {app} and {number} in it" })
    .refine((host) => host.includes("{number}"), { message: "must contain {number}: each pull request's preview needs a host of its own" })
    .refine((host) => [...host.matchAll(/\{([^}]*)\}/g)].every(([, name]) => name === "app" || name === "number"), {
      message: "may only use {app} and {number}",
    }),
  /** The image tag app CI pushes for a pull request: "{sha}" (the head commit, the default), "pr-{number}", or both. */
  tag: z
    .string()
    .regex(/^[A-Za-z0-9_.{}-]+$/, { message: 'must be an image tag pattern such as "{sha}" or "pr-{number}"' })
    .refine((tag) => [...tag.matchAll(/\{([^}]*)\}/g)].every(([, name]) => name === "sha" || name === "number"), {
      message: "may only use {sha} and {number}",
    })
    .optional(),
  /**
   * Where the pull requests are: `{ github: { repository, token } }` or
   * `{ gitlab: { project, projectId, token } }`; the engine then opens a
   * preview per labelled pull request. Leave it out where the engine cannot
   * reach the SCM, or the CI system is neither: `sluice preview open` and
   * `close` then open and close previews by records in stacks/previews/.
   */
  scm: previewScmSchema.optional(),
  /** Only pull requests into this branch open previews (Argo CD). Default: any. */
  targetBranch: z.string().min(1).optional(),
  /** How often the engine asks the SCM for pull requests ("10m"); GitHub allows 5,000 requests an hour per token. Default "5m". */
  poll: z
    .string()
    .regex(/^[1-9][0-9]*[smh]$/, { message: 'must be a duration such as "5m"' })
    .optional(),
});
export type PreviewsInput = z.input<typeof previewsSchema>;
