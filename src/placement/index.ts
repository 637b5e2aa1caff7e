export { AffinityPlacer, AFFINITY_PLACER, placementOrder, UnschedulableError } from "./placer.js";
export { DEFAULT_PLACEMENT_POLICY, placementPolicySchema, workloadSchema, type PlacementPolicyInput } from "./schemas.js";
export { policyInputSchema } from "./deployment.js";
export {
  DEFAULT_RTT_MODEL,
  EARTH_RADIUS_KM,
  MEASURED_RTTS,
  RttTable,
  estimateRttMs,
  haversineKm,
  rttForDistanceMs,
  type RttModel,
} from "./geo.js";
export { feasibleEdgesToFind } from "./session.js";
export {
  PROVIDER_LIMITS,
  analyzeDeployment,
  deploymentJobSchema,
  loadDeploymentPolicy,
  type BuiltInProvider,
  type DeploymentAnalysis,
  type DeploymentJob,
  type DeploymentPolicy,
  type DeploymentPolicyInput,
  type DeploymentRecommendation,
  type JobState,
  type JobVerdict,
  type ProviderLimits,
} from "./deployment.js";
export * from "./types.js";
