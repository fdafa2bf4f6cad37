import { z } from "zod";
import { dnsLabel } from "../../model/names.js";
import type { EngineDeclaration } from "../declaration.js";

const settings = z
  .strictObject({
    /** Argo CD's own namespace, where each cluster's root, the AppProjects and the Applications live. Default "argocd". */
    namespace: dnsLabel.default("argocd"),
    /**
     * How each cluster's Argo CD gets the apps' Applications: "per-app" (default), one
     * Application file per app instance, applied by the cluster's root; or "per-team",
     * one ApplicationSet per team on each cluster (clusters/<cluster>/appsets/<team>.yaml),
     * whose list generator holds one element per app of the team on the cluster and makes
     * the same Applications. A fleet of thousands of apps then keeps a few objects per cluster
     * in the root. Argo CD's ApplicationSet controller must run (README, Prerequisites).
     */
    applications: z.enum(["per-app", "per-team"]).default("per-app"),
  })
  .prefault({})
  .describe('Argo CD\'s settings: `{ namespace = "argocd", applications = "per-app" }`.');

/** Argo CD as the model knows it: its renderer is argocd.ts. */
export const argocd = {
  name: "argocd",
  title: "Argo CD",
  settings,
  namespace: (parsed) => parsed.namespace,
  load: async () => (await import("./argocd.js")).argoCd,
} satisfies EngineDeclaration<"argocd", typeof settings>;
