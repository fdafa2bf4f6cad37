import path from "node:path";
import { GitRepo, type FirstParentChange } from "../git/git.js";
import { releaseFileOf, type AppModel } from "../model/model.js";
import { releasesIn } from "../pipeline/load/index.js";

interface Revision {
  readonly commit: string;
  readonly time: Date;
  readonly text: string | undefined;
  /** The commit before it on the first-parent history, with its committer time when git has it. */
  readonly parent?: { readonly commit: string; readonly time?: Date };
}

/** Where a wave's release is written now, then where it was written before: one file, or several, newest first. */
export type Places = string | readonly string[];

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
    private readonly name: string,
  ) {}

  /**
   * The history of the project at `root` up to `from` (default HEAD; a commit
   * resolved already, for a ref a person gave), named `name` in messages;
   * empty outside a git repository.
   */
  static async open(root: string, from = "HEAD", name = from): Promise<ReleaseHistory> {
    let repo: GitRepo | undefined;
    try {
      repo = await GitRepo.at(root);
    } catch {
      repo = undefined;
    }
    return new ReleaseHistory(repo, root, from, name);
  }

  get available(): boolean {
    return this.repo !== undefined;
  }

  /** The branch whose first-parent history this is (for messages). */
  get ref(): string {
    return this.name;
  }

  /**
   * The commit of the first-parent history that brought `version` into
   * `wave` of `app`, for good so far; undefined when not committed. `files`
   * are where the release is written now, then where it was before (a
   * release file, then the app's own stack, which held it until it moved).
   * Its date is not checked here: `releaseAge` (soak.ts) does that, for every
   * command alike.
   */
  async since(files: Places, app: string, wave: string, version: string): Promise<Arrival | undefined> {
    let since: Revision | undefined;
    for (const revision of await this.timeline(files)) {
      if (releaseAt(revision, app, wave) !== version) break;
      since = revision;
    }
    return since && { commit: since.commit, time: since.time, ...(since.parent ? { parent: since.parent } : {}) };
  }

  /** The release `wave` ran before `current`, and since when it had run it; undefined when history has none. */
  async previous(files: Places, app: string, wave: string, current: string): Promise<{ version: string; commit: string } | undefined> {
    for (const revision of await this.timeline(files)) {
      const value = releaseAt(revision, app, wave);
      if (value !== undefined && value !== current) return { version: value, commit: revision.commit };
    }
    return undefined;
  }

  /** Whether `wave` of `app` ever ran `version` in this history: going back to it is a rollback. */
  async hasRun(files: Places, app: string, wave: string, version: string): Promise<boolean> {
    return (await this.timeline(files)).some((revision) => releaseAt(revision, app, wave) === version);
  }

  /** `wave`'s release of `app` as committed at the newest commit of the history (the base of a change). */
  async committed(files: Places, app: string, wave: string): Promise<string | undefined> {
    const [newest] = await this.timeline(files);
    return newest && releaseAt(newest, app, wave);
  }

  /**
   * The revisions that tell a wave's release, newest first: those of the
   * file that holds it now and, older than the commit that created that
   * file, those of the file it was moved from. A file that did not exist at
   * the newest commit hands over to the next entirely.
   */
  private async timeline(files: Places): Promise<readonly Revision[]> {
    const [file, ...older] = typeof files === "string" ? [files] : files;
    if (file === undefined) return [];
    const revisions = await this.revisions(file);
    if (older.length === 0) return revisions;
    const earlier = await this.timeline(older);
    if (revisions.length === 0) return earlier;
    const created = revisions[revisions.length - 1]!.commit;
    const at = earlier.findIndex((revision) => revision.commit === created);
    return at === -1 ? revisions : [...revisions, ...earlier.slice(at + 1)];
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
    for (const [file, commits] of byFile)
      this.files.set(
        relative.get(file)!,
        Promise.resolve(commits.map((change) => revision(change, contents.get(`${change.commit}:${file}`), parents))),
      );
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

/** Each revision's releases, by app, parsed once. */
const parsed = new WeakMap<Revision, Map<string, ReadonlyMap<string, string>>>();

function releaseAt(revision: Revision, app: string, wave: string): string | undefined {
  if (revision.text === undefined) return undefined;
  let byApp = parsed.get(revision);
  if (!byApp) parsed.set(revision, (byApp = new Map()));
  let releases = byApp.get(app);
  if (!releases) byApp.set(app, (releases = releasesIn(revision.text, app)));
  return releases.get(wave);
}

/** Where `app`'s release for `wave` is written now, then where it was before it moved to a release file. */
export function placesOf(app: Pick<AppModel, "releaseOrigins" | "origin">, wave: string): readonly string[] {
  const file = releaseFileOf(app, wave);
  return file === app.origin.file ? [file] : [file, app.origin.file];
}

/** Every stack file that holds or held a release of these apps: what status and gates preload. */
export function releasePlaces(apps: readonly Pick<AppModel, "releaseOrigins" | "origin">[]): string[] {
  return [...new Set(apps.flatMap((app) => [app.origin.file, ...Object.values(app.releaseOrigins).map((origin) => origin.file)]))];
}
