export { EdgeInfrastructure, EDGE_INFRASTRUCTURE, type EdgeInfrastructureOptions } from "./infrastructure.js";
export { InfrastructureUnavailableError } from "./errors.js";
export { matchesQuery, matchesSelector } from "./selector.js";
export { edgeSpecSchema, edgePatchSchema, edgeQuerySchema, labelSelectorSchema, coordinatesSchema, resourcesSchema } from "./schemas.js";
export * from "./types.js";
