import { layoutProblems } from "./layout.js";
import { SluiceError } from "../../errors.js";
import type { Model } from "../../model/model.js";
import type { LoadedStacks } from "../load/index.js";
import type { AdmissionCompileCache } from "../../policy/admission-compile-cache.js";
import type { Rule } from "../../model/rule.js";
import { validateRules } from "../../policy/validate-rules.js";
import { validateApps } from "./apps.js";
import { appPreviewProblems } from "./previews.js";
import { openedPreviews } from "./opened-previews.js";
import { gatherReleases, type GatherOptions } from "./releases.js";
import { instanceNeeds, neededCapabilities } from "../resolve/index.js";
import { orderFleet } from "./order.js";
import { validatePlatform } from "./platform.js";
import { hubNameClashes } from "./hubs.js";
import { validateSopsFiles } from "./sops.js";
import { validateValues } from "./values.js";

/**
 * Validates what the stacks declared. Collects every problem before failing,
 * each pointing at the property to change (its line is found at the API's
 * entry point: src/locate/located.ts).
 */
export function validate(
  root: string,
  loaded: LoadedStacks,
  builtInRules: readonly Rule[] = [],
  compiled?: AdmissionCompileCache,
  releases: GatherOptions = { stacks: "stacks" },
): Model {
  const values = [
    ...validateValues(withoutCode(loaded.platform.spec), loaded.platform.origin),
    ...loaded.apps.flatMap((app) => validateValues(app.spec, app.origin)),
    ...loaded.releases.flatMap((release) => validateValues(release.releases, release.origin)),
  ];
  if (values.length > 0) throw new SluiceError("The stacks declare values that are not data; nothing was written.", values);
  const { platform, diagnostics } = validatePlatform(loaded.platform.spec, loaded.platform.origin);
  if (!platform) throw new SluiceError("The platform is invalid; nothing was written.", diagnostics);
  const rules = validateRules(platform, builtInRules, compiled);
  if (rules.diagnostics.length > 0) throw new SluiceError("The platform's policy is invalid; nothing was written.", rules.diagnostics);
  const gathered = gatherReleases(loaded.apps, loaded.releases, platform, releases);
  if (gathered.diagnostics.length > 0)
    throw new SluiceError("Some releases are not where their wave's approvers review them; nothing was written.", gathered.diagnostics);
  const apps = validateApps(gathered.apps, platform, rules.rules);
  apps.diagnostics.push(...hubNameClashes(platform, apps.apps));
  // Once the apps are right: an app renamed by mistake is not also reported missing from previews.apps.
  if (apps.diagnostics.length === 0)
    apps.diagnostics.push(
      ...appPreviewProblems(
        platform,
        apps.apps,
        gathered.apps.map((app) => app.name),
      ),
    );
  // The env repo's directories stay under GitHub's recommended size (layout.ts).
  if (apps.diagnostics.length === 0) apps.diagnostics.push(...layoutProblems(platform, apps.apps));
  const opened = openedPreviews(platform, apps.apps, loaded.previews);
  apps.diagnostics.push(...opened.diagnostics);
  if (apps.diagnostics.length > 0) {
    throw new SluiceError("The stacks are invalid; nothing was written.", apps.diagnostics);
  }
  const withOpened = platform.previews ? { ...platform, previews: { ...platform.previews, opened: opened.opened } } : platform;
  const sops = validateSopsFiles(root, { platform: withOpened, apps: apps.apps });
  if (sops.length > 0) throw new SluiceError("Some SOPS files are not encrypted Secrets; nothing was written.", sops);
  const ordered = orderFleet(withOpened, apps.apps, (app, cluster) => neededCapabilities(instanceNeeds(withOpened, app, cluster)));
  if (ordered.diagnostics.length > 0)
    throw new SluiceError("The dependencies between apps and components are invalid; nothing was written.", ordered.diagnostics);
  return { platform: withOpened, apps: apps.apps, files: loaded.files, stacks: releases.stacks, order: ordered.order };
}

/**
 * The platform's spec without its own policy rules and blueprints: they are
 * code, not data (a rule's check may be a function, a blueprint renders), and
 * validateRules and the platform's schema check them.
 */
function withoutCode(spec: unknown): unknown {
  if (typeof spec !== "object" || spec === null) return spec;
  let data = spec as Record<string, unknown>;
  if (Object.hasOwn(data, "blueprints")) {
    const { blueprints: _blueprints, ...rest } = data;
    data = rest;
  }
  const { policy } = data as { policy?: unknown };
  if (!Object.hasOwn(data, "policy") || typeof policy !== "object" || policy === null || !Object.hasOwn(policy, "rules")) return data;
  const { rules: _rules, ...others } = policy as Record<string, unknown>;
  return { ...data, policy: others };
}
