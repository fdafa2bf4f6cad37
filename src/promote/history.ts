import path from "node:path";
import { GitRepo, type FirstParentChange } from "../git/git.js";
import { findReleases } from "./release-source.js";

interface Revision {
  readonly commit: string;
  readonly time: Date;
  readonly text: string | undefined;
  /** The commit before it on the first-parent history, with its committer time when git has it. */
  readonly parent?: { readonly commit: string; readonly time?: Date };
}

/** The commit that brought a release onto the branch, as `since` finds it: the evidence the soak is measured from. */
export interface Arrival {
  readonly commit: string;
  /** Its committer date. */
  readonly time: Date;
  readonly parent?: { readonly commit: string; readonly time?: Date };
}

/**
 * What git remembers of the releases in the stacks, along the first-parent
 * history of `from` (the branch evaluated: HEAD, or the base of a change):
 * for an app's wave, the commit that brought its release onto that branch
 * (the oldest of the unbroken run of first-parent commits that gave it that
 * release: a merge, a squash or a direct push, never a commit inside a
 * merged branch) and what it ran before. Each stack file's history is read
 * once, with its contents and its commits' parents in one batch each.
 */
export class ReleaseHistory {
  private readonly files = new Map<string, Promise<readonly Revision[]>>();
  private constructor(
    private readonly repo: GitRepo | undefined,
    private readonly root: string,
    private readonly from: string,
  ) {}

  /** The history of the project at `root` up to `from` (default HEAD); empty outside a git repository. */
  static async open(root: string, from = "HEAD"): Promise<ReleaseHistory> {
    let repo: GitRepo | undefined;
    try {
      repo = await GitRepo.at(root);
    } catch {
      repo = undefined;
    }
    return new ReleaseHistory(repo, root, from);
  }

  get available(): boolean {
    return this.repo !== undefined;
  }

  /** The branch whose first-parent history this is (for messages). */
  get ref(): string {
    return this.from;
  }

  /**
   * The commit of the first-parent history that brought `version` into
   * `wave` of `app` (declared in `file`, relative to the project), for good
   * so far; undefined when not committed. Its date is not checked here:
   * `releaseAge` (soak.ts) does that, for every command alike.
   */
  async since(file: string, app: string, wave: string, version: string): Promise<Arrival | undefined> {
    let since: Revision | undefined;
    for (const revision of await this.revisions(file)) {
      if (releaseAt(revision, app, wave) !== version) break;
      since = revision;
    }
    return since && { commit: since.commit, time: since.time, ...(since.parent ? { parent: since.parent } : {}) };
  }

  /** The release `wave` ran before `current`, and since when it had run it; undefined when history has none. */
  async previous(file: string, app: string, wave: string, current: string): Promise<{ version: string; commit: string } | undefined> {
    for (const revision of await this.revisions(file)) {
      const value = releaseAt(revision, app, wave);
      if (value !== undefined && value !== current) return { version: value, commit: revision.commit };
    }
    return undefined;
  }

  /** Whether `wave` of `app` ever ran `version` in this history: going back to it is a rollback. */
  async hasRun(file: string, app: string, wave: string, version: string): Promise<boolean> {
    return (await this.revisions(file)).some((revision) => releaseAt(revision, app, wave) === version);
  }

  /** The releases of `app` as committed at the newest commit of the history (the base of a change). */
  async committed(file: string, app: string): Promise<ReadonlyMap<string, string> | undefined> {
    const [newest] = await this.revisions(file);
    return newest ? releases(newest, app) : undefined;
  }

  /**
   * Reads the history of many stack files at once (one `git log` over their
   * directories and one `git cat-file --batch`), as `status` and `gates`
   * need for a whole fleet: per file, it would be two git processes each.
   */
  async preload(files: readonly string[]): Promise<void> {
    if (!this.repo || files.length === 0) return;
    const repo = this.repo;
    const relative = new Map(files.map((file) => [path.relative(repo.root, path.join(this.root, file)).split(path.sep).join("/"), file]));
    const dirs = [...new Set([...relative.keys()].map((file) => path.posix.dirname(file)))];
    const byFile = new Map<string, FirstParentChange[]>();
    for (const dir of dirs) {
      for (const { files: touched, ...change } of await repo.changes(dir === "." ? "" : dir, this.from)) {
        for (const file of touched) if (relative.has(file)) byFile.set(file, [...(byFile.get(file) ?? []), change]);
      }
    }
    const [contents, parents] = await Promise.all([
      repo.objects([...byFile].flatMap(([file, commits]) => commits.map(({ commit }) => `${commit}:${file}`))),
      repo.committerTimes([...byFile.values()].flatMap((commits) => commits.flatMap(({ parent }) => (parent ? [parent] : [])))),
    ]);
    for (const [file, commits] of byFile) this.files.set(relative.get(file)!, Promise.resolve(commits.map((change) => revision(change, contents.get(`${change.commit}:${file}`), parents))));
    for (const file of files) if (!this.files.has(file)) this.files.set(file, Promise.resolve([]));
  }

  private revisions(file: string): Promise<readonly Revision[]> {
    let found = this.files.get(file);
    if (!found) {
      found = this.load(file);
      this.files.set(file, found);
    }
    return found;
  }

  private async load(file: string): Promise<readonly Revision[]> {
    if (!this.repo) return [];
    const relative = path.relative(this.repo.root, path.join(this.root, file)).split(path.sep).join("/");
    const commits = await this.repo.history(relative, this.from);
    const [texts, parents] = await Promise.all([
      this.repo.objects(commits.map(({ commit }) => `${commit}:${relative}`)),
      this.repo.committerTimes(commits.flatMap(({ parent }) => (parent ? [parent] : []))),
    ]);
    return commits.map((change) => revision(change, texts.get(`${change.commit}:${relative}`), parents));
  }
}

function revision(change: FirstParentChange, text: string | undefined, parentTimes: ReadonlyMap<string, Date>): Revision {
  const { commit, time, parent } = change;
  const parentTime = parent === undefined ? undefined : parentTimes.get(parent);
  return { commit, time, text, ...(parent ? { parent: { commit: parent, ...(parentTime ? { time: parentTime } : {}) } } : {}) };
}

function releases(revision: Revision, app: string): ReadonlyMap<string, string> | undefined {
  const found = revision.text === undefined ? undefined : findReleases(revision.text, app);
  if (!found || !("source" in found)) return undefined;
  return new Map([...found.source.literals].map(([wave, literal]) => [wave, literal.value]));
}

function releaseAt(revision: Revision, app: string, wave: string): string | undefined {
  return releases(revision, app)?.get(wave);
}
