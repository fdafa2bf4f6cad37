import { yamlLibrary } from "../../k8s/yaml-library.js";
import { engineNamed, engineOf } from "../../engines/index.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import type { ClusterModel, PlatformModel } from "../../model/model.js";
import { own } from "../../model/own.js";
import type { Origin } from "../../model/origin.js";
import type { ResolvedSecret, ResolvedSecretSource, ResolvedSettings, SecretKeySelector } from "../../model/resolved.js";
import type { SecretSourceInput } from "../../model/secret-schema.js";
import type { Settings } from "../../model/settings-schema.js";
import { storeKeyProblem } from "../../secrets/store-keys.js";
import type { InstancePlatform } from "../../model/instance-input.js";

/** What resolve takes from the merged settings for environment variables and secrets. */
export type ResolvedSecretSettings = Pick<ResolvedSettings, "env" | "secretEnv" | "envFrom" | "secretFiles"> & {
  readonly secrets: readonly ResolvedSecret[];
  /** The environment of each sidecar and init container, by "sidecars.<name>" or "initContainers.<name>". */
  readonly containerEnv: ReadonlyMap<string, Pick<ResolvedSettings, "env" | "secretEnv">>;
};

/** The lists of containers beside the app's, which read secrets as the app's own container does. */
export const CONTAINER_LISTS = ["sidecars", "initContainers"] as const;

interface Use {
  readonly keys: Set<string>;
  whole: boolean;
  /** The dotted settings path of the first use, for errors. */
  readonly firstUse: string;
}

/**
 * Splits the merged environment into plain values and secret keys, and
 * resolves every secret the app uses on this cluster against the declaration
 * that won the merge: the store it reads, the Kubernetes Secret that will hold
 * it ("<app>-<name>"), and the keys it must provide. Declarations nobody uses
 * render nothing.
 */
export function resolveSecrets(
  merged: Settings,
  context: {
    readonly app: string;
    readonly team: string;
    readonly namespace: string;
    readonly cluster: ClusterModel;
    readonly platform: InstancePlatform;
    readonly sopsFiles: Readonly<Record<string, string | null>>;
  },
  where: (path: string) => Origin,
): { value: ResolvedSecretSettings } | { diagnostics: Diagnostic[] } {
  const { app, team, cluster, platform, sopsFiles, namespace } = context;
  const onCluster = ` on cluster ${cluster.name}`;
  const diagnostics: Diagnostic[] = [];
  const uses = new Map<string, Use>();
  const use = (name: string, path: string, key?: string) => {
    let entry = uses.get(name);
    if (!entry) uses.set(name, (entry = { keys: new Set(), whole: false, firstUse: path }));
    if (key === undefined) entry.whole = true;
    else entry.keys.add(key);
  };
  const secretName = (name: string) => `${app}-${name}`;

  const env: Record<string, string> = {};
  const secretEnv: Record<string, SecretKeySelector> = {};
  for (const [variable, value] of Object.entries(merged.env ?? {})) {
    if (typeof value === "string") env[variable] = value;
    else {
      use(value.secret, `env.${variable}`, value.key);
      secretEnv[variable] = { secretName: secretName(value.secret), key: value.key };
    }
  }
  const containerEnv = new Map<string, Pick<ResolvedSettings, "env" | "secretEnv">>();
  for (const list of CONTAINER_LISTS) {
    for (const [name, container] of Object.entries(merged[list] ?? {})) {
      const plain: Record<string, string> = {};
      const fromSecrets: Record<string, SecretKeySelector> = {};
      for (const [variable, value] of Object.entries(container.env ?? {})) {
        if (typeof value === "string") plain[variable] = value;
        else {
          use(value.secret, `${list}.${name}.env.${variable}`, value.key);
          fromSecrets[variable] = { secretName: secretName(value.secret), key: value.key };
        }
      }
      containerEnv.set(`${list}.${name}`, { env: plain, secretEnv: fromSecrets });
    }
  }
  const envFrom = (merged.envFrom ?? []).map((whole) => {
    use(whole.secret, "envFrom");
    return secretName(whole.secret);
  });
  const secretFiles: Record<string, string> = {};
  for (const [directory, whole] of Object.entries(merged.secretFiles ?? {})) {
    use(whole.secret, `secretFiles.${directory}`);
    secretFiles[directory] = secretName(whole.secret);
  }

  const secrets: ResolvedSecret[] = [];
  for (const name of [...uses.keys()].sort()) {
    const { keys, whole, firstUse } = uses.get(name)!;
    const declared = own(merged.secrets ?? {}, name);
    if (!declared) {
      diagnostics.push({
        code: "resolve/undeclared-secret",
        message: `secret ${JSON.stringify(name)} is used but not declared${onCluster}`,
        origin: where(firstUse),
        hint: `declare it in the app's secrets (or its environment's or cluster's), e.g. secrets: { ${JSON.stringify(name)}: externalSecret({ key: "<path in the store>" }) }`,
      });
      continue;
    }
    const at = where(`secrets.${name}`);
    const source = resolveSource(declared, {
      name,
      team,
      keys,
      platform,
      cluster,
      merged,
      at,
      onCluster,
      diagnostics,
      sopsFiles,
      secretName: secretName(name),
      namespace,
    });
    if (source) secrets.push({ name, secretName: secretName(name), keys: [...keys].sort(), whole, source, origin: at });
  }
  if (diagnostics.length > 0) return { diagnostics };
  return { value: { env, secretEnv, envFrom, secretFiles, secrets, containerEnv } };
}

