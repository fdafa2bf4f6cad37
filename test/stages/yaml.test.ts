import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { plan, toYaml, toYamlDocuments } from "sluice";
import { REPO } from "../helpers/project.js";

// Strings that a careless emitter would let a YAML parser read as something else.
const TRICKY = [
  "",
  " ",
  "true",
  "False",
  "yes",
  "No",
  "on",
  "OFF",
  "y",
  "n",
  "null",
  "Null",
  "~",
  "1",
  "0",
  "-1",
  "1.5",
  "1e3",
  ".5",
  "0x1F",
  "0o17",
  "017",
  "1_000",
  "1:20",
  "12:30:45",
  "2026-11-22",
  "2026-11-22T10:00:00Z",
  ".inf",
  "-.inf",
  ".nan",
  "-",
  "- a",
  "a: b",
  "a:",
  ":a",
  "#comment",
  "a #b",
  "a#b",
  "&anchor",
  "*alias",
  "!tag",
  "|",
  ">",
  "'q'",
  '"q"',
  "%x",
  "@at",
  "`tick`",
  "{a}",
  "[a]",
  "a, b",
  "?",
  "? a",
  "line\nbreak",
  "tab\there",
  "trailing ",
  " leading",
  "ünïcode",
  "emoji 🚀",
  "https://example.com/a?b=c#d",
  "registry.example.com/app:1.2.3",
  "sha256:abc",
  "250m",
  "128Mi",
  "v1.2.3",
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

/** The text toYaml writes for one value. */
function written(value: unknown): string {
  return toYaml({ v: value }).slice("v: ".length, -1);
}

function roundTrip(object: object, version: "1.1" | "1.2"): unknown {
  return parse(toYaml(object), { version });
}

describe("toYaml writes exactly what it was given, for YAML 1.1 and 1.2 parsers", () => {
  it("escapes DEL, C1 controls, U+FFFE/U+FFFF, BOM and line separators instead of writing them raw", () => {
    const value = "a\x7fb\x80c\x9fd\ufffee\uffff\ufeff\u2028\u2029\x01\x1b\0";
    const text = written(value);
    // Only YAML-printable characters may appear in the file, and not the
    // ones YAML 1.1 takes for line breaks or a byte order mark.
    expect(text).not.toMatch(/[^\x09\x0a\x0d\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd]/u);
    expect(text).toBe(String.raw`"a\x7Fb\x80c\x9Fd\uFFFEe\uFFFF\uFEFF\L\P\x01\e\0"`);
    for (const version of ["1.1", "1.2"] as const) expect(roundTrip({ value }, version)).toEqual({ value });
  });

  it("keeps U+0085 (NEL), a line break to YAML 1.1 parsers, by escaping it: raw it would fold into a space", () => {
    const object = { ["key\u0085"]: "a\u0085b", list: ["\u0085", "\u2028 \u2029"] };
    const text = toYaml(object);
    // Kubernetes' YAML 1.1 decoder folds a raw NEL, LS or PS inside quotes
    // into a space (test/stages/yaml-property.test.ts reads this with kubectl).
    expect(text).not.toMatch(/[\u0085\u2028\u2029]/);
    expect(text).toContain(String.raw`"a\Nb"`);
    expect(parse(text, { version: "1.1" })).toEqual(object);
    expect(parse(text, { version: "1.2" })).toEqual(object);
  });

  it("refuses strings with lone surrogates, in values and keys, with a TypeError naming the problem", () => {
    for (const bad of ["\ud800", "a\udfffb", "\udc00\ud800", "ok \ud83d"]) {
      expect(() => toYaml({ v: bad }), JSON.stringify(bad)).toThrow(TypeError);
      expect(() => toYaml({ v: bad })).toThrow(/lone surrogate \(U\+D[89A-F][0-9A-F]{2}/);
      expect(() => toYaml({ [bad]: "v" })).toThrow(/lone surrogate/);
      expect(() => toYaml({ list: [bad] })).toThrow(/lone surrogate/);
    }
    // A well-formed pair is an astral character and is written as it is.
    expect(written("\ud83d\ude80")).toBe('"\ud83d\ude80"');
  });

  it.each([
    "e2",
    "E3",
    "e-5",
    "E_1",
    "e",
    "1e+21",
    "1e21",
    "1.0e+21",
    "0x1F",
    "0777",
    "1:20",
    "2001-12-14",
    ".inf",
    "<<",
    "=",
    "~",
    "y",
    "N",
    "Off",
  ])("quotes %j, which some YAML 1.1 or 1.2 parser reads as something other than a string", (value) => {
    for (const version of ["1.1", "1.2"] as const) {
      expect(roundTrip({ value, [value]: value }, version)).toEqual({ value, [value]: value });
    }
    expect(written(value)).toBe(`"${value}"`);
  });

  it("still writes ordinary words, paths and image references plain", () => {
    for (const value of ["nginx", "e2e-tests", "eu-west-1", "registry.example.com/app:1.2.3", "/healthz", "RollingUpdate"]) {
      expect(written(value)).toBe(value);
    }
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])("refuses %d with a TypeError", (value) => {
    expect(() => toYaml({ value })).toThrow(TypeError);
  });

  it("writes keys over 1024 characters in the explicit `? key` form, in maps, list items and nested values", () => {
    const long = "k".repeat(1025);
    const quoted = `${"y".repeat(600)}\n${"z".repeat(600)}`;
    const object = {
      [long]: "v",
      nested: { [long]: { a: [1, { [quoted]: null }] }, short: 1 },
      list: [{ [long]: [] }, { [quoted]: ["x"], b: 2 }],
    };
    const text = toYaml(object);
    expect(text).toContain(`? ${long}\n: v\n`);
    for (const version of ["1.1", "1.2"] as const) expect(parse(text, { version })).toEqual(object);
  });

  it("writes an empty top-level object as {} and a top-level list as a sequence", () => {
    expect(parse(toYaml({}))).toEqual({});
    expect(parse(toYaml(["a", { b: 1 }, []]))).toEqual(["a", { b: 1 }, []]);
  });
});

describe("toYamlDocuments", () => {
  const objects = [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "a" } },
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "b" }, data: { z: "---", a: "..." } },
    { apiVersion: "v1", kind: "Service", metadata: { name: "c" }, spec: { ports: [{ port: 80 }] } },
  ];

  it("writes the objects as one multi-document stream, in order, ending with a newline", () => {
    const text = toYamlDocuments(objects);
    expect(text).toBe(objects.map((o) => toYaml(o)).join("---\n"));
    expect(text.endsWith("\n")).toBe(true);
    const documents = parseAllDocuments(text);
    expect(Array.isArray(documents) && documents.map((d) => d.toJS())).toEqual(objects);
  });

  it("writes nothing for no objects and one plain document for one", () => {
    expect(toYamlDocuments([])).toBe("");
    expect(toYamlDocuments([objects[0]!])).toBe(toYaml(objects[0]!));
  });
});
