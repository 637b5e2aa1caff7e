/**
 * Forecasting: naive, seasonal-naive, linear trend and Holt-Winters forecasters, automatic model
 * choice by rolling-origin backtest, and accuracy metrics. The worker-backed ARIMA forecaster lives in
 * `./arima.js` and is not loaded from here, so importing this module never starts a worker.
 *
 * @module
 */
export * from "./types.js";
export { NotFittedError, ForecastFailedError } from "./errors.js";
export { NaiveForecaster, SeasonalNaiveForecaster, seasonalNaiveForecast } from "./seasonal-naive.js";
export { LinearTrendForecaster, type LinearTrendOptions } from "./linear-trend.js";
export { HoltWintersForecaster, type HoltWintersOptions, type HoltWintersParameters } from "./holt-winters.js";
export { EnsembleForecaster } from "./ensemble.js";
export { AutoForecaster, defaultCandidates, type AutoForecasterOptions } from "./auto.js";
export { backtest, backtestOrigins, backtestOptionsSchema, type BacktestOptions, type BacktestResult, type ForecasterFactory, type OriginScore } from "./backtest.js";
export { accuracy, intervalCoverage, mae, mase, pinball, rmse, seasonalNaiveScale, smape, wape, type AccuracyReport } from "./metrics.js";