/**
 * The names of the secrets merged settings use (env, envFrom, secretFiles, the containers' env):
 * the same uses resolveSecrets renders, for callers that need only which
 * secrets an instance has (instance-needs.ts), not their keys.
 */
export function usedSecretNames(merged: Pick<Settings, "env" | "envFrom" | "secretFiles" | "sidecars" | "initContainers">): string[] {
  const names = new Set<string>();
  const envs = [merged.env, ...CONTAINER_LISTS.flatMap((list) => Object.values(merged[list] ?? {}).map((container) => container.env))];
  for (const env of envs) for (const value of Object.values(env ?? {})) if (typeof value !== "string") names.add(value.secret);
  for (const whole of merged.envFrom ?? []) names.add(whole.secret);
  for (const whole of Object.values(merged.secretFiles ?? {})) names.add(whole.secret);
  return [...names].sort();
}

/** The store an external secret reads: its own, the merged `secretStore`, or the platform's only one. */
export function storeNameOf(
  declared: Extract<SecretSourceInput, { provider: "external-secrets" }>,
  merged: Pick<Settings, "secretStore">,
  platform: Pick<PlatformModel, "secrets">,
): string | undefined {
  const stores = Object.keys(platform.secrets.stores);
  return declared.store ?? merged.secretStore ?? (stores.length === 1 ? stores[0] : undefined);
}

interface SourceContext {
  readonly name: string;
  /** The team of the app that reads it: a store's keys are confined per team. */
  readonly team: string;
  readonly keys: ReadonlySet<string>;
  readonly platform: InstancePlatform;
  readonly cluster: ClusterModel;
  readonly merged: Settings;
  readonly at: Origin;
  readonly onCluster: string;
  readonly diagnostics: Diagnostic[];
  /** The bytes of the SOPS files the instance's settings name (see instance-input.ts). */
  readonly sopsFiles: Readonly<Record<string, string | null>>;
  /** The Kubernetes Secret it becomes, and the app's namespace. */
  readonly secretName: string;
  readonly namespace: string;
}

