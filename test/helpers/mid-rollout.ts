import { simpleGit, type SimpleGit } from "simple-git";
import { synth } from "sluice";
import { copyProject, makeProject, type Project } from "./project.js";
import { unfrozenExampleStacks } from "./unfrozen.js";
import { setReleases } from "./releases.js";

/** When the mid-rollout project's one commit was made. */
export const T0 = new Date("2026-11-02T09:00:00Z");

/** A git client for the project whose commits carry the given time. */
export function gitAt(p: Project, when: Date): SimpleGit {
  const date = when.toISOString();
  return simpleGit(p.root).env({ ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date });
}

/**
 * GIVEN catalog-api 2.3.1 in dev and 2.3.0 everywhere else, committed at T0
 * on main with out/: returns a function that hands out copies (git history
 * included) of one such project, built on the first call, since a synth and a
 * commit per test cost more than most tests. Call it once per test file: the
 * project is removed with the file's others after its last test.
 */
export function midRolloutProjects(): () => Promise<Project> {
  let built: Promise<Project> | undefined;
  return async () => {
    built ??= buildCatalogMidRollout();
    const p = copyProject(await built, [".git", ".gitignore", "stacks", "out", "CODEOWNERS", "node_modules/.cache"]);
    // The copies' files have new inodes and times: refresh git's index so that it sees them as the committed ones.
    await simpleGit(p.root).raw(["update-index", "-q", "--refresh"]);
    return p;
  };
}

async function buildCatalogMidRollout(): Promise<Project> {
  const p = makeProject(unfrozenExampleStacks());
  // Without a trailing slash: it also matches a node_modules that is a symlink.
  p.write(".gitignore", "node_modules\n");
  setReleases(p, "catalog-api", { dev: "2.3.1", staging: "2.3.0", "prod-canary": "2.3.0", prod: "2.3.0" });
  await synth({ root: p.root, skipTypecheck: true });
  const git = gitAt(p, T0);
  await git.init(["--initial-branch=main"]);
  await git.addConfig("user.email", "ci@example.com").addConfig("user.name", "CI");
  await git.add(".").commit("catalog-api 2.3.1 in dev");
  return p;
}
