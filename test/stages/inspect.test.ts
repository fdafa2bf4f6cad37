import { describe, expect, it } from "vitest";
import { isSluiceError } from "sluice";
import { validate } from "../../src/pipeline/validate/validate.js";
import { appSpec, loaded, platformSpec } from "../helpers/model.js";
import { planModel } from "../helpers/pipeline.js";
import { located } from "../../src/locate/index.js";

function checkApp(spec: Record<string, unknown>) {
  try {
    const platform = { ...platformSpec(), customResources: { "example.com/v1": { Widget: "Namespaced" } } };
    const model = validate("/nowhere", loaded(platform, { web: spec }));
    planModel(model);
    return [];
  } catch (error) {
    if (!isSluiceError(error)) throw error;
    // As the API reports it: at lines, one per line (src/locate/located.ts).
    return located("/nowhere", error).diagnostics;
  }
}

describe("inspect", () => {
  it("passes everything sluice renders for a valid app", () => {
    expect(
      checkApp(
        appSpec({ autoscaling: { min: 2, max: 4 }, resources: { requests: { cpu: "100m" } }, probes: { readiness: { http: "/r" } } }),
      ),
    ).toEqual([]);
  });

  it("validates raw objects against the published schema, pointing at the offending field, once per line", () => {
    const problems = checkApp(
      appSpec({
        release: { dev: "1.0.0", canary: "1.0.0" },
        objects: [
          {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: { name: "deny" },
            spec: { podSelector: {}, policyTypes: "Ingress" },
          },
          { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" }, spec: { anything: true } },
        ],
      }),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]!.code).toBe("check/schema");
    expect(problems[0]!.origin!.path).toEqual(["objects", 0, "spec", "policyTypes"]);
    expect(problems[0]!.message).toMatch(/\/spec\/policyTypes must be array \(and the same in 1 more file\)/);
  });

  it("refuses label keys and values the API server would refuse, before rendering", () => {
    const problems = checkApp(
      appSpec({
        objects: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", labels: { tier: "front end!", "bad key!": "x" } } }],
      }),
    );
    expect(problems.map((p) => [p.code, p.origin!.path])).toEqual([
      ["validate/label-value", ["objects", 0, "metadata", "labels", "tier"]],
      ["validate/label-key", ["objects", 0, "metadata", "labels", "bad key!"]],
    ]);
  });
});
