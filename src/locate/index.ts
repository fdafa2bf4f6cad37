/**
 * Source locations: maps a stack's call sites and property paths to the file,
 * line and column a user should look at.
 */
export { pinpoint, pinpointAll, propertyPathAt } from "./locate.js";
export { located, locatedErrors } from "./located.js";
export { allowedKeys, requiredKeys } from "./schema-keys.js";
export { BundlePositions, type UserSite } from "./stack-positions.js";
