import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { appSchema } from "../model/app-schema.js";
import { PACKAGE_ROOT } from "../package-root.js";
import {
  blueprintSchema,
  clusterSchema,
  componentSchema,
  environmentSchema,
  gateSchema,
  platformSchema,
  policySchema,
  teamSchema,
  waveSchema,
} from "../model/platform-schema.js";
import { autoscalingSchema, probeSchema, settingsSchema } from "../model/settings-schema.js";
import { exposeSchema, gatewayExposureSchema, ingressExposureSchema } from "../model/exposure-schema.js";
import { initContainerSchema, sidecarSchema } from "../model/container-schema.js";
import { volumeSchema } from "../model/volume-schema.js";
import { channelSchema, subscriptionSchema } from "../model/notifications-schema.js";
import { securityContextSchema } from "../model/security-schema.js";
import { freezeWindowSchema } from "../model/freeze-schema.js";
import { ENGINE_DECLARATIONS } from "../model/engine-names.js";

type Ts = typeof import("ts-morph").ts;

/** A field's schema: its definition, and its `.describe()` text (an engine's settings are described so, in their declaration). */
interface Field {
  readonly _zod: { def: Def };
  readonly description?: string;
}

interface Def {
  readonly type: string;
  readonly shape?: Readonly<Record<string, Field>>;
  readonly innerType?: { _zod: { def: Def } };
  readonly valueType?: { _zod: { def: Def } };
  readonly element?: { _zod: { def: Def } };
  readonly options?: readonly { _zod: { def: Def } }[];
  readonly entries?: Readonly<Record<string, string>>;
  readonly values?: readonly unknown[];
  readonly in?: { _zod: { def: Def } };
}

/** A table of the reference: a schema, and the source constants whose JSDoc describes its fields. */
interface Section {
  readonly title: string;
  readonly intro: string;
  readonly schema: { _zod: { def: unknown } };
  readonly sources: readonly string[];
}

const SECTIONS: readonly Section[] = [
  {
    title: "Platform (`definePlatform`)",
    intro: "The fleet, declared once by the platform team.",
    schema: platformSchema,
    sources: ["platformSchema"],
  },
  {
    title: "Environment (`environments.<name>`)",
    intro: "A class of clusters: every workload setting (below) as a default, and these.",
    schema: environmentSchema,
    sources: ["environmentSchema", "settingsShape"],
  },
  {
    title: "Cluster (`clusters.<name>`)",
    intro: "One destination: every workload setting as a default for its apps, and these.",
    schema: clusterSchema,
    sources: ["clusterSchema", "settingsShape"],
  },
  {
    title: "Freeze window (`environments.<name>.freeze[]`, `clusters.<name>.freeze[]`)",
    intro:
      "A time in which no release enters the clusters: recurring `{ schedule, duration, timeZone? }` or one-off `{ from, until }`, each with its `reason`. A cluster's windows add to its environment's. `sluice gates` and `promote` refuse a release into a wave with a frozen cluster (`--force --reason` passes, recorded); Argo CD gets them as deny sync windows in the teams' AppProjects (Argo CD 3.1 or later); Flux has no sync windows, so on Flux clusters only the gate holds.",
    schema: freezeWindowSchema,
    sources: ["freezeWindowSchema"],
  },
  { title: "Wave (`waves[]`)", intro: "One step of a rollout.", schema: waveSchema, sources: ["waveSchema"] },
  { title: "Gate (`waves[].gate`)", intro: "What a release needs before it enters the wave.", schema: gateSchema, sources: ["gateSchema"] },
  { title: "Team (`teams.<name>`)", intro: "Owners and namespaces.", schema: teamSchema, sources: ["teamSchema"] },
  {
    title: "Notification channel (`notifications.channels.<name>`)",
    intro:
      "Where teams' notifications go: exactly one kind per channel. Credentials are named, never written: on Flux the Secret in each subscribing team's home namespace; on Argo CD a service named after the channel in `argocd-notifications-cm`.",
    schema: channelSchema,
    sources: ["channelSchema"],
  },
  {
    title: "Subscription (`teams.<name>.notify[]`)",
    intro: "The events a team is told of on one channel.",
    schema: subscriptionSchema,
    sources: ["subscriptionSchema"],
  },
  {
    title: "Component (`components.<name>`)",
    intro: "A cluster add-on from a pinned Helm chart.",
    schema: componentSchema,
    sources: ["componentSchema"],
  },
  {
    title: "Policy (`policy`)",
    intro: "Admission, approved registries, required labels, severities and the platform's own rules.",
    schema: policySchema,
    sources: ["policySchema"],
  },
  {
    title: "App (`platform.app(name, spec)`)",
    intro: "One app: these, and every workload setting.",
    schema: appSchema,
    sources: ["appSchema", "settingsShape"],
  },
  {
    title: "Workload settings",
    intro: "What every layer may set: environment, cluster, app, and the app's `environments` and `clusters` overrides.",
    schema: settingsSchema,
    sources: ["settingsShape"],
  },
  { title: "Probe (`probes.readiness`, `.liveness`, `.startup`)", intro: "", schema: probeSchema, sources: ["probeSchema"] },
  {
    title: "Sidecar (`sidecars.<name>`)",
    intro:
      "A container beside the app's for the pod's whole life, rendered as a native sidecar (an init container with `restartPolicy: Always`; Kubernetes 1.29). A later layer's entry of the same name merges into it key by key.",
    schema: sidecarSchema,
    sources: ["containerShape", "sidecarSchema"],
  },
  {
    title: "Volume (`volumes.<name>`)",
    intro:
      "One of the pod's volumes: `emptyDir` or `claim` (the highest layer that names one wins), mounted into the app's container at `mountPath`. No hostPath.",
    schema: volumeSchema,
    sources: ["volumeSchema"],
  },
  {
    title: "Security context (`securityContext`)",
    intro:
      "Changes to the pods' hardened security context; what the namespace's Pod Security level (the team's `podSecurity`, else the environment's) would refuse is an error at its line.",
    schema: securityContextSchema,
    sources: ["securityContextSchema"],
  },
  {
    title: "Init container (`initContainers.<name>`)",
    intro:
      "A container that runs to completion before the app's starts, after the sidecars have started; in the order written, a platform layer's first.",
    schema: initContainerSchema,
    sources: ["containerShape"],
  },
  {
    title: "Autoscaling (`autoscaling`)",
    intro:
      "A HorizontalPodAutoscaler on CPU; the Deployment then has no `replicas`. Checked after merging the layers: `min` and `max` are needed then.",
    schema: autoscalingSchema,
    sources: ["autoscalingSchema"],
  },
  {
    title: "Expose (`expose`)",
    intro:
      "How a service is served from outside on a cluster, through the cluster's `exposure`; every field is optional in each layer, and a host is needed once merged. `false` stops it.",
    schema: exposeSchema,
    sources: ["exposeSchema"],
  },
  {
    title: "Gateway exposure (`exposure: { gateway }`)",
    intro: "A Gateway API Gateway serves exposed apps: each gets an HTTPRoute attached to it.",
    schema: gatewayExposureSchema,
    sources: ["gatewayExposureSchema"],
  },
  {
    title: "Ingress exposure (`exposure: { ingress }`)",
    intro: "An ingress controller serves exposed apps: each gets an Ingress of its class.",
    schema: ingressExposureSchema,
    sources: ["ingressExposureSchema"],
  },
];

