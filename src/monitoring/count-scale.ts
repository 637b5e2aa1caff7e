/**
 * The count-aware scale of the anomaly detector: a series whose first values are all non-negative
 * integers (requests, tweets, events per interval) is measured through the Anscombe transform
 * 2·√(x + 3/8) (Anscombe, "The transformation of Poisson, binomial and negative-binomial data",
 * Biometrika 35, 1948), which makes Poisson noise roughly unit-variance whatever the rate. A robust
 * z-score on that scale is a Poisson tail test: a burst of 30 on a series that idles at 10 is
 * ordinary-sized noise there, while the same burst on a series that idles at 0 is not. Counts are
 * usually over-dispersed, which the robust spread of the transformed values absorbs; the Poisson
 * unit is only the floor under it, so a quiet count series is not measured against a zero spread.
 *
 * @module
 */

/** Standard deviation of Poisson noise on the Anscombe scale, the floor of the robust spread. */
export const ANSCOMBE_POISSON_SPREAD = 1;

/** 2·√(x + 3/8); negative inputs are clamped to 0 so a stray negative cannot produce NaN. */
export function anscombe(value: number): number {
  return 2 * Math.sqrt(Math.max(0, value) + 0.375);
}

/**
 * Whether a series looks like counts, judged on its first values: all non-negative integers and not
 * all equal (a constant series carries no evidence either way).
 */
export function looksLikeCounts(values: ArrayLike<number>): boolean {
  if (values.length === 0) return false;
  let varied = false;
  const first = values[0] as number;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v < 0 || !Number.isInteger(v)) return false;
    if (v !== first) varied = true;
  }
  return varied;
}
