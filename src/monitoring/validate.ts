/**
 * Checks shared by the monitoring functions that take raw series: the arrays a caller hands in are
 * checked once at the boundary, so the numeric code behind them never sees a `NaN` or a string.
 *
 * @module
 * @internal
 */
import { ValidationError, type ValidationIssue } from "../core/errors.js";

function isArrayLike(value: unknown): value is ArrayLike<unknown> {
  return Array.isArray(value) || ArrayBuffer.isView(value) || (typeof value === "object" && value !== null && typeof (value as { length?: unknown }).length === "number");
}

/** Throws a {@link ValidationError} unless `values` is an array of finite numbers; names the first bad element. */
export function requireFiniteArray(values: unknown, path: string): asserts values is ArrayLike<number> {
  if (!isArrayLike(values)) throw ValidationError.of(path, "must be an array of numbers", "invalid_type");
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== "number" || !Number.isFinite(v)) throw ValidationError.of(`${path}[${i}]`, `must be a finite number, got ${typeof v === "number" ? String(v) : typeof v}`, "not_finite");
  }
}

/** Throws unless `timestamps` and `values` are finite number arrays of the same length. */
export function requireSeriesArrays(timestamps: unknown, values: unknown): asserts timestamps is ArrayLike<number> {
  requireFiniteArray(timestamps, "timestamps");
  requireFiniteArray(values, "values");
  if ((timestamps as ArrayLike<number>).length !== (values as ArrayLike<number>).length) {
    const issue: ValidationIssue = { path: "values", message: `must have as many elements as timestamps (${(timestamps as ArrayLike<number>).length}), got ${(values as ArrayLike<number>).length}`, code: "length_mismatch" };
    throw new ValidationError([issue]);
  }
}
