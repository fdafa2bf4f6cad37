import fs from "node:fs";
import path from "node:path";
import { parseDocument } from "yaml";
import type { Diagnostic } from "../model/diagnostic.js";
import type { Model } from "../model/model.js";
import { childOrigin, type Origin } from "../model/origin.js";
import type { Settings } from "../model/settings-schema.js";

/** sops writes every encrypted leaf as ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]. */
const ENCRYPTED = /^ENC\[AES256_GCM,data:[A-Za-z0-9+/=]*,iv:[A-Za-z0-9+/=]+,tag:[A-Za-z0-9+/=]+,type:[a-z]+\]$/;
const MAX_BYTES = 1024 * 1024;

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
  const visit = (settings: Settings | undefined, origin: Origin) => {
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
      }
    }
  };
  for (const environment of model.platform.environments) visit(environment.settings, environment.origin);
  for (const cluster of model.platform.clusters) visit(cluster.settings, cluster.origin);
  for (const app of model.apps) {
    visit(app.settings, app.origin);
    for (const [name, settings] of Object.entries(app.environmentOverrides)) visit(settings, childOrigin(app.origin, "environments", name));
    for (const [name, settings] of Object.entries(app.clusterOverrides)) visit(settings, childOrigin(app.origin, "clusters", name));
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
  const document = parseDocument(fs.readFileSync(real, "utf8"), { uniqueKeys: true });
  if (document.errors.length > 0) return `is not valid YAML or JSON: ${document.errors[0]!.message.split("\n")[0]}`;
  const value: unknown = document.toJS();
  if (!isRecord(value)) return "is not a Kubernetes manifest";
  const sops = value.sops;
  if (!isRecord(sops)) return "has no sops metadata block: it is not encrypted with sops";
  if (typeof sops.mac !== "string" || !ENCRYPTED.test(sops.mac)) return "has a sops block without an encrypted MAC: it was not written by sops";
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