/**
 * Each engine's settings (`argocd: {…}`, `flux: {…}`), after the platform's
 * table: the fields of its declaration's `settings`, described by their JSDoc
 * in src/engines/<engine>/declaration.ts.
 */
function engineSections(): Section[] {
  return ENGINE_DECLARATIONS.map(({ name, title, settings }) => ({
    title: `${title} (\`${name}\`)`,
    intro: `${title}'s settings, under \`${name}\` in the platform, for the clusters that run it.`,
    schema: settings,
    sources: [`${name}.settings`],
  }));
}

/** The files whose constants' JSDoc describes the fields, each with what its constants are prefixed with in `sources`. */
function schemaFiles(): readonly { readonly file: string; readonly prefix: string }[] {
  return [
    ...[
      "platform-schema.ts",
      "app-schema.ts",
      "settings-schema.ts",
      "exposure-schema.ts",
      "container-schema.ts",
      "volume-schema.ts",
      "security-schema.ts",
      "freeze-schema.ts",
      "notifications-schema.ts",
    ].map((file) => ({ file: `src/model/${file}`, prefix: "" })),
    ...ENGINE_DECLARATIONS.map(({ name }) => ({ file: `src/engines/${name}/declaration.ts`, prefix: `${name}.` })),
  ];
}

/**
 * docs/reference.md: every field of every stack object, generated from the
 * zod schemas (which fields exist, their types) and the JSDoc written on
 * each field in src/model/ and in each engine's declaration (what it means). A test compares it with the
 * committed file, and fails for a field without a description, so the
 * reference cannot drift from the code.
 */
