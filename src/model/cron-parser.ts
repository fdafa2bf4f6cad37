import { createRequire } from "node:module";
import type { CronExpressionParser } from "cron-parser";

const require = createRequire(import.meta.url);
let parser: typeof CronExpressionParser | undefined;

/**
 * cron-parser, loaded the first time a freeze window is read rather than
 * with the schema: it and luxon cost every run ~16 ms of start-up, and most
 * platforms declare no window.
 */
export function cronParser(): typeof CronExpressionParser {
  parser ??= (require("cron-parser") as typeof import("cron-parser")).CronExpressionParser;
  return parser;
}
