#!/usr/bin/env node
// The `sluice` command: runs sluice's compiled JavaScript, bundled in
// dist/bundle/, which `npm run build` produces (and `npm ci` runs through the
// prepare script), so that no TypeScript is compiled at start-up.
let main;
try {
  ({ main } = await import("../dist/bundle/cli.js"));
} catch (error) {
  if (error?.code !== "ERR_MODULE_NOT_FOUND") throw error;
  process.stderr.write("sluice: dist/ is missing; run `npm run build` in the sluice package (npm ci does it).\n");
  process.exit(2);
}
const code = await main(process.argv.slice(2));
// Exit as soon as the output is out, rather than when the event loop drains:
// a command has finished its work when main() returns, and letting Node wind
// down on its own costs a run 30 to 60 ms (closing the last module file,
// tearing down the heap). Output to a pipe may still be queued (it is
// asynchronous on macOS): wait for it first.
const pending = [process.stdout, process.stderr].filter((stream) => stream.writableLength > 0);
await Promise.all(pending.map((stream) => new Promise((resolve) => stream.write("", resolve))));
process.exit(code);
