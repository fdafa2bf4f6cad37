import type { Diagnostic } from "../../model/diagnostic.js";
import type { Origin } from "../../model/origin.js";
import type { ResolvedProbe, ResolvedSettings } from "../../model/resolved.js";
import type { ProbeSpec, Settings } from "../../model/settings-schema.js";
import type { Provenance } from "./merge.js";

/** Whose probes they are, for messages and settings paths: the app's own container or one beside it. */
export interface ProbeOwner {
  /** The settings path of the probes: "probes", or "sidecars.<name>.probes". */
  readonly path: string;
  /** "the " for a service, "the worker's ", "the sidecar envoy's ". */
  readonly whose: string;
  /** As `whose`, where the message is about ports: "the " for the app of any kind. */
  readonly portsWhose: string;
  /** "the app", "the sidecar envoy": who declares the ports. */
  readonly declarer: string;
}

/**
 * Each probe merged, with the action of the highest layer and its port
 * resolved against the container's ports; what is wrong is pushed onto
 * `diagnostics`, at the line that wrote it.
 */
export function resolveProbes(
  written: Settings["probes"],
  ports: Readonly<Record<string, number>>,
  owner: ProbeOwner,
  provenance: Provenance,
  where: (path: string) => Origin,
  onCluster: string,
  diagnostics: Diagnostic[],
): ResolvedSettings["probes"] {
  const probes: { -readonly [K in keyof ResolvedSettings["probes"]]: ResolvedProbe } = {};
  for (const probeKind of ["readiness", "liveness", "startup"] as const) {
    const path = `${owner.path}.${probeKind}`;
    const probe: ProbeSpec | undefined = topAction(written?.[probeKind], path, provenance);
    if (!probe) continue;
    const at = where(path);
    if ([probe.http, probe.tcp, probe.exec].filter((action) => action !== undefined).length !== 1) {
      diagnostics.push({
        code: "resolve/probe-kind",
        message: `${owner.whose}${probeKind} probe needs exactly one of http, tcp or exec${onCluster}`,
        origin: at,
        hint: 'write { http: "/healthz" }, { tcp: true } or { exec: ["/bin/check"] }',
      });
      continue;
    }
    if (probe.exec) {
      probes[probeKind] = probe;
      continue;
    }
    const port = probe.port ?? Object.keys(ports)[0];
    if (port === undefined) {
      diagnostics.push({
        code: "resolve/probe-port",
        message: `${owner.portsWhose}${probeKind} probe has no port and ${owner.declarer} declares none${onCluster}`,
        origin: at,
        hint: "declare ports: { http: 8080 } or give the probe a port",
      });
      continue;
    }
    if (typeof port === "string" && !Object.hasOwn(ports, port)) {
      diagnostics.push({
        code: "resolve/probe-port",
        message: `${owner.portsWhose}${probeKind} probe uses port ${JSON.stringify(port)}, which ${owner.declarer} does not declare${onCluster}`,
        origin: where(`${path}.port`),
        hint: `use one of: ${Object.keys(ports).join(", ") || "(none declared)"}`,
      });
      continue;
    }
    probes[probeKind] = { ...probe, port };
  }
  return probes;
}

const PROBE_ACTIONS = ["http", "tcp", "exec"] as const;

/**
 * A merged probe with the action of the highest layer that names one: a
 * cluster override that probes over TCP replaces the environment's HTTP probe
 * (its timings still merge key by key). Two actions in one layer are left for
 * the caller to refuse.
 */
function topAction(probe: ProbeSpec | undefined, path: string, provenance: Provenance): ProbeSpec | undefined {
  if (!probe) return undefined;
  const layerOf = (action: (typeof PROBE_ACTIONS)[number]) =>
    probe[action] === undefined ? -1 : (provenance.get(`${path}.${action}`)?.layer ?? -1);
  const top = Math.max(...PROBE_ACTIONS.map(layerOf));
  const below = PROBE_ACTIONS.filter((action) => probe[action] !== undefined && layerOf(action) < top);
  if (below.length === 0) return probe;
  const kept: Record<string, unknown> = { ...probe };
  for (const action of below) {
    delete kept[action];
    for (const key of provenance.keys()) if (key === `${path}.${action}` || key.startsWith(`${path}.${action}.`)) provenance.delete(key);
  }
  return kept as ProbeSpec;
}
