import type { EngineName } from "../model/engine-names.js";
import { ciTemplate } from "../ci/templates.js";
import { VERSION } from "../package-root.js";

/** What `sluice init` asks about, with the defaults it uses without a terminal. */
export interface InitAnswers {
  /** Environments in rollout order; each gets one cluster `<env>-1` and one wave. */
  readonly environments: readonly string[];
  readonly engine: EngineName;
  readonly envRepo: string;
  /** The platform team, owners of the env repo (CODEOWNERS). */
  readonly owner: string;
  /** The first team and its namespace. */
  readonly team: string;
  readonly ci?: "github" | "gitlab";
}

export const DEFAULT_ANSWERS: InitAnswers = {
  environments: ["dev", "prod"],
  engine: "argocd",
  envRepo: "https://git.example.com/platform/env-repo.git",
  owner: "@acme/platform",
  team: "web",
};

/** The files of a new project, by path: everything but package.json, which init merges. */
export function scaffoldFiles(answers: InitAnswers): Record<string, string> {
  const files: Record<string, string> = {
    "tsconfig.json": `${JSON.stringify(
      {
        compilerOptions: {
          target: "es2022",
          module: "preserve",
          moduleResolution: "bundler",
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ["node"],
        },
        include: ["stacks"],
      },
      null,
      2,
    )}\n`,
    ".gitignore": "node_modules/\n",
    "stacks/platform.ts": platformStack(answers),
    "stacks/hello.ts": helloStack(answers),
    "stacks/hello-nightly.ts": nightlyStack(answers),
  };
  // A gated wave's release lives in a file of its own, which CODEOWNERS gives to the wave's approvers.
  for (const env of answers.environments.filter((env, index) => isGated(env, index))) {
    files[`stacks/releases/${env}/hello.ts`] = [
      `// The release of hello in the ${env} wave. CODEOWNERS gives this directory to the`,
      "// wave's approvers, so a change here needs their review; `sluice promote` edits it.",
      'import { platform } from "../../platform.js";',
      "",
      `export default platform.release("hello", { ${key(env)}: "1.0.0" });`,
      "",
    ].join("\n");
  }
  if (answers.ci === "github") files[".github/workflows/sluice.yml"] = ciTemplate("github");
  if (answers.ci === "gitlab") files[".gitlab-ci.yml"] = ciTemplate("gitlab");
  return files;
}

/** The scripts and dependency init adds to package.json. */
export const SCRIPTS: Readonly<Record<string, string>> = {
  synth: "sluice synth",
  check: "sluice check",
  test: "sluice verify",
};

export function devDependency(): Record<string, string> {
  return { sluice: `^${VERSION}` };
}

/** A production wave after the first: its gate needs the platform owners' approval. */
function isGated(env: string, index: number): boolean {
  return index > 0 && /^prod/.test(env);
}

function platformStack({ environments, engine, envRepo, owner, team }: InitAnswers): string {
  const production = (env: string) => /^prod/.test(env);
  const lines = [
    "// The fleet: environments, clusters, rollout waves and teams. Every app stack",
    "// imports `platform` from here, so their names are checked as you type.",
    'import { definePlatform } from "sluice";',
    "",
    "export const platform = definePlatform({",
    `  envRepo: { url: ${JSON.stringify(envRepo)}, revision: "main" },`,
    `  engine: ${JSON.stringify(engine)},`,
    `  owners: [${JSON.stringify(owner)}],`,
    "",
    "  environments: {",
    ...environments.map((env) =>
      production(env)
        ? `    ${key(env)}: {\n      replicas: 2,\n      resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "512Mi" } },\n      sync: { automated: true, prune: false, selfHeal: true },\n    },`
        : `    ${key(env)}: {\n      replicas: 1,\n      resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } },\n      sync: { automated: true, prune: true, selfHeal: true },\n    },`,
    ),
    "  },",
    "",
    "  clusters: {",
    ...environments.map(
      (env) =>
        `    ${key(`${env}-1`)}: { environment: ${JSON.stringify(env)}, server: ${JSON.stringify(`https://${env}-1.k8s.example.com`)} },`,
    ),
    "  },",
    "",
    "  // A release reaches a wave only after the waves before it.",
    "  waves: [",
    ...environments.map((env, index) =>
      !isGated(env, index)
        ? `    { name: ${JSON.stringify(env)}, clusters: [${JSON.stringify(`${env}-1`)}] },`
        : `    { name: ${JSON.stringify(env)}, clusters: [${JSON.stringify(`${env}-1`)}], gate: { soak: "24h", approvers: [${JSON.stringify(owner)}] } },`,
    ),
    "  ],",
    "",
    "  teams: {",
    `    ${key(team)}: { owners: [${JSON.stringify(owner)}], namespaces: [${JSON.stringify(team)}] },`,
    "  },",
    "});",
    "",
  ];
  return lines.join("\n");
}

function helloStack({ environments, team }: InitAnswers): string {
  const release = ungatedReleases(environments);
  return [
    "// An app: one immutable release per wave, settings merged over the environment's.",
    ...(environments.some(isGated) ? ["// The gated waves' releases are in stacks/releases/<wave>/hello.ts."] : []),
    'import { platform } from "./platform.js";',
    "",
    'export default platform.app("hello", {',
    `  team: ${JSON.stringify(team)},`,
    '  image: "registry.example.com/hello",',
    `  release: { ${release} },`,
    "  ports: { http: 8080 },",
    '  env: { GREETING: "hello" },',
    '  probes: { readiness: { http: "/ready" }, liveness: { http: "/healthz" } },',
    "});",
    "",
  ].join("\n");
}

/** A cron job beside the service: each kind of app is declared the same way, with `kind` and that kind's settings. */
function nightlyStack({ environments, team }: InitAnswers): string {
  const release = ungatedReleases(environments);
  return [
    "// A cron job: the kind decides its settings (a schedule, no ports). It runs in the",
    "// ungated waves until a release of it is promoted further.",
    'import { platform } from "./platform.js";',
    "",
    'export default platform.app("hello-nightly", {',
    '  kind: "cronJob",',
    `  team: ${JSON.stringify(team)},`,
    '  image: "registry.example.com/hello",',
    `  release: { ${release} },`,
    '  schedule: "30 2 * * *",',
    '  timeZone: "Etc/UTC",',
    '  args: ["--nightly-report"],',
    "});",
    "",
  ].join("\n");
}

/** The first release in every wave without approvers, as written in a stack: `dev: "1.0.0", staging: "1.0.0"`. */
function ungatedReleases(environments: readonly string[]): string {
  return environments
    .filter((env, index) => !isGated(env, index))
    .map((env) => `${key(env)}: "1.0.0"`)
    .join(", ");
}

/** A property name as written in an object literal. */
function key(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name);
}
