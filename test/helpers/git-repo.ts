import { simpleGit } from "simple-git";
import type { Project } from "./project.js";

/** Makes the project a fresh git repository whose main holds everything in it (node_modules ignored): "what is committed". */
export async function commitOnMain(p: Project): Promise<Project> {
  p.write(".gitignore", "node_modules/\n");
  const git = simpleGit(p.root);
  await git.init(["--initial-branch=main"]);
  await git.addConfig("user.email", "ci@example.com").addConfig("user.name", "CI");
  await git.add(".").commit("env repo");
  return p;
}
