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
