/**
 * Streaming anomaly detection. Every detector implements {@link AnomalyDetector}: one sample in, one
 * score in [0, 1] out, no look-ahead. A forecasting engine plugs in later by implementing the same
 * interface (score the residual of its forecast), or through {@link ResidualDetector}.
 *
 * The default, {@link RobustLikelihoodDetector}, is four stages:
 * 1. raw features per sample: robust z-scores against a sliding baseline (median and MAD, so the
 *    anomaly itself does not inflate the scale it is measured with) of the sample (spikes), of the
 *    recent mean (level shifts) and of the distance to the same time on previous days (daily/weekly
 *    seasonality), plus novelty — a value beyond the range seen so far, as Numenta's "spatial
 *    anomaly";
 * 2. an anomaly likelihood per feature in the manner of Numenta's detectors: the short-term average of
 *    the raw score against its own long-term distribution, through the Gaussian tail and a log scale,
 *    so a series that is always noisy stops alarming and a quiet one that twitches does; the score is
 *    the largest of them (novelty scores 1);
 * 3. a second view of the stream, nearest-neighbour conformal scores as in KNN-CAD (see
 *    {@link KnnConformalView}): by default it corroborates, i.e. a score below `knnBypass` only
 *    stands when the last few embeddings were also unlike the past ones, so bursts that recur (a
 *    burst like earlier bursts) stop alarming however far they are from the median;
 * 4. a refractory period after an alarm, because one incident should raise one alarm, not hundreds.
 *
 * The settings of stages 1, 2 and 4 were chosen on the 24 NAB files in `../shared/datasets/nab`;
 * the view and its fusion were chosen among the candidates of `npm run nab` by their
 * leave-one-family-out cross-validated score, which is the figure to expect on unseen files. They fit
 * operational metrics sampled every few minutes; the counts are in samples, so rescale them for much
 * faster or slower series.
 *
 * @module
 */
import { z } from "zod";
import { parseWith } from "../core/validation.js";
import { KnnConformalView } from "./knn-conformal.js";
import { MomentsWindow, SortedWindow } from "./rolling.js";

/** A streaming detector: scores each sample as it arrives, using only the past. */
export interface AnomalyDetector {
  /** Consumes one sample and returns its anomaly score in [0, 1] (1 = certainly anomalous). */
  update(timestamp: number, value: number): number;
}

/** Something that predicts the next value of a series, e.g. a forecasting engine's one-step model. */
export interface OneStepForecaster {
  /** The forecast for `timestamp`, made before its value is seen; `undefined` while warming up. */
  predict(timestamp: number): number | undefined;
  /** Feeds the actual value once it is known. */
  observe(timestamp: number, value: number): void;
}

/** Upper tail of the standard normal distribution, accurate in relative terms far into the tail. */
export function normalTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const erfc =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

/** Configuration of {@link RobustLikelihoodDetector}; counts are in samples. */
export const robustLikelihoodConfigSchema = z.object({
  /** Samples in the baseline the median and MAD come from. */
  baselineWindow: z.number().int().min(8).default(300),
  /** Samples before the first non-zero score. */
  warmup: z.number().int().min(1).default(60),
  /** Samples averaged for the short-term raw score. */
  shortWindow: z.number().int().min(1).default(4),
  /** Samples of raw-score history the likelihood compares against. */
  historyWindow: z.number().int().min(8).default(2000),
  /** Largest robust z-score counted, so one absurd outlier does not dominate the history. */
  maxZ: z.number().positive().default(30),
  /** Score at which an alarm is raised and the refractory period starts. */
  alarmLevel: z.number().gt(0).max(1).default(0.5),
  /** Samples after an alarm during which scores are held at zero. */
  refractory: z.number().int().min(0).default(300),
  /** Samples averaged for the level-shift feature (0 disables it). */
  levelWindow: z.number().int().min(0).default(30),
  /**
   * Days of same-time-of-day history for the seasonal feature (0 disables it). The daily period is
   * inferred from the sample interval, for intervals from a minute to an hour.
   */
  seasonalDays: z.number().int().min(0).max(28).default(7),
  /**
   * A value beyond the range seen so far by more than this fraction of that range scores 1, as
   * Numenta's "spatial anomaly" does (0 disables it).
   */
  noveltyMargin: z.number().min(0).default(0.03),
  /**
   * Values per embedding of the nearest-neighbour conformal view (see {@link KnnConformalView});
   * 0 disables the view.
   */
  knnDimension: z.number().int().min(0).max(64).default(8),
  /** Past embeddings the newest is compared with; the view costs O(knnReference) a sample. */
  knnReference: z.number().int().min(1).max(4096).default(200),
  /** Nearest neighbours averaged into the view's non-conformity. */
  knnNeighbours: z.number().int().min(1).max(64).default(5),
  /** Past non-conformities the view's conformal p-value is ranked among. */
  knnCalibration: z.number().int().min(8).max(10_000).default(400),
  /** Weight of the view's likelihood in the ensemble (its score is multiplied by it before the maximum). */
  knnWeight: z.number().gt(0).max(1).default(0.5),
  /**
   * How the view joins the others: `max` adds its likelihood as one more feature; `corroborate`
   * also holds the other features' score at zero unless the view's p-value fell to `knnGate` or
   * below within the last `knnLookback` samples, so a pattern that recurs (a burst like earlier
   * bursts) does not alarm however far it is from the median. Novelty and scores of at least
   * `knnBypass` are never held: a flatline or a changed daily shape can sit close to past
   * embeddings, and the seasonal feature is what sees them.
   */
  knnFusion: z.enum(["max", "corroborate"]).default("corroborate"),
  /** Conformal p-value at or below which the view corroborates the other features. */
  knnGate: z.number().gt(0).max(1).default(0.1),
  /** Samples a corroborating p-value stays valid. */
  knnLookback: z.number().int().min(1).default(10),
  /** Scores at or above this pass the `corroborate` gate uncorroborated. */
  knnBypass: z.number().gt(0).max(1).default(0.9),
});

