/**
 * Seeded stand-ins for kinds of series a detector is judged on without being tuned on them: the
 * shapes of NAB's artificial files (with and without anomaly), bursty tweet-volume counts, and short,
 * irregularly sampled traffic and hourly ad-exchange series. Nothing here is copied from a data file;
 * the generators only imitate what such series look like (period, noise, gaps, length, kind of
 * anomaly), so a detector that fits the real files by chance gets no credit here.
 *
 * Labels follow NAB: windows together span 10 % of the series length, split evenly over the
 * anomalies and centred on each; a series without anomaly has no window, so any alarm after the
 * probationary period is a false positive.
 *
 * @module
 */
import { Random, type Seed } from "../core/random.js";

/** Family of a stand-in series: which hidden corpus it imitates. */
export type StandInFamily = "artificial" | "artificial_quiet" | "tweets" | "traffic" | "ad_exchange";

/** The kinds, each with its family. */
export const STAND_IN_KINDS = Object.freeze({
  art_jumps_up: "artificial",
  art_jumps_down: "artificial",
  art_flat_middle: "artificial",
  art_no_jump: "artificial",
  art_spike_density: "artificial",
  art_load_balancer: "artificial",
  quiet_flat: "artificial_quiet",
  quiet_noise: "artificial_quiet",
  quiet_daily: "artificial_quiet",
  quiet_daily_small_noise: "artificial_quiet",
  quiet_square_wave: "artificial_quiet",
  tweets_surge: "tweets",
  tweets_quiet_day_surge: "tweets",
  traffic_speed_drop: "traffic",
  traffic_occupancy_jump: "traffic",
  traffic_travel_time: "traffic",
  ad_cpc_shift: "ad_exchange",
  ad_cpm_spike: "ad_exchange",
} as const satisfies Record<string, StandInFamily>);

export type StandInKind = keyof typeof STAND_IN_KINDS;

/** A labelled stand-in series. */
export interface StandInSeries {
  /** Unique within a corpus, e.g. `tweets_surge_1`. */
  readonly name: string;
  readonly kind: StandInKind;
  readonly family: StandInFamily;
  /** Milliseconds. */
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  /** Inclusive `[firstRow, lastRow]` NAB-style windows (empty for a series without anomaly). */
  readonly windows: ReadonlyArray<readonly [number, number]>;
  /** Onset rows of the anomalies (empty when there is none). */
  readonly anomalyRows: readonly number[];
}

const FIVE_MINUTES = 300_000;
const HOUR = 3_600_000;
const DAY_MS = 86_400_000;
const START_MS = Date.UTC(2024, 2, 4);

/** NAB's labelling: 10 % of the length split over the anomalies, each window centred on its onset. */
export function nabWindows(length: number, rows: readonly number[]): Array<readonly [number, number]> {
  if (rows.length === 0) return [];
  const half = Math.floor((0.1 * length) / rows.length / 2);
  const out: Array<readonly [number, number]> = [];
  for (const row of [...rows].sort((a, b) => a - b)) {
    const start = Math.max(0, row - half, out.length === 0 ? 0 : (out[out.length - 1] as readonly [number, number])[1] + 1);
    out.push([start, Math.min(length - 1, row + half)]);
  }
  return out;
}

/** Knuth's method for small means, a rounded normal for large ones: counts only need the shape. */
function poisson(random: Random, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 40) return Math.max(0, Math.round(random.normal(mean, Math.sqrt(mean))));
  const limit = Math.exp(-mean);
  let k = 0;
  let p = random.float();
  while (p > limit) {
    k++;
    p *= random.float();
  }
  return k;
}

/** Gamma(shape, 1/shape) by Marsaglia and Tsang: mean 1, the mixing that makes Poisson negative-binomial. */
function gammaUnit(random: Random, shape: number): number {
  const boost = shape < 1 ? Math.pow(random.float(), 1 / shape) : 1;
  const a = shape < 1 ? shape + 1 : shape;
  const d = a - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = random.normal();
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    if (Math.log(random.float()) < 0.5 * x * x + d - d * v + d * Math.log(v)) return (boost * d * v) / shape;
  }
}

/** A smoothed daily square wave, 0 at night and 1 by day, as NAB's `art_daily_*` files. */
function dailyShape(t: number, phase: number, sharp: boolean): number {
  const x = (((t / DAY_MS + phase) % 1) + 1) % 1;
  if (sharp) return x > 0.3 && x < 0.7 ? 1 : 0;
  const rise = 1 / (1 + Math.exp(-(x - 0.3) * 80));
  const fall = 1 / (1 + Math.exp((x - 0.7) * 80));
  return rise * fall;
}

