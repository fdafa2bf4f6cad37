import { z } from "zod";

/**
 * An SSO group as the identity provider sends it in the token's groups claim
 * ("acme:payments", a Dex connector's "org:team"). Argo CD refuses a
 * project role's group with a quote or a control character, and one with a
 * comma unless quoted; Kubernetes takes the same string as a Group subject.
 */
export const ssoGroup = z.string().regex(/^[^\s",]([^",\t\r\n]*[^\s",])?$/, {
  message: 'must be an SSO group as the groups claim carries it, e.g. "acme:payments": no quotes, commas or surrounding spaces',
});

/** What a team's SSO groups may do beyond viewing, syncing and reading logs. */
export const teamRightsSchema = z.strictObject({
  /** Delete the live objects of the team's apps (a stuck Pod, a failed Job) from the Argo CD or Flux UI. Never the Application or Kustomization itself: git owns those. */
  delete: z.boolean().optional(),
  /** Argo CD: sync to another revision or to local manifests (`override`). Flux has no such action. */
  override: z.boolean().optional(),
});

/**
 * What the teams' SSO groups may do in the GitOps UIs, in production
 * environments and elsewhere. Default: delete and override outside
 * production, neither in production.
 */
export const accessSchema = z.strictObject({
  /** In environments with `production` (by default, those whose name starts with "prod"). Default `{ delete: false, override: false }`. */
  production: teamRightsSchema.optional(),
  /** In every other environment. Default `{ delete: true, override: true }`. */
  nonProduction: teamRightsSchema.optional(),
});

export type AccessInput = z.input<typeof accessSchema>;

/** A team's rights in one class of environments, defaults filled in. */
export interface TeamRights {
  readonly delete: boolean;
  readonly override: boolean;
}

/** What teams may do in production and elsewhere (see accessSchema). */
export interface TeamAccess {
  readonly production: TeamRights;
  readonly nonProduction: TeamRights;
}

/** The platform's `access`, with its defaults: nothing is deleted or overridden by hand in production unless it says so. */
export function teamAccessOf(input: AccessInput | undefined): TeamAccess {
  return {
    production: { delete: input?.production?.delete ?? false, override: input?.production?.override ?? false },
    nonProduction: { delete: input?.nonProduction?.delete ?? true, override: input?.nonProduction?.override ?? true },
  };
}
