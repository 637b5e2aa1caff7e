/**
 * Statistics the analytics need and simple-statistics lacks: Student's t tail (for the significance
 * of a regression slope) and moving averages.
 *
 * @module
 */
import { requireNumber } from "../core/validation.js";
import { requireFiniteArray, requireSeriesArrays } from "./validate.js";
import { linearRegression } from "simple-statistics";

/** Continued fraction of the regularised incomplete beta function (Lentz's method). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-14) break;
  }
  return h;
}

/** ln Γ(x), Lanczos approximation. */
function logGamma(x: number): number {
  const g = [76.18009172947146, -86.50532032941678, 24.01409824083091, -1.231739572450155, 0.00120865097386618, -0.000005395239384953];
  let y = x;
  const tmp = x + 5.5 - (x + 0.5) * Math.log(x + 5.5);
  let ser = 1.00000000019001;
  for (const coefficient of g) ser += coefficient / ++y;
  return -tmp + Math.log((2.5066282746310002 * ser) / x);
}

/** Regularised incomplete beta I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  requireNumber(x, "x");
  requireNumber(a, "a", { greaterThan: 0 });
  requireNumber(b, "b", { greaterThan: 0 });
  return incompleteBetaChecked(x, a, b);
}

function incompleteBetaChecked(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaContinuedFraction(a, b, x)) / a : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** Two-sided p-value of Student's t statistic with `df` degrees of freedom. */
export function studentTTwoSided(t: number, df: number): number {
  // An infinite statistic is legitimate (a perfect fit): its p-value is 0. NaN is not.
  if (typeof t !== "number" || Number.isNaN(t)) requireNumber(t, "t");
  requireNumber(df, "df", { greaterThan: 0 });
  return studentTChecked(t, df);
}

function studentTChecked(t: number, df: number): number {
  if (!Number.isFinite(t)) return 0;
  return incompleteBetaChecked(df / (df + t * t), df / 2, 0.5);
}

/** A least-squares trend with its significance. */
export interface Trend {
  readonly n: number;
  /** Change per hour, in the metric's unit. */
  readonly slopePerHour: number;
  readonly intercept: number;
  /** Coefficient of determination. */
  readonly r2: number;
  /** Two-sided p-value of the t-test of slope = 0 (1 when undefined, e.g. fewer than 3 samples). */
  readonly pValue: number;
  readonly direction: "increasing" | "decreasing" | "flat";
}

/** Least-squares trend of values over time (ms), significant when `pValue < alpha`. */
export function linearTrend(timestamps: ArrayLike<number>, values: ArrayLike<number>, alpha = 0.05): Trend {
  requireSeriesArrays(timestamps, values);
  requireNumber(alpha, "alpha", { greaterThan: 0, max: 1 });
  const n = values.length;
  if (n < 3) return { n, slopePerHour: 0, intercept: n > 0 ? (values[0] as number) : Number.NaN, r2: 0, pValue: 1, direction: "flat" };
  const t0 = timestamps[0] as number;
  const points: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) points.push([((timestamps[i] as number) - t0) / 3_600_000, values[i] as number]);
  const { m, b } = linearRegression(points);
  let sxx = 0;
  let sse = 0;
  let sst = 0;
  let meanX = 0;
  let meanY = 0;
  for (const [x, y] of points) {
    meanX += x / n;
    meanY += y / n;
  }
  for (const [x, y] of points) {
    sxx += (x - meanX) ** 2;
    sse += (y - (m * x + b)) ** 2;
    sst += (y - meanY) ** 2;
  }
  const df = n - 2;
  const se = Math.sqrt(sse / df / sxx);
  let pValue: number;
  if (sxx === 0 || !Number.isFinite(m)) pValue = 1;
  else if (se === 0) pValue = m === 0 ? 1 : 0;
  else pValue = studentTChecked(m / se, df);
  const r2 = sst === 0 ? 0 : Math.max(0, 1 - sse / sst);
  const slope = Number.isFinite(m) ? m : 0;
  return { n, slopePerHour: slope, intercept: b, r2, pValue, direction: pValue < alpha && slope !== 0 ? (slope > 0 ? "increasing" : "decreasing") : "flat" };
}

/** Simple moving average: element i averages the last `window` values up to i (fewer at the start). */
export function simpleMovingAverage(values: ArrayLike<number>, window: number): number[] {
  requireFiniteArray(values, "values");
  requireNumber(window, "window", { integer: true, min: 1 });
  const out: number[] = [];
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i] as number;
    if (i >= window) sum -= values[i - window] as number;
    out.push(sum / Math.min(i + 1, window));
  }
  return out;
}

/** Exponential moving average with smoothing factor `alpha` in (0, 1], seeded with the first value. */
export function exponentialMovingAverage(values: ArrayLike<number>, alpha: number): number[] {
  requireFiniteArray(values, "values");
  requireNumber(alpha, "alpha", { greaterThan: 0, max: 1 });
  const out: number[] = [];
  let level = Number.NaN;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    level = i === 0 ? v : alpha * v + (1 - alpha) * level;
    out.push(level);
  }
  return out;
}
