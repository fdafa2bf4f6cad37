import { platformLabels } from "../../k8s/labels.js";
import type { ClusterModel, PlatformModel } from "../../model/model.js";
import { PLATFORM_PROJECT } from "../../model/names.js";
import type { ChannelModel, NotificationEvent } from "../../model/notifications.js";
import type { Prerequisite } from "../../model/prerequisite.js";
import type { RenderedObject } from "../../model/rendered.js";
import { homeNamespace } from "./tenancy.js";
import type { FluxAlert, FluxProvider } from "./types.js";

const NOTIFICATION_API = "notification.toolkit.fluxcd.io/v1beta3";

/**
 * sluice's events as notification-controller filters of kustomize-controller's
 * events. An Alert filters only by severity and by regular expressions on
 * the message (Go RE2: no look-ahead), so each event is an Alert of its own
 * and their filters are disjoint: no event reaches a channel twice.
 * - a failed health check (`wait: true`) is the error "health check failed
 *   after …": "degraded", and every other error "sync-failed";
 * - "Health check passed in …" is sent when a new revision that changed
 *   something is healthy (or the app recovers): "deployed";
 * - a change set ("Deployment/payments/payments configured", one line per
 *   object) is sent when applying changed something: "sync-succeeded".
 */
export const FLUX_FILTERS: Readonly<
  Record<NotificationEvent, Pick<FluxAlert["spec"], "eventSeverity" | "inclusionList" | "exclusionList">>
> = {
  "sync-failed": { eventSeverity: "error", exclusionList: ["^health check failed"] },
  degraded: { eventSeverity: "error", inclusionList: ["^health check failed"] },
  deployed: { eventSeverity: "info", inclusionList: ["^Health check passed"] },
  "sync-succeeded": { eventSeverity: "info", inclusionList: ["^[^/\\s]+/\\S+ (created|configured|deleted)(\\n|$)"] },
};

/** What each channel's Provider is, and the keys its Secret holds. */
function provider(channel: ChannelModel): Pick<FluxProvider["spec"], "type" | "channel" | "address"> {
  // A Slack app's bot posts through the Web API; its token is the Secret's `token`.
  if (channel.type === "slack") return { type: "slack", channel: channel.slackChannel!, address: "https://slack.com/api/chat.postMessage" };
  // The URL of a Teams workflow or of a webhook carries its credential: it is the Secret's `address`.
  return { type: channel.type === "teams" ? "msteams" : "generic" };
}

/** The keys a channel's Secret must hold on a Flux cluster. */
export function secretKeys(channel: ChannelModel): string {
  return channel.type === "slack"
    ? "`token` (the Slack app's bot token)"
    : channel.type === "teams"
      ? "`address` (the Teams workflow's URL)"
      : "`address` (the URL; `headers` optional)";
}

/**
 * Each team's notifications on a Flux cluster where it runs apps
 * (clusters/<cluster>/notifications/<team>.yaml), in the team's home
 * namespace, beside its Kustomizations: with --no-cross-namespace-refs an
 * Alert sees only events of its own namespace, and a Provider reads its
 * Secret from its own. One Provider per channel, named after it, its
 * credentials in the channel's Secret there (a prerequisite); one Alert per
 * event, `<channel>-<event>`, for every Kustomization in the namespace —
 * the team's apps, whichever come and go.
 */
export function renderNotifications(
  platform: PlatformModel,
  cluster: ClusterModel,
  apps: readonly { readonly name: string; readonly team: string }[],
): RenderedObject[] {
  const rendered: RenderedObject[] = [];
  for (const team of platform.teams) {
    if (team.notify.length === 0 || !apps.some((app) => app.team === team.name)) continue;
    const namespace = homeNamespace(team);
    const path = `clusters/${cluster.name}/notifications/${team.name}.yaml`;
    for (const { channel, events, origin } of team.notify) {
      const labels = { ...platformLabels(channel.name, PLATFORM_PROJECT), "sluice.dev/team": team.name };
      const objects = [
        {
          apiVersion: NOTIFICATION_API,
          kind: "Provider",
          metadata: { name: channel.name, namespace, labels },
          spec: { ...provider(channel), secretRef: { name: channel.secret } },
        } satisfies FluxProvider,
        ...events.map(
          (event) =>
            ({
              apiVersion: NOTIFICATION_API,
              kind: "Alert",
              metadata: { name: `${channel.name}-${event}`, namespace, labels },
              spec: {
                providerRef: { name: channel.name },
                // A message from one of several clusters says which (Argo CD's name the Application).
                eventMetadata: { cluster: cluster.name, environment: cluster.environment },
                eventSources: [{ kind: "Kustomization", name: "*", namespace }],
                ...FLUX_FILTERS[event],
              },
            }) satisfies FluxAlert,
        ),
      ];
      for (const object of objects) rendered.push({ path, object, origin, sources: [platform.origin.file] });
    }
  }
  return rendered;
}

/** The Secret each Provider names, in its own namespace, with the keys its type reads. */
export function notificationSecrets(platform: PlatformModel, fleetObjects: readonly RenderedObject[]): Prerequisite[] {
  const channels = new Map(platform.channels.map((channel) => [channel.name, channel]));
  const needed = new Map<string, Prerequisite>();
  for (const { object } of fleetObjects) {
    if (object.kind !== "Provider" || object.apiVersion !== NOTIFICATION_API || !object.metadata.namespace) continue;
    const channel = channels.get(object.metadata.name);
    if (!channel) continue;
    needed.set(`${object.metadata.namespace}\0${channel.secret}`, {
      what: "Secret",
      name: `\`${channel.secret}\` with ${secretKeys(channel)}`,
      namespace: object.metadata.namespace,
      why: `the Provider \`${channel.name}\` here reads it (\`secretRef\`: the team's notifications on channel ${channel.name}); without it nothing is sent. The team can read it: give each team a credential of its own where that matters`,
    });
  }
  return [...needed].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, prerequisite]) => prerequisite);
}
