#!/usr/bin/env node
// The `sluice` command: runs sluice's compiled JavaScript from dist/, which
// `npm run build` produces (and `npm ci` runs through the prepare script), so
// that no TypeScript is compiled at start-up.
let main;
try {
  ({ main } = await import("../dist/src/cli/main.js"));
} catch (error) {
  if (error?.code !== "ERR_MODULE_NOT_FOUND") throw error;
  process.stderr.write("sluice: dist/ is missing; run `npm run build` in the sluice package (npm ci does it).\n");
  process.exit(2);
}
process.exitCode = await main(process.argv.slice(2));