function resolveSource(declared: SecretSourceInput, context: SourceContext): ResolvedSecretSource | undefined {
  const { name, team, keys, platform, merged, at, onCluster, diagnostics } = context;
  switch (declared.provider) {
    case "external-secrets": {
      const stores = Object.keys(platform.secrets.stores).sort();
      const storeName = storeNameOf(declared, merged, platform);
      const store = storeName === undefined ? undefined : own(platform.secrets.stores, storeName);
      if (storeName === undefined || !store) {
        diagnostics.push({
          code: "resolve/secret-store",
          message:
            stores.length === 0
              ? `secret ${JSON.stringify(name)} reads an External Secrets store, but the platform declares none`
              : storeName === undefined
                ? `secret ${JSON.stringify(name)} names no store${onCluster}, and the platform declares several`
                : `secret ${JSON.stringify(name)} reads store ${JSON.stringify(storeName)}${onCluster}, which the platform does not declare`,
          origin: at,
          hint:
            stores.length === 0
              ? 'declare the stores on the platform: secretStores: { vault: { kind: "ClusterSecretStore" } }'
              : `use one of: ${stores.join(", ")} (set secretStore on the environment or cluster, or store on the reference)`,
        });
        return undefined;
      }
      const problem = storeKeyProblem(declared.key, storeName, store.keys, team);
      if (problem) {
        diagnostics.push({
          code: "resolve/secret-store-key",
          message: `secret ${JSON.stringify(name)} reads key ${JSON.stringify(declared.key)} of store ${storeName}${onCluster}, which ${problem.message}`,
          origin: at,
          hint: problem.hint,
        });
        return undefined;
      }
      return {
        ...declared,
        store: { name: storeName, kind: store.kind },
        refreshInterval: declared.refreshInterval ?? platform.secrets.refreshInterval,
      };
    }
    case "sealed-secrets": {
      const missing = [...keys].filter((key) => !Object.hasOwn(declared.encryptedData, key)).sort();
      if (missing.length > 0) {
        diagnostics.push({
          code: "resolve/sealed-secret-key",
          message: `sealed secret ${JSON.stringify(name)} has no ${missing.map((key) => JSON.stringify(key)).join(", ")}${onCluster}`,
          origin: at,
          hint: `seal the key for this cluster (kubeseal --raw) and add it to encryptedData; it has: ${Object.keys(declared.encryptedData).sort().join(", ")}`,
        });
        return undefined;
      }
      return declared;
    }
    case "sops":
      return sopsSource(declared, context);
  }
}

/**
 * A SOPS file goes to a cluster whose engine decrypts it (Flux), byte for
 * byte: sops signs the file as written (its MAC covers every value,
 * metadata included), so sluice can neither rename it nor add its labels.
 * The Secret in it must therefore already be the one the app reads —
 * `<app>-<name>` in the app's namespace. Engines that cannot decrypt it (Argo CD) refuse it.
 */
function sopsSource(declared: Extract<SecretSourceInput, { provider: "sops" }>, context: SourceContext): ResolvedSecretSource | undefined {
  const { name, cluster, at, onCluster, diagnostics, sopsFiles, secretName, namespace } = context;
  // A cluster moving to an engine applies the same files with both: each must decrypt it.
  const engine = [engineOf(cluster), ...(cluster.move ? [engineNamed(cluster.move.to)] : [])].find((e) => !e.decryptsSops);
  if (engine) {
    diagnostics.push({
      code: `resolve/sops-on-${engine.name}`,
      message: `secret ${JSON.stringify(name)} is a SOPS file, which ${engine.title} cannot decrypt${onCluster}${cluster.move ? ` (the cluster moves from ${cluster.move.from} to ${cluster.move.to})` : ""}`,
      origin: at,
      hint: 'keep the value in a secret store and use externalSecret({ key: "…" }) (External Secrets Operator), or seal it per cluster with sealedSecret({ … })',
    });
    return undefined;
  }
  // validate-sops has checked the file is an encrypted Secret inside the project.
  const content = own(sopsFiles, declared.file);
  if (content === undefined || content === null) throw new Error(`sluice could not read ${declared.file}`);
  const metadata = (yamlLibrary().parse(content) as { metadata?: { name?: unknown; namespace?: unknown } }).metadata ?? {};
  if (metadata.name !== secretName || metadata.namespace !== namespace) {
    diagnostics.push({
      code: "resolve/sops-identity",
      message: `${declared.file} holds Secret ${String(metadata.namespace ?? "(no namespace)")}/${String(metadata.name)}, but the app reads ${namespace}/${secretName}`,
      origin: at,
      hint: `set metadata.name: ${secretName} and metadata.namespace: ${namespace} before encrypting: sops signs the file as written, so sluice cannot change it`,
    });
    return undefined;
  }
  return { ...declared, content };
}
