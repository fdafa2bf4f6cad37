import path from "node:path";
import { GitRepo } from "../git/git.js";
import { findReleases } from "./release-source.js";

interface Revision {
  readonly commit: string;
  readonly time: Date;
  readonly text: string | undefined;
}

/**
 * What git remembers of the releases in the stacks: for an app's wave, since
 * when it has run its release (the oldest commit of the unbroken run that
 * gave it that release) and what it ran before. Each stack file's history is
 * read once, with its contents in one batch.
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

  /** When `wave` of `app` (declared in `file`, relative to the project) started running `version`; undefined when not committed. */
  async since(file: string, app: string, wave: string, version: string): Promise<Date | undefined> {
    let since: Date | undefined;
    for (const revision of await this.revisions(file)) {
      if (releaseAt(revision, app, wave) !== version) break;
      since = revision.time;
    }
    return since;
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
    const byFile = new Map<string, { commit: string; time: Date }[]>();
    for (const dir of dirs) {
      for (const { commit, time, files: touched } of await repo.changes(dir === "." ? "" : dir, this.from)) {
        for (const file of touched) if (relative.has(file)) byFile.set(file, [...(byFile.get(file) ?? []), { commit, time }]);
      }
    }
    const contents = await repo.objects([...byFile].flatMap(([file, commits]) => commits.map(({ commit }) => `${commit}:${file}`)));
    for (const [file, commits] of byFile) {
      const revisions = commits.map(({ commit, time }) => ({ commit, time, text: contents.get(`${commit}:${file}`) }));
      this.files.set(relative.get(file)!, Promise.resolve(revisions));
    }
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
    const texts = await this.repo.objects(commits.map(({ commit }) => `${commit}:${relative}`));
    return commits.map(({ commit, time }) => ({ commit, time, text: texts.get(`${commit}:${relative}`) }));
  }
}

function releases(revision: Revision, app: string): ReadonlyMap<string, string> | undefined {
  const found = revision.text === undefined ? undefined : findReleases(revision.text, app);
  if (!found || !("source" in found)) return undefined;
  return new Map([...found.source.literals].map(([wave, literal]) => [wave, literal.value]));
}

function releaseAt(revision: Revision, app: string, wave: string): string | undefined {
  return releases(revision, app)?.get(wave);
}
