import { EXIT } from "./flags.js";
import type { Format, Io } from "./output.js";

export interface SplitFlags {
  readonly stacks: string;
  readonly out: string;
  readonly root: string;
  readonly skipTypecheck?: boolean;
  readonly format: Format;
}

/** `sluice split-releases`: gated waves' releases out of the app stacks, into their release files. */
export async function splitCommand(flags: SplitFlags, io: Io): Promise<number> {
  const { splitReleases } = await import("../promote/split.js");
  const result = await splitReleases({
    root: flags.root,
    stacks: flags.stacks,
    out: flags.out,
    skipTypecheck: Boolean(flags.skipTypecheck),
  });
  if (flags.format === "json") {
    io.stdout(
      `${JSON.stringify({ ok: true, moved: result.moved, ...(result.write ? { written: result.write.written.length } : {}) }, null, 2)}\n`,
    );
    return EXIT.ok;
  }
  if (result.moved.length === 0) {
    io.stdout("Every gated wave's release is in its release file already; nothing to move.\n");
    return EXIT.ok;
  }
  for (const move of result.moved) io.stdout(`${move.app} ${move.wave} ${move.version} → ${move.file}\n`);
  io.stdout(
    `Moved ${result.moved.length} release${result.moved.length === 1 ? "" : "s"}; out/: ${result.write?.written.length ?? 0} written. Commit the stacks, out/ and CODEOWNERS together.\n`,
  );
  return EXIT.ok;
}
