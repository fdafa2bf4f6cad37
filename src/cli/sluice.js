#!/usr/bin/env node
// The `sluice` command. sluice and the stacks it loads are TypeScript, run
// through tsx: registering it here lets the CLI import them directly.
import { register } from "tsx/esm/api";

register();
const { main } = await import("./main.ts");
process.exitCode = await main(process.argv.slice(2));
