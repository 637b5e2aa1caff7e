/**
 * Seeded synthetic series with injected anomalies, labelled the way NAB labels its files (a window of
 * 10 % of the series length centred on each anomaly), so a detector can be checked on data nobody
 * tuned it on. Series with no anomaly at all are included on purpose: they measure false alarms on
 * noisy and bursty data, which NAB's real files punish but rarely isolate.
 *
 * Shapes: a daily seasonal base (5-minute samples) plus Gaussian noise, or a bursty count series
 * (Poisson-like bursts); the injected anomaly starts after the first half of the series so NAB's
 * probationary period (the first 15 %) and a detector's warm-up never hide it.
 *
 * @module
 */
import { Random, type Seed } from "../core/random.js";

/** The kinds of injected anomaly (`none` = a series without anomaly). */
export type SyntheticAnomalyKind =
  | "level_shift_up"
  | "level_shift_down"
  | "spike"
  | "drift"
  | "seasonality_change"
  | "flatline"
  | "bursty_surge"
  | "none_noisy"
  | "none_bursty";

/** Every kind, in corpus order. */
export const SYNTHETIC_ANOMALY_KINDS: readonly SyntheticAnomalyKind[] = Object.freeze([
  "level_shift_up",
  "level_shift_down",
  "spike",
  "drift",
  "seasonality_change",
  "flatline",
  "bursty_surge",
  "none_noisy",
  "none_bursty",
]);

/** One labelled synthetic series. */
export interface SyntheticSeries {
  /** Unique within a corpus, e.g. `spike_3`. */
  readonly name: string;
  readonly kind: SyntheticAnomalyKind;
  /** Milliseconds, 5 minutes apart. */
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  /** Row of the injected anomaly's onset, absent for the `none_*` kinds. */
  readonly anomalyRow?: number;
  /** Inclusive `[firstRow, lastRow]` NAB-style windows (empty for the `none_*` kinds). */
  readonly windows: ReadonlyArray<readonly [number, number]>;
}

/** Options of {@link syntheticSeries} and {@link syntheticCorpus}. */
export interface SyntheticOptions {
  /** Rows per series (default 4,032 = two weeks of 5-minute samples). */
  readonly length?: number;
  /** Series per kind in a corpus (default 3). */
  readonly perKind?: number;
}

const STEP_MS = 300_000;
const DAY = 288;
const START_MS = Date.UTC(2024, 0, 1);

/** NAB's window: 10 % of the series length, centred on the anomaly, clipped to the series. */
export function nabWindow(length: number, row: number): readonly [number, number] {
  const half = Math.floor((0.1 * length) / 2);
  return [Math.max(0, row - half), Math.min(length - 1, row + half)];
}

/** One seeded series of `kind`; the same seed and kind give the same series. */
export function syntheticSeries(kind: SyntheticAnomalyKind, seed: Seed, options: SyntheticOptions = {}): SyntheticSeries & { name: string } {
  const length = options.length ?? 4032;
  if (!Number.isInteger(length) || length < 1000) throw new RangeError(`length must be an integer ≥ 1000, got ${length}`);
  const random = new Random(seed).fork(kind);
  const timestamps = new Float64Array(length);
  const values = new Float64Array(length);
  const bursty = kind === "bursty_surge" || kind === "none_bursty";
  const level = random.uniform(20, 80);
  const amplitude = bursty ? 0 : level * random.uniform(0.1, 0.4);
  const noise = level * random.uniform(0.02, 0.06);
  const phase = random.uniform(0, 2 * Math.PI);
  const onset = kind.startsWith("none") ? undefined : random.int(Math.floor(length * 0.55), Math.floor(length * 0.85));
  const at = onset ?? length;
  // Magnitudes are a few noise-scales to the daily amplitude: visible to a person looking at the plot,
  // not trivially out of range.
  const shift = Math.max(6 * noise, 0.5 * amplitude) * random.uniform(1, 1.6);
  const burstRate = 0.02;
  let burst = 0;
  for (let i = 0; i < length; i++) {
    timestamps[i] = START_MS + i * STEP_MS;
    const after = i >= at;
    let amp = amplitude;
    if (kind === "seasonality_change" && after) amp = amplitude * 0.15;
    let v = level + amp * Math.sin(phase + (2 * Math.PI * i) / DAY);
    if (bursty) {
      const rate = kind === "bursty_surge" && after && i < at + 60 ? burstRate * 12 : burstRate;
      if (burst <= 0 && random.float() < rate) burst = random.int(2, 8);
      v = level * 0.3 + random.exponential(1 / (level * 0.05)) + (burst > 0 ? level * random.uniform(0.5, 1.5) : 0);
      burst--;
    } else {
      v += random.normal(0, noise);
    }
    if (after) {
      if (kind === "level_shift_up") v += shift;
      else if (kind === "level_shift_down") v -= shift;
      else if (kind === "spike" && i < at + 2) v += 2.5 * shift;
      else if (kind === "drift") v += shift * Math.min(1.5, (i - at) / (DAY / 2));
      else if (kind === "flatline") v = level + amplitude * Math.sin(phase + (2 * Math.PI * at) / DAY);
    }
    values[i] = v;
  }
  const windows = onset === undefined ? [] : [nabWindow(length, onset)];
  return onset === undefined
    ? { name: kind, kind, timestamps, values, windows }
    : { name: kind, kind, timestamps, values, anomalyRow: onset, windows };
}

/** `perKind` seeded series of every kind, named `<kind>_<n>`; deterministic in `seed`. */
export function syntheticCorpus(seed: Seed, options: SyntheticOptions = {}): SyntheticSeries[] {
  const perKind = options.perKind ?? 3;
  const out: SyntheticSeries[] = [];
  for (const kind of SYNTHETIC_ANOMALY_KINDS) {
    for (let n = 0; n < perKind; n++) {
      const series = syntheticSeries(kind, `${String(seed)}:${kind}:${n}`, options);
      out.push({ ...series, name: `${kind}_${n}` });
    }
  }
  return out;
}
