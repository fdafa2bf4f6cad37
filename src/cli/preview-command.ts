import { SluiceError } from "../errors.js";
import { githubScm, gitlabScm, sweepPreviews } from "../promote/preview-sweep.js";
import { loadModel } from "../synth.js";
import { EXIT } from "./flags.js";
import type { Format, Io } from "./output.js";

/**
 * `sluice preview sweep`, for a scheduled CI job: takes the label off the
 * pull requests whose preview outlived the platform's lifetime, and off
 * those beyond the cap (the last labelled), with a comment saying why; the
 * engines then delete their previews. The token comes from
 * SLUICE_PREVIEW_TOKEN: one that may write the repository's labels and comments.
 */
export async function previewSweepCommand(flags: { stacks: string; root: string; format: Format }, io: Io): Promise<number> {
  const model = await loadModel({ root: flags.root, stacks: flags.stacks, skipTypecheck: true });
  const previews = model.platform.previews;
  if (!previews) throw new SluiceError("sluice preview sweep: the platform declares no previews (see README, Preview environments).");
  const token = process.env.SLUICE_PREVIEW_TOKEN;
  if (!token)
    throw new SluiceError("sluice preview sweep needs a token.", [
      {
        code: "preview/token",
        message: "SLUICE_PREVIEW_TOKEN is not set",
        hint: "set it to a token that may write the repository's labels and comments (in GitHub Actions: secrets.GITHUB_TOKEN, with issues: write)",
      },
    ]);
  const scm =
    "github" in previews.scm
      ? githubScm({ api: previews.scm.github.api ?? "https://api.github.com", repository: previews.scm.github.repository, token })
      : gitlabScm({ url: previews.scm.gitlab.url ?? "https://gitlab.com", projectId: previews.scm.gitlab.projectId, token });
  const result = await sweepPreviews(previews, scm, new Date());
  if (flags.format === "json") io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  else
    io.stdout(
      `Previews open: ${result.kept.map((n) => `#${n}`).join(", ") || "none"}; closed for their age: ${result.expired.map((n) => `#${n}`).join(", ") || "none"}; closed over the cap of ${previews.maxOpen}: ${result.overCap.map((n) => `#${n}`).join(", ") || "none"}.\n`,
    );
  return EXIT.ok;
}
