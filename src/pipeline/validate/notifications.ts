import type { Diagnostic } from "../../model/diagnostic.js";
import { NOTIFICATION_EVENTS } from "../../model/notifications-schema.js";
import type { ChannelModel, Subscription } from "../../model/notifications.js";
import type { Origin } from "../../model/origin.js";
import { own } from "../../model/own.js";
import type { PlatformInput } from "../../model/platform-schema.js";
import { nameHint } from "../../model/spelling.js";

type At = (...path: (string | number)[]) => Origin;

/**
 * Each team's subscriptions name channels the platform declares, each
 * channel once per team (one entry lists all its events there).
 */
export function notificationProblems(input: PlatformInput, at: At): Diagnostic[] {
  const channels = input.notifications?.channels ?? {};
  const declared = Object.keys(channels).sort();
  const diagnostics: Diagnostic[] = [];
  for (const [team, { notify }] of Object.entries(input.teams)) {
    const seen = new Set<string>();
    (notify ?? []).forEach(({ channel }, index) => {
      const where = at("teams", team, "notify", index, "channel");
      if (!Object.hasOwn(channels, channel)) {
        diagnostics.push({
          code: "validate/unknown-channel",
          message: `team ${team} subscribes to channel ${JSON.stringify(channel)}, which notifications.channels does not declare`,
          origin: where,
          hint:
            declared.length === 0
              ? 'declare it in the platform: notifications: { channels: { "<name>": { slack: { channel, secret } } } }'
              : nameHint(channel, declared, `declare it under notifications.channels, or use one of: ${declared.join(", ")}`),
        });
      } else if (seen.has(channel)) {
        diagnostics.push({
          code: "validate/duplicate-subscription",
          message: `team ${team} subscribes to channel ${channel} twice`,
          origin: where,
          hint: "list all the team's events on that channel in one entry's `on`",
        });
      }
      seen.add(channel);
    });
  }
  return diagnostics;
}

/** The platform's channels, sorted by name. */
export function channelsOf(input: PlatformInput, at: At): ChannelModel[] {
  return Object.entries(input.notifications?.channels ?? {})
    .map(([name, channel]): ChannelModel => {
      const origin = at("notifications", "channels", name);
      // The schema let exactly one kind through.
      if (channel.slack) return { name, type: "slack", slackChannel: channel.slack.channel, secret: channel.slack.secret, origin };
      if (channel.teams) return { name, type: "teams", secret: channel.teams.secret, origin };
      return { name, type: "webhook", secret: channel.webhook!.secret, origin };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** One team's subscriptions, once validated: each with its channel, its events once each in sluice's order. */
export function subscriptionsOf(input: PlatformInput, team: string, channels: readonly ChannelModel[], at: At): Subscription[] {
  const byName = Object.fromEntries(channels.map((channel) => [channel.name, channel]));
  return (own(input.teams, team)?.notify ?? []).map(({ channel, on }, index) => ({
    channel: own(byName, channel)!,
    events: NOTIFICATION_EVENTS.filter((event) => on.includes(event)),
    origin: at("teams", team, "notify", index),
  }));
}
