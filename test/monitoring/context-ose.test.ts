import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/core/errors.js";
import { ContextOseDetector, ContextOseView } from "../../src/monitoring/context-ose.js";

const SEED = Number(process.env.FC_SEED ?? 2017);
const RUNS = Number(process.env.SIM_RUNS ?? 30);

/** A deterministic pseudo-random sequence in [0, 1) (mulberry32). */
function noise(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A repeating daily-like shape with a little noise. */
function periodic(length: number, period: number, seed: number): number[] {
  const rand = noise(seed);
  return Array.from({ length }, (_, i) => 10 + 5 * Math.sin((2 * Math.PI * i) / period) + 0.2 * rand());
}

function scores(detector: ContextOseDetector, values: readonly number[]): number[] {
  return values.map((v, i) => detector.update(i, v));
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe("ContextOseDetector", () => {
  it("is deterministic: the same input gives the same scores", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 0, maxLength: 200 }), fc.integer({ min: 2, max: 40 }), (values, warmup) => {
        const a = scores(new ContextOseDetector({ warmup, restPeriod: 5 }), values);
        const b = scores(new ContextOseDetector({ warmup, restPeriod: 5 }), values);
        expect(a).toEqual(b);
        for (const s of a) expect(s >= 0 && s <= 1).toBe(true);
      }),
      { seed: SEED, numRuns: RUNS, verbose: true },
    );
  });

  it("stops growing its state at maxContexts however long the series runs", () => {
    const rand = noise(7);
    const detector = new ContextOseDetector({ warmup: 50, maxContexts: 200 });
    const sizes: number[] = [];
    for (let i = 0; i < 3000; i++) {
      detector.update(i, rand() * 100);
      if (i % 500 === 499) sizes.push(detector.contexts);
    }
    expect(Math.max(...sizes)).toBe(200);
    expect(sizes.slice(-3)).toEqual([200, 200, 200]);
  });

  it("scores a spike above the background of a series it has learned", () => {
    const values = periodic(2400, 24, 3);
    const at = 2000;
    values[at] = 40;
    const s = scores(new ContextOseDetector({ warmup: 200, restPeriod: 24 }), values);
    const background = s.slice(1500, at);
    expect(Math.max(...s.slice(at, at + 3))).toBeGreaterThan(mean(background) + 0.3);
  });

  it("scores a level shift above the background of a series it has learned", () => {
    const values = periodic(2400, 24, 5).map((v, i) => (i >= 2000 ? v - 9 : v));
    const s = scores(new ContextOseDetector({ warmup: 200, restPeriod: 24 }), values);
    const background = s.slice(1500, 2000);
    expect(Math.max(...s.slice(2000, 2030))).toBeGreaterThan(mean(background) + 0.3);
  });

  it("exposes the raw score as a view that other detectors can combine", () => {
    const view = new ContextOseView({ warmup: 10 });
    const out = periodic(40, 8, 1).map((v) => view.update(v));
    expect(out.slice(0, 9).every((s) => s === undefined)).toBe(true);
    expect(out.slice(9).every((s) => s !== undefined && s >= 0 && s <= 1)).toBe(true);
  });

  it("refuses bad options with a ValidationError naming the field, and non-finite values to the view", () => {
    const issuePaths = (f: () => unknown): string[] => {
      try {
        f();
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        return (error as ValidationError).issues.map((i) => i.path);
      }
      throw new Error("no error thrown");
    };
    expect(issuePaths(() => new ContextOseDetector({ warmup: 1 }))).toEqual(["options.warmup"]);
    expect(issuePaths(() => new ContextOseDetector({ restPeriod: 0 }))).toEqual(["options.restPeriod"]);
    expect(issuePaths(() => new ContextOseDetector({ baseThreshold: 1.5 }))).toEqual(["options.baseThreshold"]);
    expect(issuePaths(() => new ContextOseView({ maxContexts: 2.5 }))).toEqual(["options.maxContexts"]);
    const view = new ContextOseView({ warmup: 2 });
    view.update(1);
    expect(issuePaths(() => view.update(Number.NaN))).toEqual(["value"]);
    // The refused value left the warm-up untouched: one more value completes it.
    expect(view.update(2)).not.toBeUndefined();
    const detector = new ContextOseDetector({ warmup: 2 });
    expect(detector.update(0, Number.POSITIVE_INFINITY)).toBe(0);
  });
});
