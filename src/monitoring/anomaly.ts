/**
 * Streaming anomaly detection. Every detector implements {@link AnomalyDetector}: one sample in, one
 * score in [0, 1] out, no look-ahead. A forecasting engine plugs in later by implementing the same
 * interface (score the residual of its forecast), or through {@link ResidualDetector}.
 *
 * The default, {@link RobustLikelihoodDetector}, is four stages:
 * 1. raw features per sample, each a "view" that can be switched on or off (`views`): robust
 *    z-scores against a sliding baseline (median and MAD, so the anomaly itself does not inflate the
 *    scale it is measured with) of the sample (`point`, spikes), of the recent mean (`level`, level
 *    shifts) and of the distance to the same time on previous days (`seasonal`, daily/weekly
 *    seasonality, counted only while the series is daily-seasonal, see {@link SeasonalGate}); on
 *    count series the point and level scores are taken on the Anscombe scale, a Poisson tail test (`count`, see `count-scale.ts`); the spectral-residual saliency of Ren et al.
 *    (`spectral`, see {@link SpectralResidualView}); the one-step residual of the forecasting
 *    engine's Holt-Winters model, fitted on the warm-up and stepped online (`forecast`, see
 *    {@link ForecastResidualView}); plus novelty — a value beyond the range seen so far, as
 *    Numenta's "spatial anomaly";
 * 2. an anomaly likelihood per feature in the manner of Numenta's detectors: the short-term average of
 *    the raw score against its own long-term distribution, through the Gaussian tail and a log scale,
 *    so a series that is always noisy stops alarming and a quiet one that twitches does; the score is
 *    the largest of them (novelty scores 1);
 * 3. nearest-neighbour conformal scores as in KNN-CAD (`knn`, see {@link KnnConformalView}): by
 *    default they corroborate, i.e. a score below `knnBypass` only stands when the last few
 *    embeddings were also unlike the past ones, so bursts that recur stop alarming however far they
 *    are from the median;
 * 4. an alarm when the score reaches `alarmLevel` and ranks among the top `alarmRarity` (0.5 %) of
 *    the series' own recent scores (see {@link ScoreRank}), then a refractory period, because one
 *    incident should raise one alarm, not hundreds. The rank test is what makes a score mean the
 *    same on every series, which matters because NAB sweeps one threshold over all files: on a
 *    bursty count series the likelihood reaches the alarm level every few hours and those alarms
 *    are demoted to `commonAlarmScore`, on a quiet one the first such score is an alarm. Novel
 *    values skip the test. By default an alarm scores 1, a demoted one 0.25 and everything else
 *    below 0.5, so the detector's own alarm decision is what any threshold near 0.5 reports.
 *
 * Spans of time (warm-up, refractory period, level window) are counted in samples at a 5-minute
 * reference interval and rescaled to the interval the series is sampled at, learned from its first
 * samples; windows that estimate statistics (baseline, likelihood history) stay in samples, because
 * their precision depends on how many samples they hold. The views, the alarm level and the
 * time-scaling were chosen by leave-one-family-out cross-validation on the 24 NAB files in
 * `../shared/datasets/nab` (`npm run nab`, which prints the in-sample and the cross-validated
 * scores); the rarity test (0.5 % of 4,000 scores) by leave-one-family-out over those files pooled
 * with the seeded stand-ins of `synthetic-families.ts`, where 0.25 % and 1 % both cross-validated
 * worse; the seasonal slots' alignment (by time) and the seasonal gate's threshold (0.9, the middle
 * of the plateau 0.85 to 1) by the same pooled leave-one-family-out over alignment × gate, where
 * time-aligned slots led sample-counted ones on each of 11 stand-in seeds (by 0.1 to 2.3, all of
 * it on the gapped traffic stand-ins) and matched them on the NAB files alone; the baseline and
 * likelihood settings are older and were tuned on the same files.
 *
 * @module
 */
