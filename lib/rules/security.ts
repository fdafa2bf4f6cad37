import type { CelRule } from "../../src/sdk.js";

/** A privileged container, or one that may gain privileges, owns the node. */
export const noPrivileged = {
  id: "no-privileged",
  description: "No container runs privileged, and none may escalate privileges.",
  severity: "error",
  on: "container",
  check:
    "!(has(container.securityContext) && has(container.securityContext.privileged) && container.securityContext.privileged == true) && !(has(container.securityContext) && has(container.securityContext.allowPrivilegeEscalation) && container.securityContext.allowPrivilegeEscalation == true)",
  message: "the container is privileged or allows privilege escalation",
  field: ".securityContext",
  hint: "remove privileged: true and allowPrivilegeEscalation: true from the container's securityContext",
} satisfies CelRule;

/** The node's network, process and IPC namespaces and its file system are the node's, not an app's. */
export const noHostAccess = {
  id: "no-host-access",
  description: "No pod uses the host's network, PID or IPC namespace, or mounts a hostPath volume.",
  severity: "error",
  on: "pod",
  check:
    "!(has(variables.pod.hostNetwork) && variables.pod.hostNetwork) && !(has(variables.pod.hostPID) && variables.pod.hostPID) && !(has(variables.pod.hostIPC) && variables.pod.hostIPC) && !(has(variables.pod.volumes) && variables.pod.volumes.exists(v, has(v.hostPath)))",
  message: "the pod uses a host namespace (hostNetwork, hostPID, hostIPC) or a hostPath volume",
  hint: "remove hostNetwork, hostPID, hostIPC and hostPath volumes; use a PersistentVolumeClaim or an emptyDir for storage",
} satisfies CelRule;

/** Root in a container is one kernel bug away from root on the node. */
export const runAsNonRoot = {
  id: "run-as-non-root",
  description:
    "Every container runs as a non-root user: runAsNonRoot is true for the pod or the container, and no container sets it false or runs as UID 0.",
  severity: "error",
  on: "container",
  check:
    "(has(container.securityContext) && has(container.securityContext.runAsNonRoot) ? container.securityContext.runAsNonRoot : (has(variables.pod.securityContext) && has(variables.pod.securityContext.runAsNonRoot) && variables.pod.securityContext.runAsNonRoot)) && !(has(container.securityContext) && has(container.securityContext.runAsUser) && container.securityContext.runAsUser == 0)",
  message: "the container may run as root: set runAsNonRoot: true",
  field: ".securityContext",
  hint: "set securityContext: { runAsNonRoot: true } on the pod (the built-in blueprint does) and build the image with a non-root USER",
} satisfies CelRule;
