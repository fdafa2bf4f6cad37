import { z } from "zod";
import { dnsLabel } from "./names.js";
import { nameHint } from "./spelling.js";

/**
 * What a team can be told about its apps, in sluice's own words; each engine
 * maps them to what it can observe (src/engines/<engine>/notifications.ts):
 * - "sync-failed": applying the app's manifests failed;
 * - "degraded": the app was applied but its objects are not healthy;
 * - "deployed": a new revision was applied and is healthy;
 * - "sync-succeeded": applying changed something in the cluster.
 */
export const NOTIFICATION_EVENTS = ["sync-failed", "degraded", "deployed", "sync-succeeded"] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

/**
 * A channel's name is part of an Argo CD annotation key's name
 * (`subscribe.on-health-degraded.<channel>`), which Kubernetes limits to 63
 * characters: 30 leaves room for the longest trigger.
 */
const CHANNEL_NAME_MAX = 30;

export const channelName = z.string().superRefine((name, ctx) => {
  if (name.length > CHANNEL_NAME_MAX)
    ctx.addIssue({
      code: "custom",
      message: `channel name ${JSON.stringify(name)} is ${name.length} characters long; the limit is ${CHANNEL_NAME_MAX} (it is part of an Argo CD annotation key)`,
    });
  else if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name))
    ctx.addIssue({ code: "custom", message: `channel name ${JSON.stringify(name)} must be lower-case letters, digits and '-'` });
});

/**
 * The Secret, in each subscribing team's home namespace on a Flux cluster,
 * that holds the channel's credentials: never the value, only its name.
 */
const secretName = dnsLabel;

/**
 * One kind of channel per entry. Written as one object with a key per kind
 * rather than a union, so that a misplaced field (a webhook's `url`) is
 * reported as the unknown property it is, at its line.
 */
export const channelSchema = z
  .strictObject({
    /** A Slack channel, posted to by a Slack app's bot: `{ channel, secret }` — `channel` its name without "#" ("payments-alerts") or its ID; `secret` the Secret holding the bot token under `token` (Flux). Argo CD: `service.slack.<name>` with `token: $<name>-token`. */
    slack: z
      .strictObject({
        /** The Slack channel's name without "#" ("payments-alerts") or its ID ("C0123ABCD"). */
        channel: z.string().regex(/^([a-z0-9][a-z0-9._-]{0,79}|[CGD][A-Z0-9]{8,})$/, {
          message: 'must be a Slack channel name without "#" (lower case, e.g. "payments-alerts") or a channel ID such as "C0123ABCD"',
        }),
        /** Flux: the Secret holding the bot's token under the key `token`. */
        secret: secretName,
      })
      .optional(),
    /** A Microsoft Teams channel, through a Teams workflow's URL: `{ secret }` — the Secret holding the URL under `address` (Flux `msteams` Provider). Argo CD: `service.teams-workflows.<name>` with `recipientUrls: { <name>: $<name>-url }`. */
    teams: z
      .strictObject({
        /** Flux: the Secret holding the workflow's URL under the key `address`. */
        secret: secretName,
      })
      .optional(),
    /** An HTTPS endpoint that receives each event as JSON: `{ secret }` — the Secret holding the URL under `address` (and optional `headers`; Flux `generic` Provider). Argo CD: `service.webhook.<name>` with `url: $<name>-url`, and a `webhook.<name>` section in each template its events send. */
    webhook: z
      .strictObject({
        /** Flux: the Secret holding the URL under the key `address` (and optional `headers`). */
        secret: secretName,
      })
      .optional(),
  })
  .superRefine((channel, ctx) => {
    const kinds = Object.entries(channel).flatMap(([kind, value]) => (value === undefined ? [] : [kind]));
    if (kinds.length === 1) return;
    ctx.addIssue({
      code: "custom",
      message:
        kinds.length === 0 ? "a channel needs its kind: slack, teams or webhook" : `a channel is of one kind, not ${kinds.join(" and ")}`,
      params: {
        hint: "write one of { slack: { channel, secret } }, { teams: { secret } }, { webhook: { secret } }; declare another channel for another kind",
      },
    });
  });

export const notificationsSchema = z.strictObject({
  /** Where notifications go, by a name teams subscribe with (at most 30 characters): `{ slack: { channel, secret } }`, `{ teams: { secret } }` or `{ webhook: { secret } }`. */
  channels: z.record(channelName, channelSchema),
});

/** One of a team's subscriptions: the events it is told of on a channel of the platform's. */
export const subscriptionSchema = z.strictObject({
  /** A channel from the platform's `notifications.channels`. */
  channel: z.string(),
  /** The events: "sync-failed", "degraded", "deployed", "sync-succeeded". */
  on: z
    .array(
      z.enum(NOTIFICATION_EVENTS, {
        error: ({ input }) =>
          `unknown event ${JSON.stringify(input)}; ${nameHint(String(input), NOTIFICATION_EVENTS, `use one of: ${NOTIFICATION_EVENTS.join(", ")}`)}`,
      }),
    )
    .min(1, { message: 'name at least one event, e.g. on: ["sync-failed", "degraded"]' }),
});

export type ChannelInput = z.input<typeof channelSchema>;
