import path from "node:path";
import { pathToFileURL } from "node:url";
import { originalPositionFor, TraceMap } from "@jridgewell/trace-mapping";
import { TRUNCATED, type CallSite } from "../dsl/call-site.js";

/** A frame in a file the user wrote, by absolute path. */
export interface UserSite {
  readonly absoluteFile: string;
  readonly line: number;
  readonly column: number;
}

/**
 * Maps positions in the bundle that load imports back to the files the user
 * wrote, with the bundle's source map, decoded once per load. Frames outside
 * the bundle (sluice, Node's own loader) are never the user's.
 */
export class BundlePositions {
  private readonly map: TraceMap;
  private readonly bundleUrl: string;

  constructor(
    private readonly bundleFile: string,
    sourceMap: string,
  ) {
    this.map = new TraceMap(sourceMap);
    this.bundleUrl = pathToFileURL(bundleFile).href;
  }

  /** The frame's position in the file the user wrote; undefined for generated code and for code outside the bundle. */
  original(site: CallSite): UserSite | undefined {
    if (site.file !== this.bundleUrl && site.file !== this.bundleFile) return undefined;
    const found = originalPositionFor(this.map, { line: site.line, column: site.column - 1 });
    if (found.source === null || found.line === null || found.column === null) return undefined;
    return { absoluteFile: path.resolve(path.dirname(this.bundleFile), found.source), line: found.line, column: found.column + 1 };
  }

  /** The innermost of these frames that lies in the user's own code: not in a bundled package. */
  userFrame(sites: readonly CallSite[]): UserSite | undefined {
    for (const site of sites) {
      const original = this.original(site);
      if (original && !original.absoluteFile.split(path.sep).includes("node_modules")) return original;
    }
    return undefined;
  }

  /**
   * The outermost frame in the user's code: for a DSL call made while a stack
   * module was being evaluated, a line of that module's top level, whatever
   * helpers it went through. Undefined when the trace was cut off.
   */
  outermostUserFrame(sites: readonly CallSite[]): UserSite | undefined {
    if (sites.includes(TRUNCATED)) return undefined;
    for (let i = sites.length - 1; i >= 0; i--) {
      const original = this.original(sites[i]!);
      if (original && !original.absoluteFile.split(path.sep).includes("node_modules")) return original;
    }
    return undefined;
  }
}
