import type { Format } from "./output.js";
import type { PartitionSpec } from "../model/partition.js";

/**
 * What the commands share with the parser in main.ts: the exit codes and
 * each command's parsed flags. Their own module, so that a command does not
 * import main.ts, which imports every command.
 */

/** Exit codes, as `git diff --exit-code` and friends use them. */
export const EXIT = { ok: 0, found: 1, failed: 2 } as const;

/** `--clusters a,b` or `--partition i/n` (see model/partition.ts). */
export interface PartitionFlags {
  readonly clusters?: readonly string[];
  readonly partition?: { readonly index: number; readonly count: number };
}

/** The partition the flags ask for, as the API takes it. */
export function partitionSpec(flags: PartitionFlags): { partition: PartitionSpec } | Record<string, never> {
  if (flags.clusters) return { partition: { clusters: flags.clusters } };
  if (flags.partition) return { partition: flags.partition };
  return {};
}

export interface SynthFlags extends PartitionFlags {
  readonly check?: boolean;
  readonly watch?: boolean;
  readonly stacks: string;
  readonly out: string;
  readonly root: string;
  readonly skipTypecheck?: boolean;
  readonly format: Format;
}

export interface CheckFlags extends PartitionFlags {
  readonly stacks: string;
  readonly root: string;
  readonly skipTypecheck?: boolean;
  readonly cache: boolean;
  readonly format?: "text" | "json" | "github" | "sarif";
}

export interface PromotionFlags {
  readonly app: string;
  readonly version?: string;
  readonly to?: string;
  readonly force?: boolean;
  readonly reason?: string;
  /** `sluice release`: set the first wave. */
  readonly first?: boolean;
  /** `sluice rollback --wave`. */
  readonly rollbackWave?: string;
  readonly commit?: boolean;
  readonly stacks: string;
  readonly out: string;
  readonly root: string;
  readonly skipTypecheck?: boolean;
  readonly format: Format;
}

export interface PublishFlags {
  readonly envRepo: string;
  readonly branch?: string;
  readonly pullRequest?: string | boolean;
  readonly push?: boolean;
  readonly stacks: string;
  readonly root: string;
  readonly skipTypecheck?: boolean;
  readonly format: Format;
}

export interface DiffFlags extends PartitionFlags {
  readonly base?: string;
  readonly envRepo?: string;
  readonly exitCode?: boolean;
  readonly stacks: string;
  readonly out: string;
  readonly root: string;
  readonly skipTypecheck?: boolean;
  readonly format: Format;
}
