/**
 * The actions the generated GitHub workflows use, each pinned to the commit
 * of a release tag (a tag can be moved; a commit cannot), the version in a
 * comment for people and for Dependabot, which updates both. Read from the
 * actions' own repositories.
 */
export const ACTIONS = {
  checkout: "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1",
  setupNode: "actions/setup-node@820762786026740c76f36085b0efc47a31fe5020 # v7.0.0",
  cacheRestore: "actions/cache/restore@27d5ce7f107fe9357f9df03efb73ab90386fccae # v5.0.5",
  cacheSave: "actions/cache/save@27d5ce7f107fe9357f9df03efb73ab90386fccae # v5.0.5",
  githubScript: "actions/github-script@ed597411d8f924073f98dfc5c65a23a2325f34cd # v8.0.0",
} as const;

/** Checkout, Node 20 with npm's cache, and `npm ci`: how every job starts (`fetchDepth` 0 where git history is read). */
export function setupSteps(options: { readonly fetchDepth?: 0; readonly token?: string } = {}): string {
  const checkoutWith = [
    ...(options.fetchDepth === 0 ? ["          fetch-depth: 0"] : []),
    ...(options.token ? [`          token: ${options.token}`] : ["          persist-credentials: false"]),
  ];
  return [
    `      - uses: ${ACTIONS.checkout}`,
    "        with:",
    ...checkoutWith,
    `      - uses: ${ACTIONS.setupNode}`,
    "        with:",
    "          node-version: 20",
    "          cache: npm",
    "      - run: npm ci",
  ].join("\n");
}

/** `text` with every non-empty line indented by `spaces`: a block inside generated YAML. */
export function indent(text: string, spaces: number): string {
  return text
    .split("\n")
    .map((line) => (line ? `${" ".repeat(spaces)}${line}` : line))
    .join("\n");
}

/**
 * An actions/github-script script that puts `file` on the pull request as
 * one comment: the bot's comment carrying `marker` replaced, or a new one.
 */
export function upsertComment(file: string, marker: string): string {
  return `const fs = require("fs");
const body = fs.readFileSync(${JSON.stringify(file)}, "utf8");
const { owner, repo } = context.repo;
const issue_number = context.issue.number;
const comments = await github.paginate(github.rest.issues.listComments, { owner, repo, issue_number, per_page: 100 });
const previous = comments.find((c) => c.user && c.user.type === "Bot" && (c.body || "").includes(${JSON.stringify(marker)}));
if (previous) await github.rest.issues.updateComment({ owner, repo, comment_id: previous.id, body });
else await github.rest.issues.createComment({ owner, repo, issue_number, body });`;
}
