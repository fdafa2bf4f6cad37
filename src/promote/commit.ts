import path from "node:path";
import { GitRepo } from "../git/git.js";
import { formatDuration } from "./duration.js";
import type { Promotion } from "./promote.js";

/** What `--commit` made: the branch, its one commit, and the pull request to open. */
export interface PromotionCommit {
  readonly branch: string;
  readonly commit: string;
  readonly title: string;
  /** The production deployment record, as the pull request's body. */
  readonly body: string;
}

/**
 * Puts a promotion on a branch of its own, `promote/<app>/<wave>/<version>`,
 * as one commit holding the stack edit and the regenerated out/ files and
 * nothing else from the worktree, so that one `git revert` undoes it. The
 * message and the pull request body are the deployment record.
 */
export async function commitPromotion(root: string, outDir: string, promotion: Promotion): Promise<PromotionCommit> {
  const repo = await GitRepo.at(root);
  const source = (await repo.head()) ?? "(no commit yet)";
  const verb = promotion.rolledBackFrom ? "roll back" : promotion.from ? "promote" : "release";
  const title = promotion.rolledBackFrom
    ? `roll back ${promotion.app} in ${promotion.to} to ${promotion.version}`
    : `${verb} ${promotion.app} ${promotion.version} to ${promotion.to}`;
  const gate = promotion.gate
    ? `ran ${formatDuration(promotion.gate.soakedMs)} in ${promotion.from}${promotion.gate.since ? ` (since ${promotion.gate.since})` : ""}; the gate asks for ${promotion.gate.soak}${promotion.gate.commit ? `; counted from commit ${promotion.gate.commit}, which brought it onto the branch` : ""}`
    : "no soak gate";
  const body = [
    `${title}.`,
    "",
    `- App: ${promotion.app} (team ${promotion.team})`,
    `- Image: ${promotion.image}`,
    `- Wave: ${promotion.rolledBackFrom ? `${promotion.to}, back from ${promotion.rolledBackFrom}` : `${promotion.from ?? "—"} → ${promotion.to}`} (clusters: ${promotion.clusters.join(", ")})`,
    `- Source commit: ${source}`,
    `- Gate: ${gate}${promotion.forced ? `; FORCED by a person: ${promotion.forced}` : ""}`,
    `- Approvers required: ${promotion.approvers.length > 0 ? promotion.approvers.join(" ") : "the team's code owners"}`,
    "- Checks: `npx sluice synth --check`, `npx sluice gates --base <target branch>`",
    `- Rollback: revert this commit (\`git revert\`), or \`npx sluice rollback ${promotion.app} --wave ${promotion.to}\``,
    "",
    `Sluice-App: ${promotion.app}`,
    `Sluice-Wave: ${promotion.to}`,
    `Sluice-Release: ${promotion.version}`,
    ...(promotion.forced ? [`Sluice-Forced: ${promotion.forced.replace(/\n/g, " ")}`] : []),
  ].join("\n");
  const branch = `${promotion.rolledBackFrom ? "rollback" : "promote"}/${promotion.app}/${promotion.to}/${promotion.version.replace(/[^A-Za-z0-9._-]/g, "-")}`;
  const relative = (file: string) => path.relative(repo.root, path.join(root, file)).split(path.sep).join("/");
  const outFiles = [...promotion.write.written, ...promotion.write.deleted].map((file) => relative(path.join(path.relative(root, outDir), file)));
  const commit = await repo.commitOnNewBranch(branch, [relative(promotion.file), ...outFiles], `${title}\n\n${body}`);
  return { branch, commit, title, body };
}
