import path from "node:path";
import { isSluiceError } from "../errors.js";
import { GitRepo } from "../git/git.js";
import { formatDiagnostic } from "../model/diagnostic.js";
import { commitGuard, commitPromotion, promotionBranch, type PromotionCommit } from "./commit.js";
import { promote, type PromoteOptions, type Refusal } from "./promote.js";
import { status } from "./status.js";

export interface AllReadyResult {
  /** One branch and commit per app and wave promoted. */
  readonly promoted: readonly PromotionCommit[];
  /** Apps whose ready promotion failed on the way, with why. */
  readonly failed: readonly { readonly app: string; readonly refused: string }[];
  /** Apps whose promotion is on its branch already (an open pull request): left alone. */
  readonly skipped: readonly { readonly app: string; readonly branch: string }[];
}

/**
 * `sluice promote --all-ready --commit`, for a scheduled CI job: every app
 * whose next gate is open is promoted one wave, each on a branch and commit
 * of its own (promote/<app>/<wave>/<version>), starting from the branch the
 * job runs on, which is checked out again after each.
 */
export async function promoteAllReady(options: Omit<PromoteOptions, "app" | "to" | "version" | "force">): Promise<AllReadyResult> {
  const root = path.resolve(options.root ?? ".");
  const repo = await GitRepo.at(root);
  const start = (await repo.branch()) ?? (await repo.head())!;
  const guard = commitGuard(root, { stacks: options.stacks ?? "stacks", out: options.out ?? "out" }, false);
  const ready = (
    await status({ root, ...(options.stacks ? { stacks: options.stacks } : {}), ...(options.now ? { now: options.now } : {}) })
  ).apps.filter((a) => a.next.state === "ready");
  const promoted: PromotionCommit[] = [];
  const failed: { app: string; refused: string }[] = [];
  const skipped: { app: string; branch: string }[] = [];
  for (const app of ready) {
    try {
      let open: string | undefined;
      const result = await promote({
        ...options,
        root,
        app: app.app,
        beforeEdit: (change) =>
          guard(change).catch((error: unknown) => {
            // A dirty worktree stops the job (what would the next app carry?); an open promotion is skipped.
            const existing = isSluiceError(error) ? error.diagnostics.find((d) => d.code === "promote/branch-exists") : undefined;
            if (existing) open = promotionBranchOf(change);
            throw error;
          }),
      }).catch((error: unknown) => {
        if (!isSluiceError(error) || error.diagnostics.some((d) => d.code === "promote/dirty-worktree")) throw error;
        // One app's broken promotion (its stacks would not synthesize) must not stop the others.
        return { refused: [error.message.split("\n")[0], ...error.diagnostics.map(formatDiagnostic)].join("\n"), hint: "" };
      });
      if (open !== undefined) {
        skipped.push({ app: app.app, branch: open });
        continue;
      }
      if ("refused" in result) {
        failed.push({ app: app.app, refused: (result as Refusal).refused });
        continue;
      }
      promoted.push(await commitPromotion(root, path.resolve(root, options.out ?? "out"), result));
    } finally {
      if ((await repo.branch()) !== start) await repo.switchTo(start);
    }
  }
  return { promoted, failed, skipped };
}

const promotionBranchOf = (change: { readonly app: string; readonly wave: string; readonly version: string }) =>
  promotionBranch(change, false);
