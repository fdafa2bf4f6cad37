import type { KubernetesObject } from "sluice";

const image = "registry.example.com/team/app:1.0.0";
const resources = { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } };
const probe = { httpGet: { path: "/", port: 8080 } };
const good = {
  name: "app",
  image,
  resources,
  securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false },
  ports: [{ containerPort: 8080 }],
  readinessProbe: probe,
  livenessProbe: probe,
};
const labels = { "app.kubernetes.io/name": "x", "app.kubernetes.io/part-of": "x" };

/**
 * Pod specs at the edges of what the API server accepts: lists and maps
 * absent, empty or null, init and ephemeral containers, a securityContext at
 * the pod level only, the container level only, or neither. Each is
 * wrapped in every workload kind, so the pre-merge check and admission can
 * be compared on all of them.
 */
export function oddPodSpecs(): [string, KubernetesObject][] {
  const specs: [string, Record<string, unknown>][] = [
    ["plain", { containers: [good] }],
    ["no containers key", {}],
    ["empty containers", { containers: [] }],
    ["null containers", { containers: null }],
    ["empty initContainers", { containers: [good], initContainers: [] }],
    ["null initContainers", { containers: [good], initContainers: null }],
    [
      "bad initContainer",
      { containers: [good], initContainers: [{ name: "init", image: "docker.io/busybox:latest", securityContext: { privileged: true } }] },
    ],
    ["good initContainer", { containers: [good], initContainers: [{ ...good, name: "init", ports: undefined }] }],
    ["ephemeral container", { containers: [good], ephemeralContainers: [{ name: "debug", image: "docker.io/busybox:latest" }] }],
    ["pod securityContext only", { securityContext: { runAsNonRoot: true }, containers: [{ ...good, securityContext: undefined }] }],
    ["container securityContext empty", { containers: [{ ...good, securityContext: {} }] }],
    ["pod securityContext empty", { securityContext: {}, containers: [{ ...good, securityContext: undefined }] }],
    ["null securityContext", { securityContext: null, containers: [{ ...good, securityContext: null }] }],
    [
      "container runAsNonRoot false over pod true",
      { securityContext: { runAsNonRoot: true }, containers: [{ ...good, securityContext: { runAsNonRoot: false } }] },
    ],
    ["runAsUser 0", { containers: [{ ...good, securityContext: { runAsNonRoot: true, runAsUser: 0 } }] }],
    [
      "null privileged",
      { containers: [{ ...good, securityContext: { runAsNonRoot: true, privileged: null, allowPrivilegeEscalation: null } }] },
    ],
    ["empty requests and limits", { containers: [{ ...good, resources: { requests: {}, limits: {} } }] }],
    ["empty pod labels and annotations", { containers: [good], nodeSelector: {} }],
    ["empty resources", { containers: [{ ...good, resources: {} }] }],
    ["null resources", { containers: [{ ...good, resources: null }] }],
    ["null requests", { containers: [{ ...good, resources: { requests: null, limits: null } }] }],
    ["empty ports", { containers: [{ ...good, ports: [], readinessProbe: undefined, livenessProbe: undefined }] }],
    ["null ports", { containers: [{ ...good, ports: null, readinessProbe: undefined, livenessProbe: undefined }] }],
    ["null probes", { containers: [{ ...good, readinessProbe: null, livenessProbe: null }] }],
    ["empty volumes", { containers: [good], volumes: [] }],
    ["null volumes", { containers: [good], volumes: null }],
    ["hostPath volume", { containers: [good], volumes: [{ name: "h", hostPath: { path: "/" } }] }],
    ["null hostPath", { containers: [good], volumes: [{ name: "h", hostPath: null }] }],
    ["hostNetwork false", { containers: [good], hostNetwork: false, hostPID: false, hostIPC: false }],
    ["hostNetwork null", { containers: [good], hostNetwork: null }],
    ["hostNetwork true", { containers: [good], hostNetwork: true }],
    ["image without tag", { containers: [{ ...good, image: "registry.example.com/team/app" }] }],
    ["null image", { containers: [{ ...good, image: null }] }],
    ["no image", { containers: [{ ...good, image: undefined }] }],
    ["container without name", { containers: [{ ...good, name: undefined }] }],
  ];
  const clean = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
  const objects: [string, KubernetesObject][] = [];
  for (const [name, spec] of specs) {
    const pod = clean(spec);
    const meta = (kind: string) => ({ name: `${kind.toLowerCase()}-${name.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}`, labels });
    objects.push([`Pod ${name}`, { apiVersion: "v1", kind: "Pod", metadata: meta("Pod"), spec: pod } as KubernetesObject]);
    for (const [apiVersion, kind] of [
      ["apps/v1", "Deployment"],
      ["apps/v1", "StatefulSet"],
      ["apps/v1", "DaemonSet"],
      ["apps/v1", "ReplicaSet"],
      ["batch/v1", "Job"],
    ] as const) {
      objects.push([
        `${kind} ${name}`,
        {
          apiVersion,
          kind,
          metadata: meta(kind),
          spec: { replicas: 2, template: { metadata: { labels }, spec: pod } },
        } as KubernetesObject,
      ]);
    }
    objects.push([
      `CronJob ${name}`,
      {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata: meta("CronJob"),
        spec: { schedule: "@daily", jobTemplate: { spec: { template: { spec: pod } } } },
      } as KubernetesObject,
    ]);
  }
  objects.push([
    "Deployment with a null template",
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "nulltemplate", labels },
      spec: { template: null },
    } as unknown as KubernetesObject,
  ]);
  objects.push([
    "Deployment with a template without spec",
    { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "nopodspec", labels }, spec: { template: {} } } as KubernetesObject,
  ]);
  objects.push([
    "Deployment without spec",
    { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "nospec", labels } } as KubernetesObject,
  ]);
  objects.push([
    "Deployment without labels",
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "nolabels" },
      spec: { template: { spec: { containers: [good] } } },
    } as KubernetesObject,
  ]);
  objects.push([
    "Deployment with empty labels",
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "emptylabels", labels: {}, annotations: {} },
      spec: { template: { spec: { containers: [good] } } },
    } as KubernetesObject,
  ]);
  objects.push([
    "Deployment with null labels",
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "nulllabels", labels: null },
      spec: { template: { spec: { containers: [good] } } },
    } as unknown as KubernetesObject,
  ]);
  return objects;
}
