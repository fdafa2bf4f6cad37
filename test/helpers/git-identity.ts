import { afterAll, beforeAll, vi } from "vitest";

/** The git identity CI gives its commits. */
export const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: "CI",
  GIT_AUTHOR_EMAIL: "ci@example.com",
  GIT_COMMITTER_NAME: "CI",
  GIT_COMMITTER_EMAIL: "ci@example.com",
};

/**
 * Gives this test file's tests CI's git identity in the environment of this
 * process and of every git it starts, and takes it away after the last one:
 * test files share their worker's process, and another file may be about a
 * machine without an identity.
 */
export function withGitIdentity(): void {
  beforeAll(() => {
    for (const [key, value] of Object.entries(GIT_IDENTITY)) vi.stubEnv(key, value);
  });
  afterAll(() => {
    vi.unstubAllEnvs();
  });
}
