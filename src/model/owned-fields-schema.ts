import { z } from "zod";
import type { BuiltinKindName } from "../k8s/kind-names.js";

/**
 * A kind as an owned field names it: one Kubernetes serves by its name alone
 * ("Deployment": a misspelt one does not compile), or any kind with its group
 * ("cert-manager.io/Certificate", "events.k8s.io/Event"), which validate looks up.
 */
export type OwnedKind = BuiltinKindName | `${string}/${string}`;

/**
 * Fields of an app's objects that another controller owns: a mutating
 * webhook's injected annotation, a replica count an operator sets, whatever
 * a field manager writes. The GitOps engine then leaves them to it instead
 * of putting back what the env repo says on every sync: Argo CD's
 * `ignoreDifferences` (with `RespectIgnoreDifferences=true`), Flux's
 * Kustomization `ignore` rules. Paths are checked against the kind's schema
 * in validate (src/pipeline/validate/owned-fields.ts).
 */
export const ownedFieldSchema = z
  .strictObject({
    /** The kind: "Deployment", or "<group>/<Kind>" ("cert-manager.io/Certificate") for a custom resource or a kind several groups serve. */
    kind: z.string().regex(/^([a-z0-9.-]+\/)?[A-Z][A-Za-z0-9]*$/, {
      message: 'must be a kind such as "Deployment", or "<group>/<Kind>" such as "cert-manager.io/Certificate"',
    }) as z.ZodType<OwnedKind, OwnedKind>,
    /** One object of that kind, by name. Default: every object of that kind the app renders. */
    name: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, { message: "must be an object name" })
      .optional(),
    /**
     * The fields, as dotted paths from the object's root: "spec.replicas",
     * "spec.template.metadata.annotations.sidecar.istio.io/inject" (a map's
     * key is written as it is, dots and slashes included, as the last part),
     * a list's item by its index: "spec.template.spec.containers.0.resources".
     */
    paths: z
      .array(z.string().regex(/^[A-Za-z$_][^\s]*$/, { message: 'must be a dotted field path such as "spec.replicas"' }))
      .min(1)
      .optional(),
    /** Argo CD only: every field these field managers own ("vpa-recommender", as `metadata.managedFields[].manager` names them). Flux cannot leave fields to a manager by name: name the paths there. */
    managers: z.array(z.string().min(1)).min(1).optional(),
    /** Who owns it and why, for reviewers. */
    reason: z.string().min(1).optional(),
  })
  .superRefine((field, context) => {
    if (field.paths === undefined && field.managers === undefined)
      context.addIssue({
        code: "custom",
        message: "an owned field needs paths, managers or both",
        params: { hint: 'write paths: ["spec.replicas"], or managers: ["<field manager>"] (Argo CD only)' },
      });
  });

/** The fields other controllers own, in the app's settings; a later layer (an environment, a cluster) replaces the list whole. */
export const ownedFieldsSchema = z.array(ownedFieldSchema);

export type OwnedField = z.infer<typeof ownedFieldSchema>;
