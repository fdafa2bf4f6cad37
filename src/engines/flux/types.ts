import type { ObjectMeta } from "kubernetes-types/meta/v1";

// The Flux objects sluice writes, as far as it writes them: only the fields
// sluice sets, named and nested as in the vendored CRD schemas
// (src/k8s/crd-schemas/*.toolkit.fluxcd.io_*.json), required where the schema
// requires them, small enums as unions. test/crd-types.test.ts walks the
// schema for every property named here, so a field the CRD does not have
// cannot creep in.

interface LocalObjectReference {
  name: string;
}

export interface FluxKustomization {
  apiVersion: "kustomize.toolkit.fluxcd.io/v1";
  kind: "Kustomization";
  metadata: ObjectMeta;
  spec: {
    interval: string;
    retryInterval?: string;
    timeout?: string;
    path?: string;
    prune: boolean;
    wait?: boolean;
    sourceRef: { kind: "OCIRepository" | "GitRepository" | "Bucket" | "ExternalArtifact"; name: string; namespace?: string };
    targetNamespace?: string;
    serviceAccountName?: string;
    dependsOn?: { name: string; namespace?: string }[];
    decryption?: { provider: "sops"; secretRef?: LocalObjectReference };
    suspend?: boolean;
    /** Fields left to another controller: JSON pointers, on the objects `target` selects (regexes). */
    ignore?: { paths: string[]; target?: { group?: string; kind?: string; name?: string; namespace?: string } }[];
    /** Image overrides, as kustomize's `images`. */
    images?: { name: string; newTag?: string }[];
    /** Kustomize patches, on the objects `target` selects. */
    patches?: { patch: string; target?: { kind?: string; name?: string } }[];
  };
}

export interface FluxGitRepository {
  apiVersion: "source.toolkit.fluxcd.io/v1";
  kind: "GitRepository";
  metadata: ObjectMeta;
  spec: {
    interval: string;
    url: string;
    ref?: { branch?: string; commit?: string; name?: string; semver?: string; tag?: string };
    secretRef?: LocalObjectReference;
    ignore?: string;
  };
}

export interface FluxOCIRepository {
  apiVersion: "source.toolkit.fluxcd.io/v1";
  kind: "OCIRepository";
  metadata: ObjectMeta;
  spec: {
    interval: string;
    url: string;
    ref?: { digest?: string; semver?: string; tag?: string };
    layerSelector?: { mediaType?: string; operation?: "extract" | "copy" };
  };
}

export interface FluxHelmRepository {
  apiVersion: "source.toolkit.fluxcd.io/v1";
  kind: "HelmRepository";
  metadata: ObjectMeta;
  spec: {
    interval?: string;
    url: string;
  };
}

interface HelmRemediation {
  retries?: number;
}

export interface FluxHelmRelease {
  apiVersion: "helm.toolkit.fluxcd.io/v2";
  kind: "HelmRelease";
  metadata: ObjectMeta;
  spec: {
    interval: string;
    releaseName?: string;
    targetNamespace?: string;
    storageNamespace?: string;
    serviceAccountName?: string;
    install?: { createNamespace?: boolean; remediation?: HelmRemediation };
    upgrade?: { remediation?: HelmRemediation };
    chartRef?: { kind: "OCIRepository" | "HelmChart" | "ExternalArtifact"; name: string; namespace?: string };
    chart?: {
      spec: {
        chart: string;
        version?: string;
        sourceRef: { kind: "HelmRepository" | "GitRepository" | "Bucket"; name: string; namespace?: string };
      };
    };
    values?: Record<string, unknown>;
  };
}

export interface FluxProvider {
  apiVersion: "notification.toolkit.fluxcd.io/v1beta3";
  kind: "Provider";
  metadata: ObjectMeta;
  spec: {
    type: "slack" | "msteams" | "generic";
    channel?: string;
    address?: string;
    secretRef?: LocalObjectReference;
  };
}

export interface FluxAlert {
  apiVersion: "notification.toolkit.fluxcd.io/v1beta3";
  kind: "Alert";
  metadata: ObjectMeta;
  spec: {
    providerRef: LocalObjectReference;
    eventMetadata?: Record<string, string>;
    eventSeverity?: "info" | "error";
    eventSources: { kind: "Kustomization"; name: string; namespace?: string }[];
    inclusionList?: string[];
    exclusionList?: string[];
  };
}
