import { SluiceError } from "../errors.js";
import type { Origin } from "../model/origin.js";

/**
 * Why `name` cannot be a git branch, by git's own rules (git
 * check-ref-format --branch), or undefined when it can. Stricter than git in
 * two ways that matter when the name is passed to git: a name starting with
 * "-" (git would read an option) and "HEAD" are refused too.
 */
export function checkBranchName(name: string): string | undefined {
  if (name === "") return "it is empty";
  if (name.startsWith("-")) return 'it starts with "-" (git would read an option)';
  if (name === "HEAD" || name === "@") return `${name} names a commit, not a branch`;
  if (/[\u0000-\u0020\u007f~^:?*[\\]/.test(name)) return "it holds a space, a control character or one of ~ ^ : ? * [ \\";
  if (name.includes("..")) return 'it holds ".."';
  if (name.includes("@{")) return 'it holds "@{"';
  if (name.startsWith("/") || name.endsWith("/") || name.includes("//")) return 'it starts or ends with "/", or holds "//"';
  if (name.endsWith(".")) return 'it ends with "."';
  for (const component of name.split("/")) {
    if (component.startsWith(".")) return `its part ${JSON.stringify(component)} starts with "."`;
    if (component.endsWith(".lock")) return `its part ${JSON.stringify(component)} ends with ".lock"`;
  }
  return undefined;
}

/**
 * A branch given by a person or a stack, as the short name git pushes to:
 * "refs/heads/main" is "main"; any other full ref ("refs/tags/v1") and any
 * name git refuses are SluiceErrors that say which setting is wrong and why.
 */
export function branchName(name: string, what: string, origin?: Origin): string {
  const where = origin ? { origin } : {};
  const short = name.startsWith("refs/heads/") ? name.slice("refs/heads/".length) : name;
  if (short.startsWith("refs/")) {
    throw new SluiceError(`${what} ${JSON.stringify(name)} is not a branch.`, [
      {
        code: "git/not-a-branch",
        message: `${what} ${JSON.stringify(name)} is a ref outside refs/heads/`,
        hint: 'name a branch: "main", or "refs/heads/main"',
        ...where,
      },
    ]);
  }
  const problem = checkBranchName(short);
  if (problem !== undefined) {
    throw new SluiceError(`${what} ${JSON.stringify(name)} is not a valid git branch name.`, [
      {
        code: "git/bad-branch-name",
        message: `${what} ${JSON.stringify(name)} is not a valid git branch name: ${problem}`,
        hint: "name a branch git accepts (see git check-ref-format), e.g. main or release/1.8",
        ...where,
      },
    ]);
  }
  return short;
}
