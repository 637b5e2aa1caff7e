/**
 * Predictive warming: usage-driven predictions of which edges need warm capacity (time-series,
 * geographic, user behaviour, workload mix, idle-time histogram, and their adaptive hybrid), a
 * lifecycle-backed actuator, evaluation by precision / recall / F1, and the policy replay that
 * measures cold starts against instance-seconds for warming and keep-alive policies.
 *
 * @module
 */
export * from "./types.js";
export * from "./replay-types.js";
export { replayTrace } from "./replay.js";
export { fixedKeepAlivePolicy, knativeScaleToZeroPolicy, noKeepAlivePolicy, type KnativeStyleOptions } from "./baselines.js";
export { hybridWarmingPolicy, idleHistogramPolicy, type HybridWarmingPolicyOptions, type IdleHistogramPolicyOptions } from "./capacity-policies.js";
export { idleTimePolicy, idleTimePolicyOptionsSchema, type IdleTimeMode, type IdleTimePolicyOptions, type IdleTimeWindow } from "./idle-histogram.js";
export { LifecycleWarmingActuator, type LifecycleWarmingActuatorOptions, type WarmingActuator } from "./actuator.js";
export { PredictiveWarmer, autoOptionsSchema, predictOptionsSchema, type AutoWarmingOptions, type PredictiveWarmerOptions } from "./warmer.js";
export { haversineKm, kMeans, type Cluster, type LatLon } from "./geo.js";
