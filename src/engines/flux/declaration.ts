import { z } from "zod";
import { dnsLabel } from "../../model/names.js";
import type { EngineDeclaration } from "../declaration.js";

const settings = z
  .strictObject({
    /** Flux's own namespace, where each cluster's root and the components' objects live. Default "flux-system". */
    namespace: dnsLabel.default("flux-system"),
    /** A Secret in each team's namespace (and Flux's) with the env repo's git credentials. Default: none (a public repo). */
    gitSecret: dnsLabel.optional(),
    /** The Secret in each team's home namespace holding the key Flux decrypts the team's SOPS files with: that team's own age key, one per team (the team can read it). Default "sops-age". */
    decryptionSecret: dnsLabel.default("sops-age"),
  })
  .prefault({})
  .describe('Flux\'s settings: `{ namespace = "flux-system", gitSecret?, decryptionSecret = "sops-age" }`.');

/** Flux as the model knows it: its renderer is flux.ts. */
export const flux = {
  name: "flux",
  title: "Flux",
  settings,
  namespace: (parsed) => parsed.namespace,
  load: async () => (await import("./flux.js")).flux,
} satisfies EngineDeclaration<"flux", typeof settings>;
