/**
 * Edge monitoring and analytics: metric store with roll-ups and DDSketch quantiles, Prometheus-style
 * alerting, health on read, trends, change points, streaming anomaly detection, recommendations,
 * Prometheus and JSON export, and NAB scoring for detectors.
 *
 * @module
 */
export { AlertManager, DEFAULT_ALERT_RULES, alertRuleSchema, classify, type AlertRuleInput, type Observation } from "./alerts.js";
export { analyseSeries, analyticsOptionsSchema, changePointOptionsSchema, detectChangePoints, type AnalyticsOptions, type ChangePoint, type ChangePointOptions, type SeriesAnalytics } from "./analytics.js";
export {
  DEFAULT_DETECTOR_VIEWS,
  DETECTOR_VIEWS,
  RobustLikelihoodDetector,
  ResidualDetector,
  normalTail,
  robustLikelihoodConfigSchema,
  scoreSeries,
  type AnomalyDetector,
  type DetectorViewName,
  type OneStepForecaster,
  type RobustLikelihoodConfig,
} from "./anomaly.js";
export { KnnConformalView, knnConformalOptionsSchema, type KnnConformalOptions } from "./knn-conformal.js";
export { SpectralResidualView, spectralResidualOptionsSchema, type SpectralResidualOptions } from "./spectral-residual.js";
export { ForecastResidualView, forecastViewOptionsSchema, type ForecastViewOptions } from "./forecast-view.js";
export { ANSCOMBE_POISSON_SPREAD, anscombe, looksLikeCounts } from "./count-scale.js";
export { ContextOseDetector, ContextOseView, contextOseOptionsSchema, contextOseViewOptionsSchema, type ContextOseOptions, type ContextOseViewOptions } from "./context-ose.js";
export { ArtimeDetector, ArtimeView, artimeOptionsSchema, type ArtimeOptions } from "./artime.js";
export {
  DEFAULT_ANOMALY_DETECTOR,
  DETECTOR_ALGORITHMS,
  anomalyDetectorConfigSchema,
  createAnomalyDetector,
  detectorFrom,
  type AnomalyDetectorConfig,
  type DetectorAlgorithm,
} from "./detector-choice.js";
export { MonitoringEngine, analyticsRequestSchema, monitoringConfigSchema, monitoringKey, type AnalyticsRequest, type MonitoringConfig, type MonitoringSummary } from "./engine.js";
export { edgeHealth } from "./health.js";
export { BUILTIN_METRIC_TYPES, MetricTypeRegistry, metricTypeDefinitionSchema } from "./metric-types.js";
export {
  NAB_PROBATION_PERCENT,
  NAB_PROFILES,
  probationaryLength,
  scaledSigmoid,
  scoreByThreshold,
  scoreNab,
  scoreProfile,
  sweepScores,
  windowsToRows,
  type NabFileResult,
  type NabProfile,
  type NabProfileName,
  type NabProfileScore,
  type NabThresholdScore,
} from "./nab-scorer.js";
export { recommend, type Recommendation, type RecommendationAction } from "./recommendations.js";
export { ROLLUP_TIERS, type RollupTier } from "./series.js";
export { exponentialMovingAverage, linearTrend, simpleMovingAverage, studentTTwoSided, type Trend } from "./stats.js";
export {
  MetricStore,
  metricStoreConfigSchema,
  queryInputSchema,
  recordInputSchema,
  type MetricStoreConfig,
  type QueryInput,
  type RecordInput,
  type SeriesHandle,
  type SeriesStats,
} from "./store.js";
export * from "./types.js";
