import type { Rule } from "../../src/sdk.js";
import { noClusterScopedObjects } from "./cluster-scoped.js";
import { noPlatformHosts, uniqueHosts } from "./fleet.js";
import { approvedRegistries, immutableReleaseInProduction, noMutableImage } from "./images.js";
import { requiredLabels } from "./labels.js";
import { noExternalIps, noFixedLoadBalancerIp, noWildcardHost } from "./network.js";
import { livenessProbe, readinessProbe } from "./probes.js";
import { productionRedundancy } from "./redundancy.js";
import { progressiveDelivery } from "./progressive.js";
import { hpaNeedsCpuRequest, resourcesRequired } from "./resources.js";
import { noHostAccess, noPrivileged, runAsNonRoot } from "./security.js";

/** sluice's built-in rules, in the order the README lists them. */
export const builtInRules: readonly Rule[] = [
  noMutableImage,
  immutableReleaseInProduction,
  approvedRegistries,
  resourcesRequired,
  readinessProbe,
  livenessProbe,
  hpaNeedsCpuRequest,
  noPrivileged,
  noHostAccess,
  runAsNonRoot,
  requiredLabels,
  productionRedundancy,
  progressiveDelivery,
  noClusterScopedObjects,
  uniqueHosts,
  noPlatformHosts,
  noExternalIps,
  noFixedLoadBalancerIp,
  noWildcardHost,
];
