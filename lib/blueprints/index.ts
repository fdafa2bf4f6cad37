// The blueprints sluice ships, for `sluice/blueprints`: a team wraps one
// (`{ ...service, name: "…", render: (app) => … }`) and registers it with
// its platform's `blueprints`.
import type { Blueprint } from "../../src/sdk.js";
import type { BuiltInBlueprintName } from "../../src/model/blueprint-names.js";
import { cronJob } from "./cron-job.js";
import { job } from "./job.js";
import { service } from "./service.js";
import { statefulService } from "./stateful-service.js";
import { worker } from "./worker.js";

export type { Blueprint } from "../../src/sdk.js";
export { cronJob, job, service, statefulService, worker };

/** Every built-in blueprint by the name an app chooses it with, which is its kind's: one line each. */
export const builtInBlueprints: { readonly [K in BuiltInBlueprintName]: Blueprint } = {
  service,
  worker,
  cronJob,
  job,
  statefulService,
};
