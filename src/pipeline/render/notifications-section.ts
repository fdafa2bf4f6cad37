import type { Model } from "../../model/model.js";

const KIND = { slack: "Slack", teams: "Microsoft Teams", webhook: "webhook" } as const;

/**
 * out/README.md's Notifications: who is told what, where. It changes only
 * when the channels or the subscriptions do; the credentials are each
 * cluster's (see Prerequisites).
 */
export function notificationsSection({ platform }: Model): string[] {
  const rows = platform.teams.flatMap((team) =>
    team.notify.map(({ channel, events }) => {
      const where = channel.type === "slack" ? `${KIND.slack} \`${channel.slackChannel}\`` : KIND[channel.type];
      return `| ${team.name} | \`${channel.name}\` (${where}) | ${events.join(", ")} |`;
    }),
  );
  if (rows.length === 0) return [];
  return [
    "## Notifications",
    "",
    "What each team is told of its apps, and where. On Argo CD: subscription annotations on the team's Applications; on Flux: a Provider and Alerts in the team's home namespace (`clusters/<cluster>/notifications/<team>.yaml`). The credentials are on the clusters (see Prerequisites).",
    "",
    "| team | channel | events |",
    "|---|---|---|",
    ...rows,
    "",
  ];
}
