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
 * Maps positions in the bundles that load imports back to the files the user
 * wrote, with each bundle's source map, decoded the first time a frame in it
 * is looked up. Frames outside the bundles (sluice, Node's own loader) are
 * never the user's.
 */
export class BundlePositions {
  private readonly bundles = new Map<string, { readonly file: string; map: string; decoded?: TraceMap }>();

  constructor(bundles: readonly { readonly file: string; readonly map: string }[]) {
    for (const { file, map } of bundles) {
      const entry = { file, map };
      this.bundles.set(file, entry);
      this.bundles.set(pathToFileURL(file).href, entry);
    }
  }

  /** The frame's position in the file the user wrote; undefined for generated code and for code outside the bundles. */
  original(site: CallSite): UserSite | undefined {
    const bundle = this.bundles.get(site.file);
    if (!bundle) return undefined;
    if (!bundle.decoded) {
      bundle.decoded = new TraceMap(bundle.map);
      bundle.map = "";
    }
    const found = originalPositionFor(bundle.decoded, { line: site.line, column: site.column - 1 });
    if (found.source === null || found.line === null || found.column === null) return undefined;
    return { absoluteFile: path.resolve(path.dirname(bundle.file), found.source), line: found.line, column: found.column + 1 };
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
