import type { Diagnostic } from "../../model/diagnostic.js";
import type { Origin } from "../../model/origin.js";
import type { SecurityContextSpec } from "../../model/security-schema.js";

type Level = "privileged" | "baseline" | "restricted";

/**
 * The capabilities the Pod Security "baseline" level lets a container add:
 * the default set of the container runtimes (pod-security-admission,
 * policy/check_capabilities_baseline.go, capabilities_allowed_1_0). The
 * "restricted" level allows NET_BIND_SERVICE only
 * (policy/check_capabilities_restricted.go).
 */
const BASELINE_CAPABILITIES = new Set([
  "AUDIT_WRITE",
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "MKNOD",
  "NET_BIND_SERVICE",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_CHROOT",
]);

/**
 * What the namespace's Pod Security level would refuse of the app's
 * `securityContext`, each at the line that set it, naming the level, the
 * check of kubernetes/pod-security-admission that refuses it, and what the
 * level allows. The checks are those the fields reach:
 * baseline — capabilities_baseline, seccompProfile_baseline;
 * restricted — those, and capabilities_restricted, runAsNonRoot, runAsUser,
 * seccompProfile_restricted. (privileged, allowPrivilegeEscalation and the
 * host checks concern fields the blueprint never sets from a stack.)
 * Pods with `hostUsers: false`, which restricted lets run as root, are not
 * written by sluice.
 */
export function podSecurityProblems(
  spec: SecurityContextSpec | undefined,
  context: { readonly level: Level; readonly namespace: string; readonly where: (path: string) => Origin; readonly onCluster: string },
): Diagnostic[] {
  const { level, namespace, where, onCluster } = context;
  const diagnostics: Diagnostic[] = [];
  if (!spec) return diagnostics;
  const refuse = (path: string, what: string, check: string, allows: string) =>
    diagnostics.push({
      code: "resolve/pod-security",
      message: `${what} is refused by Pod Security "${level}" in namespace ${namespace}${onCluster} (check ${check}): ${level} allows ${allows}`,
      origin: where(`securityContext.${path}`),
      hint: `leave it out, or ask the platform team for podSecurity "${level === "restricted" ? "baseline" : "privileged"}" for the team or environment`,
    });
  // Whatever the level: the kubelet refuses to start a container as UID 0 while runAsNonRoot is true.
  if (spec.runAsUser === 0 && spec.runAsNonRoot !== false && level !== "restricted")
    diagnostics.push({
      code: "resolve/pod-security",
      message: `runAsUser 0 is root, and runAsNonRoot is true (the default here): the kubelet would refuse to start the containers${onCluster}`,
      origin: where("securityContext.runAsUser"),
      hint: "run as another user, or set runAsNonRoot: false where the namespace's Pod Security level allows it",
    });
  // The API server's own rule: a Localhost profile names its file (another type's profile is left out when rendered).
  const seccomp = spec.seccompProfile;
  if (seccomp?.type === "Localhost" && seccomp.localhostProfile === undefined)
    diagnostics.push({
      code: "resolve/seccomp-profile",
      message: `seccompProfile type "Localhost" needs a localhostProfile${onCluster}`,
      origin: where("securityContext.seccompProfile"),
      hint: 'write seccompProfile: { type: "Localhost", localhostProfile: "profiles/app.json" }, or { type: "RuntimeDefault" }',
    });
  if (level === "privileged") return diagnostics;
  const added = spec.capabilities?.add ?? [];
  const restricted = level === "restricted";
  const allowed = restricted ? new Set(["NET_BIND_SERVICE"]) : BASELINE_CAPABILITIES;
  const refused = added.filter((capability) => !allowed.has(capability));
  if (refused.length > 0)
    refuse(
      "capabilities.add",
      `adding ${refused.join(", ")}`,
      restricted && refused.every((capability) => BASELINE_CAPABILITIES.has(capability))
        ? "capabilities_restricted"
        : "capabilities_baseline",
      restricted ? "adding NET_BIND_SERVICE only" : `adding only ${[...BASELINE_CAPABILITIES].join(", ")}`,
    );
  if (spec.seccompProfile?.type === "Unconfined")
    refuse(
      "seccompProfile.type",
      'seccompProfile "Unconfined"',
      restricted ? "seccompProfile_restricted" : "seccompProfile_baseline",
      '"RuntimeDefault" or "Localhost"',
    );
  if (!restricted) return diagnostics;
  if (spec.runAsNonRoot === false) refuse("runAsNonRoot", "runAsNonRoot: false", "runAsNonRoot", "only runAsNonRoot: true");
  if (spec.runAsUser === 0) refuse("runAsUser", "runAsUser: 0 (root)", "runAsUser", "any user but 0");
  return diagnostics;
}