export function referenceMarkdown(): string {
  const descriptions = jsdocByConstant();
  const lines = [
    "# Stack reference",
    "",
    "> Generated from sluice's schemas (`src/model/`) by `npm run docs`; do not edit. A test fails when it is stale.",
    "",
  ];
  const missing: string[] = [];
  for (const section of [SECTIONS[0]!, ...engineSections(), ...SECTIONS.slice(1)]) {
    lines.push(`## ${section.title}`, "");
    if (section.intro) lines.push(section.intro, "");
    lines.push("| field | type | meaning |", "|---|---|---|");
    const shape = objectShape(section.schema._zod.def as Def);
    const inherited =
      section.sources.includes("settingsShape") && section.schema !== settingsSchema
        ? new Set(Object.keys(objectShape(settingsSchema._zod.def as Def)))
        : new Set<string>();
    for (const [key, field] of Object.entries(shape)) {
      if (inherited.has(key)) continue;
      const description = section.sources.map((source) => descriptions.get(source)?.get(key)).find(Boolean) ?? field.description;
      if (!description) missing.push(`${section.title}: ${key}`);
      const optional = isOptional(field._zod.def);
      lines.push(`| \`${key}\`${optional ? "" : " (required)"} | \`${cell(typeOf(field._zod.def))}\` | ${cell(description ?? "")} |`);
    }
    if (inherited.size > 0) lines.push("", "…and every field of [Workload settings](#workload-settings).");
    lines.push("");
  }
  if (missing.length > 0)
    throw new Error(
      `fields without a description (write a /** JSDoc */ on them in src/model/ or the engine's declaration.ts): ${missing.join("; ")}`,
    );
  return `${lines.join("\n").replace(/\n+$/, "")}\n`;
}

function objectShape(def: Def): Readonly<Record<string, Field>> {
  const inner = unwrap(def);
  return inner.type === "object" && inner.shape ? inner.shape : {};
}

function unwrap(def: Def): Def {
  if ((def.type === "optional" || def.type === "nullable" || def.type === "default" || def.type === "prefault") && def.innerType)
    return unwrap(def.innerType._zod.def);
  if (def.type === "pipe" && def.in) return unwrap(def.in._zod.def);
  return def;
}

function isOptional(def: Def): boolean {
  return def.type === "optional" || def.type === "default" || def.type === "prefault";
}

/** A field's type in TypeScript terms, short. */
function typeOf(def: Def, depth = 0): string {
  const inner = unwrap(def);
  switch (inner.type) {
    case "string":
      return "string";
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    case "enum":
      return Object.values(inner.entries ?? {})
        .map((value) => JSON.stringify(value))
        .join(" | ");
    case "literal":
      return (inner.values ?? []).map((value) => JSON.stringify(value)).join(" | ");
    case "array":
      return `${wrap(typeOf(inner.element!._zod.def, depth + 1))}[]`;
    case "record":
      return `{ [name]: ${typeOf(inner.valueType!._zod.def, depth + 1)} }`;
    case "union":
      return (inner.options ?? [])
        .map((option) => typeOf(option._zod.def, depth + 1))
        .filter((t, i, all) => all.indexOf(t) === i)
        .join(" | ");
    case "object": {
      // Nested objects name their fields (the table of their own, where there is one, says more).
      const keys = Object.keys(inner.shape ?? {});
      if (depth > 0 && keys.length > 6) return "object";
      return `{ ${keys.join(", ")} }`;
    }
    case "custom":
      return inner === blueprintSchema._zod.def ? "Blueprint" : "rule";
    default:
      return inner.type;
  }
}

function wrap(type: string): string {
  return type.includes(" ") ? `(${type})` : type;
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");
}

/** The JSDoc on each property of each object literal assigned to an exported constant, by constant and property. */
function jsdocByConstant(): Map<string, Map<string, string>> {
  const ts = (createRequire(import.meta.url)("ts-morph") as typeof import("ts-morph")).ts;
  const found = new Map<string, Map<string, string>>();
  for (const { file, prefix } of schemaFiles()) {
    const text = fs.readFileSync(path.join(PACKAGE_ROOT, file), "utf8");
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    for (const statement of source.statements) {
      if (!ts.isVariableStatement(statement)) continue;
      for (const declaration of statement.declarationList.declarations) {
        if (!ts.isIdentifier(declaration.name) || !declaration.initializer) continue;
        const properties = new Map<string, string>();
        collect(ts, declaration.initializer, properties, source);
        if (properties.size > 0) found.set(`${prefix}${declaration.name.text}`, properties);
      }
    }
  }
  return found;
}

/** The first object literal's properties below a node (the schema's shape), with their JSDoc. */
function collect(ts: Ts, node: import("ts-morph").ts.Node, into: Map<string, string>, source: import("ts-morph").ts.SourceFile): void {
  if (ts.isObjectLiteralExpression(node)) {
    for (const property of node.properties) {
      if (!ts.isPropertyAssignment(property)) continue;
      const name = ts.isIdentifier(property.name) || ts.isStringLiteral(property.name) ? property.name.text : property.name.getText(source);
      const docs = ts.getJSDocCommentsAndTags(property).filter(ts.isJSDoc);
      const comment = docs.at(-1)?.comment;
      const textOf = typeof comment === "string" ? comment : (comment ?? []).map((part) => part.text).join("");
      if (textOf) into.set(name, textOf.trim());
    }
    return;
  }
  node.forEachChild((child) => {
    if (into.size === 0) collect(ts, child, into, source);
  });
}
