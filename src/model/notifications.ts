import type { NotificationEvent } from "./notifications-schema.js";
import type { Origin } from "./origin.js";

export type { NotificationEvent } from "./notifications-schema.js";

/** A channel of the platform's, as declared (see notifications-schema.ts). */
export interface ChannelModel {
  readonly name: string;
  readonly type: "slack" | "teams" | "webhook";
  /** The Slack channel it posts to (Slack only). */
  readonly slackChannel?: string;
  /** The Secret holding its credentials, by name, in each subscribing team's home namespace on a Flux cluster. */
  readonly secret: string;
  readonly origin: Origin;
}

/** What a team is told on one channel: its events, in sluice's order (NOTIFICATION_EVENTS). */
export interface Subscription {
  readonly channel: ChannelModel;
  readonly events: readonly NotificationEvent[];
  readonly origin: Origin;
}

/**
 * A team's subscriptions as each of its app instances sees them: what the
 * engine puts on the app's own object (Argo CD's subscription annotations),
 * without the channel's secret, which only the cluster's objects name.
 */
export interface InstanceSubscription {
  readonly channel: string;
  readonly type: ChannelModel["type"];
  readonly slackChannel?: string;
  readonly events: readonly NotificationEvent[];
}

export function instanceSubscriptions(subscriptions: readonly Subscription[]): InstanceSubscription[] {
  return subscriptions.map(({ channel, events }) => ({
    channel: channel.name,
    type: channel.type,
    ...(channel.slackChannel !== undefined ? { slackChannel: channel.slackChannel } : {}),
    events,
  }));
}