interface Draft {
  timestamps: Float64Array;
  values: Float64Array;
  anomalyRows: number[];
}

function regular(length: number, step: number): Float64Array {
  return Float64Array.from({ length }, (_, i) => START_MS + i * step);
}

/** Timestamps with jitter, skipped samples and a few long outages, as traffic sensors report. */
function irregular(random: Random, length: number, step: number): Float64Array {
  const out = new Float64Array(length);
  let t = START_MS;
  for (let i = 0; i < length; i++) {
    out[i] = t;
    let gap = step;
    if (random.bool(0.08)) gap += step * random.int(1, 4);
    if (random.bool(0.004)) gap += step * random.int(24, 200);
    t += gap + Math.round(random.uniform(-0.1, 0.1) * step);
  }
  return out;
}

/** The row of day `day`'s daytime start, for anomalies that must land on a day's shape. */
function rowAtDayTime(timestamps: Float64Array, day: number, phase: number, fraction: number): number {
  const target = Math.ceil((timestamps[0] as number) / DAY_MS + phase) * DAY_MS + (day + fraction - phase) * DAY_MS;
  let row = 0;
  while (row < timestamps.length - 1 && (timestamps[row] as number) < target) row++;
  return row;
}

function artificial(kind: StandInKind, random: Random): Draft {
  const length = 4032;
  const timestamps = regular(length, FIVE_MINUTES);
  const values = new Float64Array(length);
  const low = random.uniform(10, 30);
  const high = low + random.uniform(40, 70);
  const phase = random.uniform(0, 1);
  const noise = kind === "quiet_daily" || kind === "quiet_square_wave" ? 0 : random.uniform(0.5, 2.5);
  const day = random.int(9, 11);
  const onset = rowAtDayTime(timestamps, day, phase, 0.3);
  const anomalyRows: number[] = [];
  for (let i = 0; i < length; i++) {
    const t = timestamps[i] as number;
    const shape = dailyShape(t, phase, kind === "quiet_square_wave");
    let v = low + (high - low) * shape + random.normal(0, noise);
    const inDay = i >= onset && i < onset + 120;
    if (kind === "art_jumps_up" && inDay) v += (high - low) * 0.6 * shape;
    else if (kind === "art_jumps_down" && inDay) v -= (high - low) * 0.5 * shape;
    else if (kind === "art_no_jump" && inDay) v = low + random.normal(0, noise);
    else if (kind === "art_flat_middle" && i >= onset && i < onset + 288) v = (low + high) / 2 + random.normal(0, noise * 0.2);
    else if (kind === "quiet_flat") v = low;
    else if (kind === "quiet_noise") v = low + random.normal(0, 0.1 * (high - low));
    values[i] = v;
  }
  if (kind.startsWith("art_") && kind !== "art_spike_density" && kind !== "art_load_balancer") anomalyRows.push(onset);
  if (kind === "art_spike_density" || kind === "art_load_balancer") {
    // A quiet base with sparse spikes; the anomaly is a stretch where spikes come far more often
    // (and, for the load balancer, higher), which a single-spike detector must not flag before it.
    const base = random.uniform(2, 10);
    const spike = base * random.uniform(4, 8);
    const start = random.int(2600, 3300);
    for (let i = 0; i < length; i++) {
      const dense = i >= start && i < start + 100;
      const rate = dense ? 0.25 : 0.01;
      let v = base + random.normal(0, 0.1 * base);
      if (random.bool(rate)) v += spike * (kind === "art_load_balancer" && dense ? 2 : 1) * random.uniform(0.7, 1.3);
      values[i] = Math.max(0, v);
    }
    anomalyRows.push(start);
  }
  return { timestamps, values, anomalyRows };
}

/**
 * Tweet volume every 5 minutes: negative-binomial counts around a daily cycle, with organic bursts
 * (several a week, unlabelled, as every busy account has) and two labelled surges several times
 * larger and longer. `tweets_quiet_day_surge` puts a surge on a low-traffic account.
 */