import { z } from "zod";
import { parseWith } from "../core/validation.js";
import { ArtimeView } from "./artime.js";
import { ContextOseView } from "./context-ose.js";
import { ForecastResidualView } from "./forecast-view.js";
import { ANSCOMBE_POISSON_SPREAD, anscombe, looksLikeCounts } from "./count-scale.js";
import { KnnConformalView } from "./knn-conformal.js";
import { MomentsWindow, SortedWindow } from "./rolling.js";
import { ScoreRank } from "./score-rank.js";
import { SeasonalGate } from "./seasonal-gate.js";
import { SpectralResidualView } from "./spectral-residual.js";

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

/**
 * The views the detector can combine, each a raw feature calibrated by the likelihood stage:
 * `point` (robust z of the sample), `level` (of the recent mean), `seasonal` (of the distance to the
 * same time on previous days), `spectral` (spectral-residual saliency, {@link SpectralResidualView}),
 * `count` (point and level measured on the Anscombe scale when the series is counts, see
 * `count-scale.ts`), `knn` (nearest-neighbour conformal corroboration, {@link KnnConformalView}) and
 * `context` (the raw score of contextual anomaly detection after CAD OSE, {@link ContextOseView}) and
 * `artime` (the anomaly decisions of ARTime's adaptive-resonance view, {@link ArtimeView}, weighted by
 * `artimeWeight`, past the kNN gate as novelty is; off: leave-one-family-out on the NAB files gave
 * 55.7 at weight 1 and 66.6 at 0.6, against 67.2 without it) and `forecast` (the one-step residual
 * of the forecasting engine's Holt-Winters model run online, {@link ForecastResidualView}, weighted
 * by `forecastWeight`).
 */
export const DETECTOR_VIEWS = Object.freeze(["point", "level", "seasonal", "spectral", "count", "knn", "context", "artime", "forecast"] as const);

export type DetectorViewName = (typeof DETECTOR_VIEWS)[number];

/** The default view list, chosen by leave-one-family-out cross-validation (`npm run nab`). */
export const DEFAULT_DETECTOR_VIEWS: readonly DetectorViewName[] = Object.freeze(["point", "level", "seasonal", "count", "knn"]);

const DAY_MS = 86_400_000;

/** Samples whose median gap sets the sampling interval; the detector scores nothing before them. */
const INTERVAL_SAMPLES = 16;

/**
 * Configuration of {@link RobustLikelihoodDetector}. Counts marked "time-scaled" are samples at
 * `referenceInterval`: with `timeScale: "interval"` (the default) they are converted to the
 * series' own sampling interval, learned from its first samples, so a setting means the same span of
 * time on a series sampled every minute and one sampled every hour. Cross-validation kept the
 * statistics windows in samples: rescaling the baseline to a day of hourly samples (25 of them)
 * cost the hourly and half-hourly folds 25 to 85 points.
 */
