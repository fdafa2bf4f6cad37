import type { DiffResult } from "../diff/diff.js";
import { diff } from "../synth.js";
import { formatDiffMarkdown } from "../diff/format-markdown.js";
import { formatDiffText } from "../diff/format-text.js";
import type { DiffFlags } from "./flags.js";
import { EXIT, partitionSpec } from "./flags.js";
import { progressLine, type Io } from "./output.js";
import { tightenHeapWhenLarge } from "./heap.js";

/** `sluice diff [--base <ref>] [--env-repo <path>] [--format text|markdown|json] [--exit-code]`. */
export async function diffCommand(flags: DiffFlags, io: Io): Promise<number> {
  const progress = progressLine(io);
  let result: DiffResult;
  try {
    result = await diff({
      root: flags.root,
      stacks: flags.stacks,
      out: flags.out,
      ...(flags.base !== undefined ? { base: flags.base } : {}),
      ...(flags.envRepo !== undefined ? { envRepo: flags.envRepo } : {}),
      skipTypecheck: Boolean(flags.skipTypecheck),
      ...partitionSpec(flags),
      onStage: (stage) => {
        tightenHeapWhenLarge();
        progress.update(`sluice diff: ${stage}…`);
      },
    });
  } finally {
    progress.done();
  }
  if (flags.format === "json") io.stdout(`${JSON.stringify(forMachines(result), null, 2)}\n`);
  else if (flags.format === "markdown") io.stdout(formatDiffMarkdown(result));
  else io.stdout(formatDiffText(result, io.color));
  return flags.exitCode && !result.same ? EXIT.found : EXIT.ok;
}

/** The result without the objects' full bodies: the field changes and patches say what changed. */
export function forMachines(result: DiffResult) {
  return {
    ...result,
    clusters: result.clusters.map((cluster) => ({
      ...cluster,
      objects: cluster.objects.map(({ before: _before, after: _after, origin, fields, ...change }) => ({
        ...change,
        fields: fields.map(({ segments: _segments, ...field }) => field),
        ...(origin ? { origin: { file: origin.file, line: origin.line, column: origin.column } } : {}),
      })),
    })),
  };
}
