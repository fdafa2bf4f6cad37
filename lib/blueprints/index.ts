// The blueprints sluice ships, for `sluice/blueprints`: a team wraps one
// (`{ ...webService, name: "…", render: (app) => … }`) and registers it with
// its platform's `blueprints`.
import type { Blueprint } from "../../src/sdk.js";
import type { BuiltInBlueprintName } from "../../src/model/blueprint-names.js";
import { webService } from "./web-service.js";

export type { Blueprint } from "../../src/sdk.js";
export { webService };

/** Every built-in blueprint by the name an app chooses it with: one line each. */
export const builtInBlueprints: { readonly [K in BuiltInBlueprintName]: Blueprint } = {
  "web-service": webService,
};
