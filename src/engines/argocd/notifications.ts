import type { AppModel, PlatformModel } from "../../model/model.js";
import type { ChannelModel, InstanceSubscription, NotificationEvent } from "../../model/notifications.js";
import type { Prerequisite } from "../../model/prerequisite.js";

/**
 * sluice's events as the triggers of Argo CD's notifications catalog
 * (notifications_catalog/triggers/ in argo-cd, installed into
 * argocd-notifications-cm), each sent once per synced revision there.
 */
export const ARGO_TRIGGERS: Readonly<Record<NotificationEvent, string>> = {
  "sync-failed": "on-sync-failed",
  degraded: "on-health-degraded",
  deployed: "on-deployed",
  "sync-succeeded": "on-sync-succeeded",
};

/** The Argo CD notification service type of a channel: `service.<type>.<channel>` in argocd-notifications-cm. */
const SERVICE_TYPE: Readonly<Record<ChannelModel["type"], string>> = {
  slack: "slack",
  // Office 365 connectors (the `teams` service) are retired: workflows are Microsoft's replacement.
  teams: "teams-workflows",
  webhook: "webhook",
};

/**
 * The team's subscriptions as the annotations Argo CD's notifications
 * controller reads on an Application:
 * `notifications.argoproj.io/subscribe.<trigger>.<service>: <recipient>`.
 * The service is named after the channel; the recipient is the Slack
 * channel, the Teams service's URL entry (named after the channel), or
 * nothing for a webhook, whose URL is the service's own.
 */
export function subscriptionAnnotations(subscriptions: readonly InstanceSubscription[]): Record<string, string> {
  const annotations: Record<string, string> = {};
  for (const subscription of subscriptions)
    for (const event of subscription.events)
      annotations[`notifications.argoproj.io/subscribe.${ARGO_TRIGGERS[event]}.${subscription.channel}`] = recipient(subscription);
  return annotations;
}

function recipient({ type, channel, slackChannel }: InstanceSubscription): string {
  if (type === "slack") return slackChannel!;
  if (type === "teams") return channel;
  return "";
}

/** How a channel's service is written in argocd-notifications-cm, its credential a key of argocd-notifications-secret. */
function serviceSetting(channel: ChannelModel): string {
  const key = `${channel.name}-${channel.type === "slack" ? "token" : "url"}`;
  const service = `service.${SERVICE_TYPE[channel.type]}.${channel.name}`;
  if (channel.type === "slack") return `\`${service}\` (\`token: $${key}\`)`;
  if (channel.type === "teams") return `\`${service}\` (\`recipientUrls: { ${channel.name}: $${key} }\`)`;
  return `\`${service}\` (\`url: $${key}\`)`;
}

/**
 * What the subscriptions of the apps on an Argo CD cluster rely on: the
 * notifications controller, a service per channel with its credential, and
 * the catalog's triggers and templates for the events (a webhook channel's
 * body is the templates' `webhook.<channel>` section, which the catalog does
 * not have).
 */
export function notificationPrerequisites(platform: PlatformModel, apps: readonly AppModel[], namespace: string): Prerequisite[] {
  const teams = new Set(apps.map((app) => app.team));
  const subscriptions = platform.teams.filter((team) => teams.has(team.name)).flatMap((team) => team.notify);
  if (subscriptions.length === 0) return [];
  const channels = [...new Map(subscriptions.map(({ channel }) => [channel.name, channel])).values()].sort((a, b) =>
    a.name < b.name ? -1 : 1,
  );
  const events = new Set(subscriptions.flatMap(({ events }) => events));
  const triggers = Object.entries(ARGO_TRIGGERS).flatMap(([event, trigger]) => (events.has(event as NotificationEvent) ? [trigger] : []));
  const webhooks = channels.filter((channel) => channel.type === "webhook").map((channel) => `\`webhook.${channel.name}\``);
  return [
    {
      what: "controller",
      name: "Argo CD notifications controller (`argocd-notifications-controller`, part of an Argo CD install)",
      namespace,
      why: "it reads the `notifications.argoproj.io/subscribe.*` annotations on the teams' Applications; without it nobody is told anything",
    },
    ...channels.map(
      (channel): Prerequisite => ({
        what: "setting",
        name: `${serviceSetting(channel)} in ConfigMap \`argocd-notifications-cm\`, its value in Secret \`argocd-notifications-secret\``,
        namespace,
        why: `the Applications' subscriptions name the service \`${channel.name}\`; without it their notifications fail to send`,
      }),
    ),
    {
      what: "setting",
      name: `${triggers.map((trigger) => `\`trigger.${trigger}\``).join(", ")} and their templates, from Argo CD's notifications catalog, in ConfigMap \`argocd-notifications-cm\`${webhooks.length > 0 ? `; each template with a ${webhooks.join(", ")} section (the catalog has none)` : ""}`,
      namespace,
      why: "the subscriptions name these triggers; a trigger that is not defined sends nothing",
    },
  ];
}
