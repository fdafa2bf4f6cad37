import { z } from "zod";
import { dnsLabel } from "../../model/names.js";
import type { EngineDeclaration } from "../declaration.js";

const settings = z
  .strictObject({
    /** Argo CD's own namespace, where each cluster's root, the AppProjects and the Applications live. Default "argocd". */
    namespace: dnsLabel.default("argocd"),
  })
  .prefault({})
  .describe('Argo CD\'s settings: `{ namespace = "argocd" }`.');

/** Argo CD as the model knows it: its renderer is argocd.ts. */
export const argocd = {
  name: "argocd",
  title: "Argo CD",
  settings,
  namespace: (parsed) => parsed.namespace,
  load: async () => (await import("./argocd.js")).argoCd,
} satisfies EngineDeclaration<"argocd", typeof settings>;
