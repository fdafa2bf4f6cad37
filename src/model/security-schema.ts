import { z } from "zod";

/**
 * What an app may change of its pods' hardened security context, within
 * what the namespace's Pod Security level admits (checked in resolve, see
 * src/pipeline/resolve/pod-security.ts). Pod-level fields go on the pod,
 * `readOnlyRootFilesystem` and `capabilities` on the app's container.
 */

/** A Linux capability as Kubernetes writes it: "NET_BIND_SERVICE", without "CAP_". */
const capability = z
  .string()
  .regex(/^[A-Z][A-Z_]*$/, { message: 'must be a capability such as "NET_BIND_SERVICE"' })
  .refine((name) => !name.startsWith("CAP_"), {
    message: 'is written without "CAP_" in Kubernetes ("NET_BIND_SERVICE"); Pod Security compares the names as written',
  });

export const securityContextSchema = z.strictObject({
  /** The user every container runs as (the pod's `runAsUser`); 0 is root. */
  runAsUser: z.number().int().min(0).max(2147483647).optional(),
  /** The primary group every container runs as. */
  runAsGroup: z.number().int().min(0).max(2147483647).optional(),
  /** The group that owns the pod's volumes (and that the containers get as a supplementary group). */
  fsGroup: z.number().int().min(0).max(2147483647).optional(),
  /** `true` (the default here): the kubelet refuses to start a container as root; `false` allows it. */
  runAsNonRoot: z.boolean().optional(),
  /** The app's container cannot write its image's filesystem (write to `volumes` instead). */
  readOnlyRootFilesystem: z.boolean().optional(),
  /** Capabilities the app's container adds (it drops ALL first): `{ add: ["NET_BIND_SERVICE"] }`. */
  capabilities: z.strictObject({ add: z.array(capability).optional() }).optional(),
  /** The pod's seccomp profile: `{ type: "RuntimeDefault" }` (the default), `"Localhost"` with `localhostProfile`, or `"Unconfined"`. */
  seccompProfile: z
    .strictObject({
      type: z.enum(["RuntimeDefault", "Localhost", "Unconfined"]).optional(),
      /** With "Localhost": the profile's path under the kubelet's seccomp directory. */
      localhostProfile: z.string().min(1).optional(),
    })
    .optional(),
});

export type SecurityContextSpec = z.infer<typeof securityContextSchema>;