export type RobustLikelihoodConfig = z.input<typeof robustLikelihoodConfigSchema>;

/**
 * The default streaming detector (see the module notes).
 *
 * @example
 * ```ts
 * const detector = new RobustLikelihoodDetector();
 * for (const [t, v] of samples) {
 *   const score = detector.update(t, v); // in [0, 1]
 * }
 * ```
 */
export class RobustLikelihoodDetector implements AnomalyDetector {
  private readonly config: z.output<typeof robustLikelihoodConfigSchema>;
  private readonly baseline: SortedWindow;
  private readonly spread: MomentsWindow;
  private readonly short: MomentsWindow;
  private readonly history: MomentsWindow;
  private readonly recent: MomentsWindow;
  private readonly levelShort: MomentsWindow;
  private readonly levelHistory: MomentsWindow;
  private readonly seasonalResiduals: SortedWindow;
  private readonly seasonalShort: MomentsWindow;
  private readonly seasonalHistory: MomentsWindow;
  private readonly knn: KnnConformalView | undefined;
  private readonly knnShort: MomentsWindow;
  private readonly knnHistory: MomentsWindow;
  private readonly firstTimestamps: number[] = [];
  private period = 0;
  private past: Float64Array = new Float64Array(0);
  private seen = 0;
  private lowest = Number.POSITIVE_INFINITY;
  private highest = Number.NEGATIVE_INFINITY;
  private sinceAlarm = Number.POSITIVE_INFINITY;
  private sinceUnlike = Number.POSITIVE_INFINITY;

  constructor(config: RobustLikelihoodConfig = {}) {
    this.config = parseWith(robustLikelihoodConfigSchema, config, "config");
    this.baseline = new SortedWindow(this.config.baselineWindow);
    this.spread = new MomentsWindow(this.config.baselineWindow);
    this.short = new MomentsWindow(this.config.shortWindow);
    this.history = new MomentsWindow(this.config.historyWindow);
    this.recent = new MomentsWindow(Math.max(1, this.config.levelWindow));
    this.levelShort = new MomentsWindow(this.config.shortWindow);
    this.levelHistory = new MomentsWindow(this.config.historyWindow);
    this.seasonalResiduals = new SortedWindow(this.config.baselineWindow);
    this.seasonalShort = new MomentsWindow(this.config.shortWindow);
    this.seasonalHistory = new MomentsWindow(this.config.historyWindow);
    const { knnDimension, knnReference, knnNeighbours, knnCalibration } = this.config;
    this.knn =
      knnDimension > 0
        ? new KnnConformalView({ dimension: knnDimension, reference: knnReference, neighbours: knnNeighbours, calibration: knnCalibration })
        : undefined;
    this.knnShort = new MomentsWindow(this.config.shortWindow);
    this.knnHistory = new MomentsWindow(this.config.historyWindow);
  }

  /** Infers the daily period (in samples) from the first intervals; 0 when not applicable. */
  private learnPeriod(timestamp: number): void {
    if (this.period !== 0 || this.config.seasonalDays === 0) return;
    this.firstTimestamps.push(timestamp);
    if (this.firstTimestamps.length < 16) return;
    const gaps = this.firstTimestamps.slice(1).map((t, i) => t - (this.firstTimestamps[i] as number)).sort((a, b) => a - b);
    const interval = gaps[gaps.length >> 1] as number;
    // Sub-minute sampling would need too long a history (1,440 samples a day at most).
    this.period = interval >= 60_000 && interval <= 3_600_000 ? Math.round(86_400_000 / interval) : -1;
    if (this.period > 0) this.past = new Float64Array(this.period * this.config.seasonalDays).fill(Number.NaN);
  }