export const robustLikelihoodConfigSchema = z.object({
  /** Which views are combined (see {@link DETECTOR_VIEWS}). */
  views: z.array(z.enum(DETECTOR_VIEWS)).default([...DEFAULT_DETECTOR_VIEWS]),
  /**
   * `interval`: time-scaled counts are rescaled by `referenceInterval` / the learned interval
   * (between ×1/64 and ×4, and not at all for intervals under a second, which are taken as sample
   * indices rather than time); `samples`: counts are used as given.
   */
  timeScale: z.enum(["interval", "samples"]).default("interval"),
  /** Sampling interval (ms) the time-scaled counts are written for. */
  referenceInterval: z.number().positive().default(300_000),
  /** Samples in the baseline the median and MAD come from. */
  baselineWindow: z.number().int().min(8).default(300),
  /** Samples before the first non-zero score (time-scaled, at least 16). */
  warmup: z.number().int().min(1).default(60),
  /** Samples averaged for the short-term raw score. */
  shortWindow: z.number().int().min(1).default(4),
  /** Samples of raw-score history the likelihood compares against. */
  historyWindow: z.number().int().min(8).default(2000),
  /** Largest robust z-score counted, so one absurd outlier does not dominate the history. */
  maxZ: z.number().positive().default(30),
  /** Ensemble score at which an alarm is raised and the refractory period starts. */
  alarmLevel: z.number().gt(0).max(1).default(0.55),
  /**
   * `alarm`: a sample that raises an alarm scores 1 and any other scores below 0.5 (its ensemble
   * score scaled by 0.5 / `alarmLevel`), so every threshold above 0.5 picks exactly the alarms: the
   * decision that also starts the refractory period is the detector's own, not a threshold chosen
   * afterwards on other data, which proved fragile under cross-validation. `score`: the ensemble
   * score as it is.
   */
  output: z.enum(["alarm", "score"]).default("alarm"),
  /**
   * An alarm also needs its ensemble score to rank among the top `alarmRarity` of the series' last
   * `rankWindow` ensemble scores (0 disables the test): a series whose scores reach the alarm level
   * every few hours alarms less, so a score means about as much on a bursty series as on a quiet one.
   */
  alarmRarity: z.number().min(0).max(1).default(0.005),
  /** Ensemble scores the rank is taken among (see `alarmRarity`). */
  rankWindow: z.number().int().min(16).default(4000),
  /**
   * Output of an alarm that `alarmRarity` finds common: with `output: "alarm"` it still starts the
   * refractory period and scores this (between the ordinary scores, below 0.5, and the rare alarms,
   * 1), so a threshold swept over many series can take or leave the common ones; 0 demotes them to
   * ordinary scores instead.
   */
  commonAlarmScore: z.number().min(0).max(1).default(0.25),
  /** Samples after an alarm during which scores are held at zero (time-scaled). */
  refractory: z.number().int().min(0).default(300),
  /** Samples averaged for the level-shift feature (time-scaled; 0 disables it). */
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
   * Robust z-score (of the point feature) a novel value must also reach to score 1: on pure noise
   * new extremes keep arriving, rarer and rarer, and each is only a few spreads from the median.
   */
  noveltyMinZ: z.number().min(0).default(0),
  /**
   * How the seasonal feature finds "the same time on previous days": `time` by the timestamp's slot
   * of the day, so a gap in the sampling does not shift every later comparison; `samples` by
   * counting a day's worth of samples back. A day is a span of time, and on series with gaps in
   * their sampling (NAB's traffic family) counting samples compares with the wrong time of day;
   * on regularly sampled series the two agree.
   */
  seasonalAlign: z.enum(["time", "samples"]).default("time"),
  /**
   * The seasonal view counts only while the series is daily-seasonal right now: while the running
   * mean distance to the same time on previous days is below this fraction of the distance to half
   * a day off (see {@link SeasonalGate}); 0 disables the gate.
   */
  seasonalGate: z.number().min(0).default(0.9),
  /** Length of the spectral-residual window, in samples (see {@link SpectralResidualView}). */
  spectralWindow: z.number().int().min(16).max(1024).default(64),
  /** Weight of the spectral view's likelihood in the ensemble. */
  spectralWeight: z.number().gt(0).max(1).default(1),
  /** Weight of the ARTime view's score in the ensemble. */
  artimeWeight: z.number().gt(0).max(1).default(1),
  /** Weight of the contextual view's likelihood in the ensemble. */
  contextWeight: z.number().gt(0).max(1).default(1),
  /** Weight of the forecast view's likelihood in the ensemble. */
  forecastWeight: z.number().gt(0).max(1).default(1),
  /**
   * Samples between refits of the forecast view's model (time-scaled; 0: fitted on the warm-up and
   * once more when two days are held, then never); a refit costs a few hundred recursion runs over
   * the last 3 days. Refitting weekly cross-validated better than never and than daily, since a
   * refit moves the residuals' scale.
   */
  forecastRefit: z.number().int().min(0).default(2016),
  /**
   * Values per embedding of the nearest-neighbour conformal view (see {@link KnnConformalView});
   * 0 disables the view.
   */
  knnDimension: z.number().int().min(0).max(64).default(8),
  /**
   * Past embeddings the newest is compared with; the view costs O(knnReference) a sample. 100 and
   * 200 cross-validate the same on NAB, at half the cost.
   */
  knnReference: z.number().int().min(1).max(4096).default(100),
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
type ParsedConfig = z.output<typeof robustLikelihoodConfigSchema>;

/** Window sizes in samples once the sampling interval is known. */
interface Sizes {
  readonly baseline: number;
  readonly warmup: number;
  readonly short: number;
  readonly history: number;
  readonly refractory: number;
  readonly level: number;
  /** Samples per day for the seasonal feature; 0 = no seasonal feature. */
  readonly period: number;
  /** Samples per day when the series is sampled between a minute and an hour, else 0. */
  readonly daily: number;
  readonly forecastRefit: number;
}

/** Median gap of the first timestamps; 0 when they do not advance. */
function medianGap(timestamps: readonly number[]): number {
  const gaps = timestamps.slice(1).map((t, i) => t - (timestamps[i] as number)).sort((a, b) => a - b);
  return gaps.length === 0 ? 0 : (gaps[gaps.length >> 1] as number);
}

function sizesFor(config: ParsedConfig, interval: number): Sizes {
  // Below a second the stamps are more likely sample indices than milliseconds: no rescaling.
  const factor = config.timeScale === "interval" && interval >= 1000 ? Math.min(4, Math.max(1 / 64, config.referenceInterval / interval)) : 1;
  const scaled = (count: number, floor: number) => Math.max(floor, Math.round(count * factor));
  // Sub-minute sampling would need too long a history (1,440 samples a day at most).
  const daily = interval >= 60_000 && interval <= 3_600_000 ? Math.round(DAY_MS / interval) : 0;
  const seasonal = config.seasonalDays > 0 && config.views.includes("seasonal");
  return {
    baseline: config.baselineWindow,
    warmup: scaled(config.warmup, config.timeScale === "interval" ? INTERVAL_SAMPLES : 1),
    short: config.shortWindow,
    history: config.historyWindow,
    refractory: scaled(config.refractory, 0),
    level: config.levelWindow > 0 && config.views.includes("level") ? scaled(config.levelWindow, 1) : 0,
    period: seasonal ? daily : 0,
    daily,
    forecastRefit: scaled(config.forecastRefit, 0),
  };
}

/** A raw feature's short-term mean against its own history, as Numenta's anomaly likelihood. */
class Likelihood {
  private readonly short: MomentsWindow;
  private readonly history: MomentsWindow;

  constructor(
    shortSize: number,
    historySize: number,
    private readonly warmup: number,
  ) {
    this.short = new MomentsWindow(shortSize);
    this.history = new MomentsWindow(historySize);
  }

  /** Gaussian-tail likelihood of the short-term mean of a raw score against its history, log-scaled. */
  score(raw: number): number {
    this.short.push(raw);
    let score = 0;
    if (this.history.length >= this.warmup) {
      const sigma = Math.max(this.history.stddev(), 0.05);
      const tail = normalTail((this.short.mean() - this.history.mean()) / sigma);
      score = Math.min(1, Math.max(0, Math.log(tail + 1e-10) / Math.log(1e-10)));
    }
    this.history.push(raw);
    return score;
  }
}

/** Samples between recomputations of the baseline's MAD, which moves slowly and costs O(window). */
const MAD_REFRESH = 1;

/** Everything that depends on the sampling interval, built once it is known. */
class Features {
  readonly baseline: SortedWindow;
  readonly spread: MomentsWindow;
  readonly recent: MomentsWindow;
  readonly point: Likelihood;
  readonly level: Likelihood;
  readonly seasonal: Likelihood;
  readonly spectral: Likelihood;
  readonly knn: Likelihood;
  readonly context: Likelihood;
  readonly forecast: Likelihood;
  readonly seasonalResiduals: SortedWindow;
  readonly seasonalGate: SeasonalGate;
  readonly past: Float64Array;
  readonly rank: ScoreRank;
  /** Slot (day × period + slot of the day) each `past` entry was stored for, for `time` alignment. */
  readonly pastSlot: Float64Array;
  mad = 0;
  sinceMad = MAD_REFRESH;

  constructor(
    readonly sizes: Sizes,
    seasonalDays: number,
    rankWindow: number,
  ) {
    const likelihood = () => new Likelihood(sizes.short, sizes.history, sizes.warmup);
    this.baseline = new SortedWindow(sizes.baseline);
    this.spread = new MomentsWindow(sizes.baseline);
    this.recent = new MomentsWindow(Math.max(1, sizes.level));
    this.point = likelihood();
    this.level = likelihood();
    this.seasonal = likelihood();
    this.spectral = likelihood();
    this.knn = likelihood();
    this.context = likelihood();
    this.forecast = likelihood();
    this.seasonalResiduals = new SortedWindow(sizes.baseline);
    // The gate remembers as many days as the seasonal view compares with, and opens after one.
    this.seasonalGate = new SeasonalGate(Math.max(1, seasonalDays * sizes.period), Math.max(1, sizes.period));
    this.past = new Float64Array(sizes.period * seasonalDays).fill(Number.NaN);
    this.rank = new ScoreRank(rankWindow);
    this.pastSlot = new Float64Array(sizes.period * seasonalDays).fill(Number.NaN);
  }
}

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
  private readonly config: ParsedConfig;
  private readonly pointView: boolean;
  private readonly countView: boolean;
  private readonly knnView: KnnConformalView | undefined;
  private readonly spectralView: SpectralResidualView | undefined;
  private readonly contextView: ContextOseView | undefined;
  private readonly artimeView: ArtimeView | undefined;
  /** Built with the features, since its season is a day of samples at the learned interval. */
  private forecastView: ForecastResidualView | undefined;
  private features: Features | undefined;
  private readonly pendingTimestamps: number[] = [];
  private readonly pendingValues: number[] = [];
  private counts = false;
  private seen = 0;
  private lowest = Number.POSITIVE_INFINITY;
  private highest = Number.NEGATIVE_INFINITY;
  private sinceAlarm = Number.POSITIVE_INFINITY;
  private sinceUnlike = Number.POSITIVE_INFINITY;
  private dailyFound = 0;
  private halfDayDistance = 0;

  constructor(config: RobustLikelihoodConfig = {}) {
    this.config = parseWith(robustLikelihoodConfigSchema, config, "config");
    const views = new Set(this.config.views);
    this.pointView = views.has("point");
    this.countView = views.has("count");
    const { knnDimension, knnReference, knnNeighbours, knnCalibration } = this.config;
    this.knnView =
      knnDimension > 0 && views.has("knn")
        ? new KnnConformalView({ dimension: knnDimension, reference: knnReference, neighbours: knnNeighbours, calibration: knnCalibration })
        : undefined;
    this.spectralView = views.has("spectral") ? new SpectralResidualView({ window: this.config.spectralWindow }) : undefined;
    this.contextView = views.has("context") ? new ContextOseView() : undefined;
    this.artimeView = views.has("artime") ? new ArtimeView() : undefined;
  }

  update(timestamp: number, value: number): number {
    if (!Number.isFinite(value)) return 0;
    if (this.features !== undefined) return this.step(this.features, timestamp, value);
    // The first samples only teach the interval (and whether the series is counts); they are
    // replayed into the features once those are sized, and scored 0 as any warm-up sample is.
    this.pendingTimestamps.push(timestamp);
    this.pendingValues.push(value);
    if (this.pendingTimestamps.length < INTERVAL_SAMPLES) return 0;
    const features = new Features(sizesFor(this.config, medianGap(this.pendingTimestamps)), this.config.seasonalDays, this.config.rankWindow);
    this.features = features;
    if (this.config.views.includes("forecast")) {
      this.forecastView = new ForecastResidualView({ period: features.sizes.daily, warmup: features.sizes.warmup, refit: features.sizes.forecastRefit, maxZ: this.config.maxZ });
    }
    this.counts = this.countView && looksLikeCounts(this.pendingValues);
    let score = 0;
    this.pendingValues.forEach((v, i) => {
      score = this.step(features, this.pendingTimestamps[i] as number, v);
    });
    this.pendingTimestamps.length = 0;
    this.pendingValues.length = 0;
    return score;
  }

  /**
   * Robust z-score of the distance to the nearest same-time value of the previous days. Days are
   * counted in samples, so the feature assumes regular sampling (a gap shifts its alignment).
   */
  private seasonalRaw(f: Features, timestamp: number, value: number): number | undefined {
    const period = f.sizes.period;
    if (period <= 0) return undefined;
    const past = f.past;
    const size = past.length;
    const slot =
      this.config.seasonalAlign === "time" ? Math.floor(timestamp / DAY_MS) * period + Math.min(period - 1, Math.floor(((timestamp % DAY_MS) / DAY_MS) * period)) : this.seen;
    // Distance to the nearest same-time value of the past days: a weekend matches last weekend, so
    // weekly patterns do not read as anomalies.
    const gated = this.config.seasonalGate > 0;
    const here = ((slot % size) + size) % size;
    const residual = this.nearestDaily(f, slot, here, value, gated);
    const found = this.dailyFound;
    if (found > 0 && gated) f.seasonalGate.push(residual, this.halfDayDistance);
    past[here] = value;
    f.pastSlot[here] = slot;
    if (found < 2) return undefined;
    const window = f.seasonalResiduals;
    let raw: number | undefined;
    if (window.length >= f.sizes.warmup) {
      const median = window.median();
      const scale = Math.max(window.mad(median) * 1.4826, 1e-3 * Math.abs(value), 1e-9);
      raw = Math.min(this.config.maxZ, Math.abs(residual - median) / scale);
    }
    window.push(residual);
    return raw;
  }

  /**
   * Distance from `value` to the nearest value at slot `slot` (ring position `here`) on the previous days (infinite if
   * none is stored). How many were found is left in `dailyFound` and, with `halfDay`, the distance
   * to the nearest value half a day after those slots in `halfDayDistance` (0 if none: no evidence
   * the series is seasonal), so the per-sample path allocates nothing.
   */
  private nearestDaily(f: Features, slot: number, here: number, value: number, halfDay: boolean): number {
    const period = f.sizes.period;
    const half = period >> 1;
    const past = f.past;
    const size = past.length;
    const byTime = this.config.seasonalAlign === "time";
    let same = Number.POSITIVE_INFINITY;
    let opposite = Number.POSITIVE_INFINITY;
    let found = 0;
    for (let d = 1; d <= this.config.seasonalDays; d++) {
      // d × period never exceeds the ring's size, so one wrap is enough.
      const then = slot - d * period;
      const back = here - d * period;
      const at = back < 0 ? back + size : back;
      const v = past[at] as number;
      if (!Number.isNaN(v) && !(byTime && f.pastSlot[at] !== then)) {
        found++;
        same = Math.min(same, Math.abs(value - v));
      }
      if (!halfDay) continue;
      const off = at + half >= size ? at + half - size : at + half;
      const w = past[off] as number;
      if (!Number.isNaN(w) && !(byTime && f.pastSlot[off] !== then + half)) opposite = Math.min(opposite, Math.abs(value - w));
    }
    this.dailyFound = found;
    this.halfDayDistance = Number.isFinite(opposite) ? opposite : 0;
    return same;
  }

  private scale(f: Features, median: number): number {
    if (++f.sinceMad >= MAD_REFRESH) {
      f.sinceMad = 0;
      f.mad = f.baseline.mad(median) * 1.4826;
    }
    // A flat baseline has MAD 0: fall back on a fraction of the ordinary spread, then of the level;
    // on the count scale Poisson noise is the least spread there can be.
    const floor = this.counts ? ANSCOMBE_POISSON_SPREAD : Math.max(0.1 * f.spread.stddev(), 1e-3 * Math.abs(median), 1e-9);
    return Math.max(f.mad, floor);
  }

  private step(f: Features, timestamp: number, value: number): number {
    const { config } = this;
    // Read before this sample joins the gate's means, so an incident does not close its own gate.
    const seasonalOpen = config.seasonalGate === 0 || f.seasonalGate.open(config.seasonalGate);
    const seasonalRaw = this.seasonalRaw(f, timestamp, value);
    this.seen++;
    const knnP = this.knnView?.update(value);
    const saliency = this.spectralView?.update(value);
    const contextual = this.contextView?.update(value);
    const resonance = this.artimeView?.update(value);
    const residual = this.forecastView?.update(value);
    const measured = this.counts ? anscombe(value) : value;
    const warm = f.baseline.length >= f.sizes.warmup;
    let pointRaw = 0;
    let levelRaw = 0;
    f.recent.push(measured);
    if (warm) {
      const median = f.baseline.median();
      const scale = this.scale(f, median);
      pointRaw = Math.min(config.maxZ, Math.abs(measured - median) / scale);
      levelRaw = Math.min(config.maxZ, Math.abs(f.recent.mean() - median) / scale);
    }
    const margin = config.noveltyMargin * (this.highest - this.lowest);
    const novel = config.noveltyMargin > 0 && margin > 0 && (value > this.highest + margin || value < this.lowest - margin) && pointRaw >= config.noveltyMinZ;
    if (value < this.lowest) this.lowest = value;
    if (value > this.highest) this.highest = value;
    f.baseline.push(measured);
    f.spread.push(measured);
    if (!warm) return 0;
    let score = this.pointView ? f.point.score(pointRaw) : 0;
    if (f.sizes.level > 0) score = Math.max(score, f.level.score(levelRaw));
    if (seasonalRaw !== undefined) {
      // Calibrated whether or not the gate is open, so its history is whole when the gate opens.
      const seasonal = f.seasonal.score(seasonalRaw);
      if (seasonalOpen) score = Math.max(score, seasonal);
    }
    if (saliency !== undefined) score = Math.max(score, config.spectralWeight * f.spectral.score(saliency));
    if (contextual !== undefined) score = Math.max(score, config.contextWeight * f.context.score(contextual));
    if (residual !== undefined) score = Math.max(score, config.forecastWeight * f.forecast.score(residual));
    if (knnP !== undefined) {
      this.sinceUnlike = knnP <= config.knnGate ? 0 : this.sinceUnlike + 1;
      const held = config.knnFusion === "corroborate" && this.sinceUnlike >= config.knnLookback && score < config.knnBypass;
      if (held) score = 0;
      // -log10 of a conformal p-value: exponential with mean 1/ln 10 on ordinary samples, so the
      // likelihood stage calibrates it like the other features.
      score = Math.max(score, config.knnWeight * f.knn.score(-Math.log10(knnP)));
    }
    if (resonance !== undefined) score = Math.max(score, config.artimeWeight * resonance);
    if (novel) score = 1;
    this.sinceAlarm++;
    // Ranked before it joins the history, so a first burst still stands out. Novel values neither take the test nor join its history: a series that keeps setting records
    // early on would otherwise fill the top of the ranking with them and demote the real incident.
    const ranked = config.alarmRarity > 0 && !novel;
    const common = ranked && score >= config.alarmLevel && f.rank.countAtLeast(score) > config.alarmRarity * f.rank.length;
    if (ranked) f.rank.push(score);
    if (this.sinceAlarm <= f.sizes.refractory) return 0;
    if (common && config.output === "alarm") return config.commonAlarmScore;
    if (common) score = Math.min(score, config.alarmLevel * 0.999);
    if (score < config.alarmLevel) return config.output === "alarm" ? (0.5 * score) / config.alarmLevel : score;
    this.sinceAlarm = 0;
    return config.output === "alarm" ? 1 : score;
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
