/**
 * Errors of the forecasting engine.
 *
 * @module
 */
import { EdgeflowError } from "../core/errors.js";

/** {@link Forecaster.predict} was called before a successful fit. */
export class NotFittedError extends EdgeflowError {
  constructor(model: string) {
    super("forecast.not_fitted", `forecaster "${model}" has not been fitted yet`);
  }
}

/** A model could not be fitted or produced no usable forecast, and no fallback was allowed. */
export class ForecastFailedError extends EdgeflowError {
  constructor(model: string, reason: string, options?: { cause?: unknown }) {
    super("forecast.failed", `forecaster "${model}" failed: ${reason}`, options);
  }
}
