import path from "node:path";
import { isSluiceError } from "../errors.js";
import { GitRepo } from "../git/git.js";
import { formatDiagnostic } from "../model/diagnostic.js";
import { commitPromotion, type PromotionCommit } from "./commit.js";
import { promote, type PromoteOptions, type Refusal } from "./promote.js";
import { status } from "./status.js";

export interface AllReadyResult {
  /** One branch and commit per app and wave promoted. */
  readonly promoted: readonly PromotionCommit[];
  /** Apps whose ready promotion failed on the way, with why. */
  readonly failed: readonly { readonly app: string; readonly refused: string }[];
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
  const ready = (await status({ root, ...(options.stacks ? { stacks: options.stacks } : {}), ...(options.now ? { now: options.now } : {}) })).apps.filter((a) => a.next.state === "ready");
  const promoted: PromotionCommit[] = [];
  const failed: { app: string; refused: string }[] = [];
  for (const app of ready) {
    try {
      const result = await promote({ ...options, root, app: app.app }).catch((error: unknown) => {
        // One app's broken promotion (its stacks would not synthesize) must not stop the others.
        if (!isSluiceError(error)) throw error;
        return { refused: [error.message.split("\n")[0], ...error.diagnostics.map(formatDiagnostic)].join("\n"), hint: "" };
      });
      if ("refused" in result) {
        failed.push({ app: app.app, refused: (result as Refusal).refused });
        continue;
      }
      promoted.push(await commitPromotion(root, path.resolve(root, options.out ?? "out"), result));
    } finally {
      if ((await repo.branch()) !== start) await repo.switchTo(start);
    }
  }
  return { promoted, failed };
}