function tweets(kind: StandInKind, random: Random): Draft {
  const length = 6048;
  const timestamps = regular(length, FIVE_MINUTES);
  const values = new Float64Array(length);
  const base = kind === "tweets_quiet_day_surge" ? random.uniform(1, 5) : random.uniform(15, 80);
  const dispersion = random.uniform(2, 6);
  const phase = random.uniform(0, 1);
  const first = random.int(2200, 3600);
  const second = random.int(first + 900, 5600);
  const surges = [first, second];
  const surgeSize = random.uniform(3, 8);
  let burst = 0;
  let burstLevel = 0;
  for (let i = 0; i < length; i++) {
    const t = timestamps[i] as number;
    const daily = 1 + 0.6 * Math.sin(2 * Math.PI * (t / DAY_MS + phase));
    if (burst <= 0 && random.bool(0.003)) {
      burst = random.int(3, 24);
      burstLevel = base * random.uniform(1, 3);
    }
    let mean = base * daily + (burst > 0 ? burstLevel * (burst / 24 + 0.3) : 0);
    burst--;
    for (const s of surges) {
      const since = i - s;
      if (since >= 0 && since < 72) mean += base * surgeSize * Math.exp(-since / 24);
    }
    values[i] = poisson(random, mean * gammaUnit(random, dispersion));
  }
  return { timestamps, values, anomalyRows: surges };
}

/** Freeway sensors: speed, occupancy or travel time, irregular 5-minute samples, rush hours, a level shift. */
function traffic(kind: StandInKind, random: Random): Draft {
  const length = random.int(1000, 2500);
  const timestamps = irregular(random, length, FIVE_MINUTES);
  const values = new Float64Array(length);
  const onset = random.int(Math.floor(0.45 * length), Math.floor(0.85 * length));
  const lasting = random.int(24, 300);
  // From barely visible over the rush-hour swing to obvious.
  const size = random.uniform(2.5, 8);
  for (let i = 0; i < length; i++) {
    const hour = (((timestamps[i] as number) % DAY_MS) / HOUR + 24) % 24;
    const rush = Math.exp(-((hour - 8) ** 2) / 2) + Math.exp(-((hour - 17.5) ** 2) / 3);
    const anomalous = i >= onset && i < onset + lasting;
    let v: number;
    if (kind === "traffic_speed_drop") v = 65 - 15 * rush + random.normal(0, 3) - (anomalous ? 3 * size : 0);
    else if (kind === "traffic_occupancy_jump") v = 5 + 12 * rush + Math.abs(random.normal(0, 2)) + (anomalous ? 2 * size : 0);
    else v = 300 + 150 * rush + random.normal(0, 25) + (anomalous ? 25 * size : 0);
    values[i] = Math.max(0, Math.round(v * 100) / 100);
  }
  return { timestamps, values, anomalyRows: [onset] };
}

/** Hourly ad-exchange prices: small positive values, noisy, gaps, one shift or a spike pair. */
function adExchange(kind: StandInKind, random: Random): Draft {
  const length = random.int(1000, 1700);
  const timestamps = irregular(random, length, HOUR);
  const values = new Float64Array(length);
  const level = kind === "ad_cpc_shift" ? random.uniform(0.08, 0.3) : random.uniform(0.5, 3);
  const first = random.int(Math.floor(0.3 * length), Math.floor(0.6 * length));
  const second = random.int(first + Math.floor(0.15 * length), Math.floor(0.95 * length));
  const anomalyRows = kind === "ad_cpc_shift" ? [first] : [first, second];
  const size = random.uniform(1.35, 2);
  for (let i = 0; i < length; i++) {
    const hour = (((timestamps[i] as number) % DAY_MS) / HOUR + 24) % 24;
    let v = level * (1 + 0.15 * Math.sin((2 * Math.PI * hour) / 24)) * Math.exp(random.normal(0, 0.12));
    if (kind === "ad_cpc_shift" && i >= first) v *= size;
    if (kind === "ad_cpm_spike" && anomalyRows.some((r) => i >= r && i < r + 3)) v *= 1 + 2 * size;
    values[i] = Math.round(v * 1e4) / 1e4;
  }
  return { timestamps, values, anomalyRows };
}

/** One seeded stand-in series of `kind`. */
export function standInSeries(kind: StandInKind, seed: Seed): StandInSeries {
  const random = new Random(seed).fork(kind);
  const family = STAND_IN_KINDS[kind];
  const draft =
    family === "tweets" ? tweets(kind, random) : family === "traffic" ? traffic(kind, random) : family === "ad_exchange" ? adExchange(kind, random) : artificial(kind, random);
  const windows = nabWindows(draft.values.length, draft.anomalyRows);
  return { name: kind, kind, family, timestamps: draft.timestamps, values: draft.values, anomalyRows: draft.anomalyRows, windows };
}

/** `perKind` seeded series of every stand-in kind, named `<kind>_<n>`. */
export function standInCorpus(seed: Seed, perKind = 2): StandInSeries[] {
  const out: StandInSeries[] = [];
  for (const kind of Object.keys(STAND_IN_KINDS) as StandInKind[]) {
    for (let n = 0; n < perKind; n++) out.push({ ...standInSeries(kind, `${String(seed)}:${kind}:${n}`), name: `${kind}_${n}` });
  }
  return out;
}
