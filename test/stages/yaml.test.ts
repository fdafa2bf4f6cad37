import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { plan, toYaml } from "sluice";
import { REPO } from "../helpers/project.js";

// Strings that a careless emitter would let a YAML parser read as something else.
const TRICKY = [
  "", " ", "true", "False", "yes", "No", "on", "OFF", "y", "n", "null", "Null", "~",
  "1", "0", "-1", "1.5", "1e3", ".5", "0x1F", "0o17", "017", "1_000", "1:20", "12:30:45",
  "2026-11-22", "2026-11-22T10:00:00Z", ".inf", "-.inf", ".nan", "-", "- a", "a: b", "a:", ":a",
  "#comment", "a #b", "a#b", "&anchor", "*alias", "!tag", "|", ">", "'q'", '"q"', "%x", "@at", "`tick`",
  "{a}", "[a]", "a, b", "?", "? a", "line\nbreak", "tab\there", "trailing ", " leading", "ünïcode", "emoji 🚀",
  "https://example.com/a?b=c#d", "registry.example.com/app:1.2.3", "sha256:abc", "250m", "128Mi", "v1.2.3",
];

describe("toYaml", () => {
  it("writes apiVersion, kind and metadata first, and name/namespace/labels first in metadata", () => {
    const text = toYaml({ spec: { a: 1 }, metadata: { labels: { b: "2", a: "1" }, name: "x" }, kind: "K", apiVersion: "v1" });
    expect(text).toBe(
      ["apiVersion: v1", "kind: K", "metadata:", "  name: x", "  labels:", '    a: "1"', '    b: "2"', "spec:", "  a: 1", ""].join("\n"),
    );
  });

  it.each(["1.2", "1.1"] as const)("round-trips tricky strings, as keys and values, under YAML %s", (version) => {
    const object = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "tricky" },
      data: Object.fromEntries(TRICKY.map((s, i) => [`k${i}`, s])),
      keys: Object.fromEntries(TRICKY.filter((s) => s !== "").map((s) => [s, s])),
      list: TRICKY,
      nested: [[1, "2"], { a: [] }, {}, [], [{ b: null, c: false, d: 0 }]],
    };
    expect(parse(toYaml(object), { version })).toEqual(object);
  });

  it("round-trips every file of the example env repo", async () => {
    const { plan: filePlan } = await plan({ root: REPO, skipTypecheck: true });
    const yamlFiles = filePlan.files.filter((f) => f.path.endsWith(".yaml"));
    expect(yamlFiles.length).toBeGreaterThan(50);
    for (const file of yamlFiles) {
      const documents = parseAllDocuments(file.content).map((document) => document.toJS() as object);
      expect(documents.map((document) => toYaml(document)).join("---\n"), file.path).toBe(file.content);
    }
  });
});
