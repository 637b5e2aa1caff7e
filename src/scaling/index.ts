/**
 * Scaling: Knative's KPA and Kubernetes' HPA, predictive and scheduled scaling, hybrid, presets,
 * decisions and their evaluation, and adapters of the scalers to the warming engine's policy replay.
 *
 * @module
 */
export * from "./schemas.js";
export * from "./kpa.js";
export * from "./hpa.js";
export * from "./predictive.js";
export * from "./scheduled.js";
export * from "./presets.js";
export * from "./decisions.js";
export * from "./replay-policies.js";
export {
  RESOURCE_SCALER,
  ResourceScaler,
  scalerConfigSchema,
  usageRecordSchema as scalingUsageRecordSchema,
  type ScalerConfig,
  type ScalerConfigInput,
  type ScalerEvents,
  type UsageRecordInput as ScalingUsageRecordInput,
} from "./scaler.js";
