import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/core/errors.js";
import { KnnConformalView, type KnnConformalOptions } from "../../src/monitoring/knn-conformal.js";

const SEED = Number(process.env.FC_SEED ?? 1717);
const RUNS = Number(process.env.SIM_RUNS ?? 60);

/** KNN-CAD computed from scratch at every sample: the definition the incremental view must match. */
function bruteForce(values: readonly number[], o: Required<KnnConformalOptions>): Array<number | undefined> {
  const w = o.dimension;
  const k = Math.min(o.neighbours, o.reference);
  const scores: number[] = [];
  return values.map((_, t) => {
    if (t + 1 < w + w + o.reference - 1) return undefined;
    const distances: number[] = [];
    for (let lag = w; lag < w + o.reference; lag++) {
      let sum = 0;
      for (let j = 0; j < w; j++) sum += ((values[t - j] as number) - (values[t - j - lag] as number)) ** 2;
      distances.push(sum);
    }
    distances.sort((a, b) => a - b);
    const score = distances.slice(0, k).reduce((n, d) => n + Math.sqrt(d), 0) / k;
    const calibration = scores.slice(-o.calibration);
    const p = (1 + calibration.filter((s) => s >= score).length) / (calibration.length + 1);
    scores.push(score);
    return calibration.length === o.calibration ? p : undefined;
  });
}

describe("KnnConformalView", () => {
  it("matches KNN-CAD computed from scratch, including across the periodic exact recomputation", () => {
    // Integer values keep every incremental sum exact, so the comparison can be exact too.
    const options = fc.record({
      dimension: fc.integer({ min: 1, max: 6 }),
      reference: fc.integer({ min: 1, max: 12 }),
      neighbours: fc.integer({ min: 1, max: 5 }),
      calibration: fc.integer({ min: 1, max: 10 }),
    });
    fc.assert(
      fc.property(options, fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 0, maxLength: 120 }), (o, values) => {
        const view = new KnnConformalView(o);
        expect(values.map((v) => view.update(v))).toEqual(bruteForce(values, o));
      }),
      { seed: SEED, numRuns: RUNS, verbose: true },
    );
  });

  it("gives an embedding like many past ones a large p-value and a new shape the smallest", () => {
    const calibration = 50;
    const view = new KnnConformalView({ dimension: 4, reference: 40, neighbours: 3, calibration });
    let last: number | undefined;
    for (let i = 0; i < 400; i++) last = view.update(Math.sin((2 * Math.PI * i) / 20) + 0.01 * (i % 3));
    expect(last).toBeGreaterThan(0.1);
    const novel = view.update(5);
    expect(novel).toBeCloseTo(1 / (calibration + 1), 12);
  });

  it("refuses bad options and non-finite values with a ValidationError, leaving its state as it was", () => {
    expect(() => new KnnConformalView({ dimension: 0, reference: 10, neighbours: 1, calibration: 10 })).toThrow(ValidationError);
    expect(() => new KnnConformalView({ dimension: 4, reference: 10.5, neighbours: 1, calibration: 10 })).toThrow(/reference/);
    const options = { dimension: 3, reference: 8, neighbours: 2, calibration: 5 };
    const clean = new KnnConformalView(options);
    const poked = new KnnConformalView(options);
    const values = Array.from({ length: 60 }, (_, i) => (i * 7) % 11);
    const expected = values.map((v) => clean.update(v));
    const got = values.map((v, i) => {
      if (i === 30) expect(() => poked.update(Number.NaN)).toThrow(/value/);
      return poked.update(v);
    });
    expect(got).toEqual(expected);
  });
});
