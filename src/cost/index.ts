/**
 * Multi-cloud cost optimization: a versioned pricing catalog (default: dated sample prices),
 * OpenCost-style cost allocation, spot / commitment / right-sizing / FaaS / scale-to-zero / move
 * recommendations with their arithmetic, strategies, ROI and spend forecasts.
 *
 * @module
 */
export * from "./catalog-schema.js";
export { PricingCatalog, defaultCatalog, loadCatalog, locationKey, type Offer, type OfferTable } from "./catalog.js";
export { DEFAULT_CATALOG_DATE, DEFAULT_CATALOG_INPUT } from "./default-catalog.js";
export { CHANGE_KINDS, MIN_RIGHTSIZING_HOURS, RIGHTSIZING_WINDOW_DAYS, type ChangeKind } from "./candidates.js";
export { STRATEGIES, STRATEGY_RULES, type Strategy, type StrategyRules } from "./strategies.js";
export { TOLERANCES, TOLERANCE_MAX_INTERRUPTION, costFleetSchema, usageSchema, costWorkloadSchema, type InterruptionTolerance, type CostWorkload, type CostWorkloadInput } from "./workload.js";
export { bruteForceSavings, optimize, optimizeOptionsSchema, recommendKind, type OptimizeOptions, type ReportKind } from "./optimizer.js";
export { SECONDS_PER_MONTH, costPerRequest, crossoverRequestRate, faasMonthlyCost, type RequestProfile } from "./faas.js";
export { breakevenUtilisation, commitmentOptionsSchema, commitmentSize, recommendCommitments, unitUtilisation, usageHistorySchema, type UsageHistory } from "./commitments.js";
export { usageFromMonitoring, usageQuerySchema, withMonitoredUsage, type MonitoredEdgeUsage, type UsageQuery } from "./usage.js";
export { calculateRoi, roiInputSchema, roiOfRecommendations, type RoiInput } from "./roi.js";
export { CostLedger, REFERENCE_UNIT_PRICES } from "./ledger.js";
export * from "./ledger-schema.js";
export * from "./schemas.js";
export { forecastOptimizationSchema, forecastSpend, spendForecastInputSchema, spendForecastSchema, type SpendForecast, type SpendForecastInput } from "./spend-forecast.js";
export { CostEngine, costKey, type MonitoredUsage } from "./engine.js";