  /**
   * Robust z-score of the distance to the nearest same-time value of the previous days. Days are
   * counted in samples, so the feature assumes regular sampling (a gap shifts its alignment).
   */
  private seasonalRaw(value: number): number | undefined {
    if (this.period <= 0) return undefined;
    const days = this.config.seasonalDays;
    const size = this.past.length;
    const same: number[] = [];
    for (let d = 1; d <= days; d++) {
      const v = this.past[(this.seen - d * this.period + size * days) % size] as number;
      if (!Number.isNaN(v)) same.push(v);
    }
    this.past[this.seen % size] = value;
    this.seen++;
    if (same.length < 2) return undefined;
    // Distance to the nearest same-time value of the past days: a weekend matches last weekend, so
    // weekly patterns do not read as anomalies.
    let residual = Number.POSITIVE_INFINITY;
    for (const v of same) residual = Math.min(residual, Math.abs(value - v));
    const window = this.seasonalResiduals;
    let raw: number | undefined;
    if (window.length >= this.config.warmup) {
      const median = window.median();
      const scale = Math.max(window.mad(median) * 1.4826, 1e-3 * Math.abs(value), 1e-9);
      raw = Math.min(this.config.maxZ, Math.abs(residual - median) / scale);
    }
    window.push(residual);
    return raw;
  }

  private scale(median: number): number {
    const mad = this.baseline.mad(median) * 1.4826;
    // A flat baseline has MAD 0: fall back on a fraction of the ordinary spread, then of the level.
    return Math.max(mad, 0.1 * this.spread.stddev(), 1e-3 * Math.abs(median), 1e-9);
  }

  /** Gaussian-tail likelihood of the short-term mean of a raw score against its own history, log-scaled. */
  private likelihood(short: MomentsWindow, history: MomentsWindow, raw: number): number {
    short.push(raw);
    let score = 0;
    if (history.length >= this.config.warmup) {
      const sigma = Math.max(history.stddev(), 0.05);
      const tail = normalTail((short.mean() - history.mean()) / sigma);
      score = Math.min(1, Math.max(0, Math.log(tail + 1e-10) / Math.log(1e-10)));
    }
    history.push(raw);
    return score;
  }

  update(timestamp: number, value: number): number {
    if (!Number.isFinite(value)) return 0;
    this.learnPeriod(timestamp);
    const seasonalRaw = this.seasonalRaw(value);
    const knnP = this.knn?.update(value);
    const warm = this.baseline.length >= this.config.warmup;
    let pointRaw = 0;
    let levelRaw = 0;
    this.recent.push(value);
    if (warm) {
      const median = this.baseline.median();
      const scale = this.scale(median);
      pointRaw = Math.min(this.config.maxZ, Math.abs(value - median) / scale);
      levelRaw = Math.min(this.config.maxZ, Math.abs(this.recent.mean() - median) / scale);
    }
    const margin = this.config.noveltyMargin * (this.highest - this.lowest);
    const novel = this.config.noveltyMargin > 0 && margin > 0 && (value > this.highest + margin || value < this.lowest - margin);
    if (value < this.lowest) this.lowest = value;
    if (value > this.highest) this.highest = value;
    this.baseline.push(value);
    this.spread.push(value);
    if (!warm) return 0;
    let score = this.likelihood(this.short, this.history, pointRaw);
    if (this.config.levelWindow > 0) score = Math.max(score, this.likelihood(this.levelShort, this.levelHistory, levelRaw));
    if (seasonalRaw !== undefined) score = Math.max(score, this.likelihood(this.seasonalShort, this.seasonalHistory, seasonalRaw));
    if (knnP !== undefined) {
      this.sinceUnlike = knnP <= this.config.knnGate ? 0 : this.sinceUnlike + 1;
      const held = this.config.knnFusion === "corroborate" && this.sinceUnlike >= this.config.knnLookback && score < this.config.knnBypass;
      if (held) score = 0;
      // -log10 of a conformal p-value: exponential with mean 1/ln 10 on ordinary samples, so the
      // likelihood stage calibrates it like the other features.
      score = Math.max(score, this.config.knnWeight * this.likelihood(this.knnShort, this.knnHistory, -Math.log10(knnP)));
    }
    if (novel) score = 1;
    this.sinceAlarm++;
    if (this.sinceAlarm <= this.config.refractory) return 0;
    if (score >= this.config.alarmLevel) this.sinceAlarm = 0;
    return score;
  }
}

/**
 * Scores the residuals of a one-step forecaster with a robust-likelihood detector: where the
 * forecasting engine plugs in.
 */
export class ResidualDetector implements AnomalyDetector {
  private readonly inner: AnomalyDetector;

  constructor(
    private readonly forecaster: OneStepForecaster,
    inner?: AnomalyDetector,
  ) {
    this.inner = inner ?? new RobustLikelihoodDetector();
  }

  update(timestamp: number, value: number): number {
    const forecast = this.forecaster.predict(timestamp);
    this.forecaster.observe(timestamp, value);
    return forecast === undefined ? 0 : this.inner.update(timestamp, value - forecast);
  }
}

/** Runs a detector over a whole series, returning one score per sample. */
export function scoreSeries(detector: AnomalyDetector, timestamps: ArrayLike<number>, values: ArrayLike<number>): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = detector.update(timestamps[i] as number, values[i] as number);
  return out;
}
