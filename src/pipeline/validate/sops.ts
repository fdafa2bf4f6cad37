import fs from "node:fs";
import path from "node:path";
import { yamlLibrary } from "../../k8s/yaml-library.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import type { Model, TeamModel } from "../../model/model.js";
import { childOrigin, type Origin } from "../../model/origin.js";
import type { Settings } from "../../model/settings-schema.js";

/** sops writes every encrypted leaf as ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]. */
const ENCRYPTED = /^ENC\[AES256_GCM,data:[A-Za-z0-9+/=]*,iv:[A-Za-z0-9+/=]+,tag:[A-Za-z0-9+/=]+,type:[a-z]+\]$/;
const MAX_BYTES = 1024 * 1024;
/** yaml's default; the file is only read once this guard has passed (see recipientProblem, resolve-secrets). */
const MAX_ALIASES = 100;

/**
 * Every SOPS file a stack declares must be what it claims: a Secret manifest
 * encrypted by sops, with its metadata block and MAC, every value under
 * `data` and `stringData` encrypted, and its kind and name left readable (so
 * that sluice can place it; sops does that with
 * `--encrypted-regex '^(data|stringData)$'`). Anything else, a plaintext
 * Secret above all, is refused naming the file, before anything is written.
 */
export function validateSopsFiles(root: string, model: Pick<Model, "platform" | "apps">): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const checked = new Map<string, string | undefined>();
  const visit = (settings: Settings | undefined, origin: Origin, team?: string) => {
    for (const [name, source] of Object.entries(settings?.secrets ?? {})) {
      if (source.provider !== "sops") continue;
      if (!checked.has(source.file)) checked.set(source.file, sopsProblem(root, source.file));
      const problem = checked.get(source.file);
      if (problem) {
        diagnostics.push({
          code: "validate/not-sops",
          message: `${source.file} ${problem}`,
          origin: childOrigin(origin, "secrets", name, "file"),
          hint: "encrypt it with sops --encrypt --encrypted-regex '^(data|stringData)$' --in-place <file>, or reference the value in a secret store with externalSecret()",
        });
      } else if (team !== undefined) {
        const wrong = recipientProblem(root, source.file, team, model.platform.teams);
        if (wrong)
          diagnostics.push({
            code: "validate/sops-recipient",
            message: `${source.file} ${wrong.message}`,
            origin: childOrigin(origin, "secrets", name, "file"),
            hint: wrong.hint,
          });
      }
    }
  };
  for (const environment of model.platform.environments) visit(environment.settings, environment.origin);
  for (const cluster of model.platform.clusters) visit(cluster.settings, cluster.origin);
  for (const app of model.apps) {
    visit(app.settings, app.origin, app.team);
    for (const [name, settings] of Object.entries(app.environmentOverrides))
      visit(settings, childOrigin(app.origin, "environments", name), app.team);
    for (const [name, settings] of Object.entries(app.clusterOverrides))
      visit(settings, childOrigin(app.origin, "clusters", name), app.team);
  }
  return diagnostics;
}

/** Why `file` is not a SOPS-encrypted Secret, or undefined when it is one. */
export function sopsProblem(root: string, file: string): string | undefined {
  const full = path.resolve(root, file);
  let real: string;
  try {
    real = fs.realpathSync(full);
  } catch {
    return "does not exist";
  }
  const realRoot = fs.realpathSync(root);
  if (!real.startsWith(realRoot + path.sep)) return "lies outside the project (through a symlink)";
  const stat = fs.statSync(real);
  if (!stat.isFile()) return "is not a file";
  if (stat.size > MAX_BYTES) return `is ${stat.size} bytes; a Secret manifest is far smaller`;
  const document = yamlLibrary().parseDocument(fs.readFileSync(real, "utf8"), { uniqueKeys: true });
  if (document.errors.length > 0) return `is not valid YAML or JSON: ${document.errors[0]!.message.split("\n")[0]}`;
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    // yaml's guard against an alias bomb (a few lines expanding to billions of nodes) throws a ReferenceError.
    if (error instanceof ReferenceError)
      return `expands YAML aliases past the limit of ${MAX_ALIASES} (an alias bomb; sops writes no aliases)`;
    return `could not be read as YAML (${error instanceof Error ? error.message.split("\n")[0] : String(error)})`;
  }
  if (!isRecord(value)) return "is not a Kubernetes manifest";
  const sops = value.sops;
  if (!isRecord(sops)) return "has no sops metadata block: it is not encrypted with sops";
  if (typeof sops.mac !== "string" || !ENCRYPTED.test(sops.mac))
    return "has a sops block without an encrypted MAC: it was not written by sops";
  if (value.apiVersion !== "v1" || value.kind !== "Secret") return "is not a v1 Secret (or its apiVersion and kind are encrypted)";
  const metadata = value.metadata;
  if (!isRecord(metadata) || typeof metadata.name !== "string" || metadata.name.startsWith("ENC[")) {
    return "has no readable metadata.name (encrypt only data and stringData)";
  }
  const fields = (["data", "stringData"] as const).filter((field) => value[field] !== undefined);
  if (fields.length === 0) return "holds no data or stringData";
  for (const field of fields) {
    const entries = value[field];
    if (!isRecord(entries)) return `has a ${field} that is not a mapping`;
    for (const [key, leaf] of Object.entries(entries)) {
      if (typeof leaf !== "string" || !ENCRYPTED.test(leaf)) return `holds a plaintext value at ${field}.${key}`;
    }
  }
  return undefined;
}

/**
 * Why a team's SOPS file is encrypted to the wrong keys, or undefined: with
 * one key per team (see flux.decryptionSecret), a file a team's app reads
 * must be encrypted to that team's key, where the platform names it
 * (`teams.<team>.sopsRecipients`), and to no other team's, which could
 * otherwise decrypt it from the env repo with the key it can read.
 */
function recipientProblem(
  root: string,
  file: string,
  team: string,
  teams: readonly TeamModel[],
): { message: string; hint: string } | undefined {
  const value: unknown = yamlLibrary()
    .parseDocument(fs.readFileSync(path.resolve(root, file), "utf8"))
    .toJS();
  const age = isRecord(value) && isRecord(value.sops) && Array.isArray(value.sops.age) ? value.sops.age : [];
  const recipients = new Set(age.flatMap((entry) => (isRecord(entry) && typeof entry.recipient === "string" ? [entry.recipient] : [])));
  const others = teams
    .filter((other) => other.name !== team && other.sopsRecipients.some((key) => recipients.has(key)))
    .map((other) => other.name);
  if (others.length > 0) {
    return {
      message: `is read by an app of team ${team} but encrypted to the key of team ${others.join(", team ")} too, which could decrypt it`,
      hint: `encrypt it again to team ${team}'s key alone (sops updatekeys after fixing the path's creation rule in .sops.yaml)`,
    };
  }
  const own = teams.find((candidate) => candidate.name === team)?.sopsRecipients ?? [];
  if (own.length > 0 && !own.some((key) => recipients.has(key))) {
    return {
      message: `is not encrypted to the key of team ${team} (${own.join(", ")}), so Flux cannot decrypt it with the team's key Secret`,
      hint: `encrypt it to the team's key: sops updatekeys with a creation rule for the path naming ${own[0]}`,
    };
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
