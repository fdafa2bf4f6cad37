/**
 * The custom resources sluice renders, or lets teams write, whose schemas it
 * ships (src/k8s/crd-schemas/, generated from the projects' CRDs by
 * scripts/gen-crd-schemas.mjs), with their scope and plural as their CRDs declare them.
 */
export const CRD_KINDS: Readonly<
  Record<string, Readonly<Record<string, { readonly scope: "Namespaced" | "Cluster"; readonly plural: string }>>>
> = {
  "argoproj.io/v1alpha1": {
    Application: { scope: "Namespaced", plural: "applications" },
    AppProject: { scope: "Namespaced", plural: "appprojects" },
    ApplicationSet: { scope: "Namespaced", plural: "applicationsets" },
    // Argo Rollouts shares Argo CD's group: progressive delivery renders these two.
    Rollout: { scope: "Namespaced", plural: "rollouts" },
    AnalysisTemplate: { scope: "Namespaced", plural: "analysistemplates" },
  },
  "flagger.app/v1beta1": {
    Canary: { scope: "Namespaced", plural: "canaries" },
    MetricTemplate: { scope: "Namespaced", plural: "metrictemplates" },
  },
  "external-secrets.io/v1": {
    ExternalSecret: { scope: "Namespaced", plural: "externalsecrets" },
    SecretStore: { scope: "Namespaced", plural: "secretstores" },
    ClusterSecretStore: { scope: "Cluster", plural: "clustersecretstores" },
  },
  "bitnami.com/v1alpha1": { SealedSecret: { scope: "Namespaced", plural: "sealedsecrets" } },
  "policies.kyverno.io/v1": { ValidatingPolicy: { scope: "Cluster", plural: "validatingpolicies" } },
  "source.toolkit.fluxcd.io/v1": {
    GitRepository: { scope: "Namespaced", plural: "gitrepositories" },
    HelmRepository: { scope: "Namespaced", plural: "helmrepositories" },
    OCIRepository: { scope: "Namespaced", plural: "ocirepositories" },
  },
  "kustomize.toolkit.fluxcd.io/v1": { Kustomization: { scope: "Namespaced", plural: "kustomizations" } },
  "helm.toolkit.fluxcd.io/v2": { HelmRelease: { scope: "Namespaced", plural: "helmreleases" } },
  "notification.toolkit.fluxcd.io/v1beta3": {
    Provider: { scope: "Namespaced", plural: "providers" },
    Alert: { scope: "Namespaced", plural: "alerts" },
  },
  "gateway.networking.k8s.io/v1": { HTTPRoute: { scope: "Namespaced", plural: "httproutes" } },
  // The Flux Operator's: preview environments on Flux clusters.
  "fluxcd.controlplane.io/v1": {
    ResourceSet: { scope: "Namespaced", plural: "resourcesets" },
    ResourceSetInputProvider: { scope: "Namespaced", plural: "resourcesetinputproviders" },
  },
};
