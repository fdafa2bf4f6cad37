import path from "node:path";
import { originalPositionFor, TraceMap } from "@jridgewell/trace-mapping";
import type { CallSite } from "../dsl/call-site.js";

/**
 * Maps positions in the bundle that load imports back to the files the user
 * wrote, with the bundle's source map, decoded once per load. Frames outside
 * the bundle (sluice, Node's own loader) are never the user's.
 */
export class BundlePositions {
  private readonly map: TraceMap;

  constructor(
    private readonly bundleFile: string,
    sourceMap: string,
  ) {
    this.map = new TraceMap(sourceMap);
  }

  /** The frame's position in the file the user wrote; undefined for generated code and for code outside the bundle. */
  original(site: CallSite): CallSite | undefined {
    if (site.absoluteFile !== this.bundleFile) return undefined;
    const found = originalPositionFor(this.map, { line: site.line, column: site.column - 1 });
    if (found.source === null || found.line === null || found.column === null) return undefined;
    return { absoluteFile: path.resolve(path.dirname(this.bundleFile), found.source), line: found.line, column: found.column + 1 };
  }

  /** The innermost of these frames that lies in the user's own code: not in a bundled package. */
  userFrame(sites: readonly CallSite[]): CallSite | undefined {
    for (const site of sites) {
      const original = this.original(site);
      if (original && !original.absoluteFile.split(path.sep).includes("node_modules")) return original;
    }
    return undefined;
  }
}
