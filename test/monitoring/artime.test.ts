import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/core/errors.js";
import { DualVigilanceArt } from "../../src/monitoring/art-dvfa.js";
import { haar } from "../../src/monitoring/artime-features.js";
import { ArtimeDetector, ArtimeView } from "../../src/monitoring/artime.js";

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
  return Array.from({ length }, (_, i) => 10 + 5 * Math.sin((2 * Math.PI * i) / period) + 0.3 * rand());
}

function scores(detector: ArtimeDetector, values: readonly number[]): number[] {
  return values.map((v, i) => detector.update(i, v));
}

const max = (xs: readonly number[]): number => xs.reduce((a, b) => Math.max(a, b), 0);

describe("ArtimeDetector", () => {
  it("is deterministic, and scores in [0, 1]", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 0, maxLength: 400 }), fc.integer({ min: 64, max: 150 }), (values, probation) => {
        const a = scores(new ArtimeDetector({ probation }), values);
        const b = scores(new ArtimeDetector({ probation }), values);
        expect(a).toEqual(b);
        for (const s of a) expect(s >= 0 && s <= 1).toBe(true);
      }),
      { seed: SEED, numRuns: RUNS, verbose: true },
    );
  });

  it("stops growing its state at maxCategories however long the series runs", () => {
    const rand = noise(7);
    const detector = new ArtimeDetector({ probation: 64, maxCategories: 24 });
    const sizes: number[] = [];
    for (let i = 0; i < 6000; i++) {
      detector.update(i, rand() * 100);
      if (i % 1000 === 999) sizes.push(detector.categories);
    }
    expect(Math.max(...sizes)).toBe(24);
    expect(sizes.slice(-3)).toEqual([24, 24, 24]);
  });

  it.each([
    ["probation 600", { probation: 600 }],
    ["the defaults", {}],
  ] as const)("scores a spike above the background of a series it has learned (%s)", (_, options) => {
    const values = periodic(3000, 96, 3);
    const at = 2500;
    values[at] = 40;
    const s = scores(new ArtimeDetector(options), values);
    expect(max(s.slice(at, at + 10))).toBeGreaterThan(0.5);
    expect(max(s.slice(at, at + 10))).toBeGreaterThan(max(s.slice(1500, at)) + 0.2);
  });

  it("scores a level shift above the background of a series it has learned", () => {
    const values = periodic(3000, 96, 5).map((v, i) => (i >= 2500 ? v + 12 : v));
    const s = scores(new ArtimeDetector({ probation: 600 }), values);
    expect(max(s.slice(2500, 2540))).toBeGreaterThan(0.5);
    expect(max(s.slice(2500, 2540))).toBeGreaterThan(max(s.slice(1500, 2500)) + 0.2);
  });

  it("learns the range online: a later excursion widens it instead of breaking the levels", () => {
    const values = periodic(2000, 48, 9);
    for (let i = 1200; i < 1210; i++) values[i] = -50;
    const view = new ArtimeView({ probation: 200 });
    const out = values.map((v) => view.update(v));
    expect(out.slice(0, 199).every((s) => s === undefined)).toBe(true);
    expect(out.slice(199).every((s) => s !== undefined && s >= 0 && s <= 1)).toBe(true);
    expect(max(out.slice(1200, 1230).map((s) => s ?? 0))).toBeGreaterThan(0.5);
  });

  it("by default learns for 350 samples, scoring 0 through them, then scores every sample", () => {
    const values = periodic(1200, 96, 4);
    const view = new ArtimeView();
    const out = values.map((v) => view.update(v));
    expect(out.slice(0, 349).every((s) => s === undefined)).toBe(true);
    expect(out.slice(349).every((s) => s !== undefined && s >= 0 && s <= 1)).toBe(true);
    const s = scores(new ArtimeDetector(), values);
    expect(s.slice(0, 350).every((x) => x === 0)).toBe(true);
    expect(s.slice(349)).toEqual(out.slice(349));
  });

  it("with earlyScoring, scores from that fraction of the probation as a view of that probation would, and from the probation on as without it", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 140, max: 300 }),
        fc.double({ min: 0, max: 0.95, noNaN: true }),
        fc.integer({ min: 24, max: 200 }),
        (seed, probation, earlyScoring, period) => {
          const values = periodic(probation + 400, period, seed);
          const early = Math.floor(earlyScoring * probation);
          const run = (view: ArtimeView) => values.map((v) => view.update(v));
          const out = run(new ArtimeView({ probation, earlyScoring }));
          const plain = run(new ArtimeView({ probation }));
          expect(out.slice(probation - 1)).toEqual(plain.slice(probation - 1));
          if (early < 64) {
            expect(out).toEqual(plain);
            return;
          }
          const provisional = run(new ArtimeView({ probation: early }));
          expect(out.slice(0, probation - 1)).toEqual(provisional.slice(0, probation - 1));
          expect(out.slice(0, early - 1).every((x) => x === undefined)).toBe(true);
        },
      ),
      { seed: SEED, numRuns: RUNS, verbose: true },
    );
  });

  it("adapts its vigilances after the probation, the lower never above the upper", () => {
    const view = new ArtimeView({ probation: 200 });
    const seen: Array<{ lower: number; upper: number }> = [];
    periodic(3000, 48, 2).forEach((v, i) => {
      view.update(v);
      if (i % 100 === 99) seen.push(view.vigilance);
    });
    expect(seen[0]).toEqual({ lower: 0, upper: 0 });
    for (const rho of seen.slice(2)) {
      expect(rho.lower).toBeLessThanOrEqual(rho.upper);
      expect(rho.upper).toBeGreaterThan(0);
      expect(rho.upper).toBeLessThanOrEqual(0.97);
    }
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
    expect(issuePaths(() => new ArtimeDetector({ probation: 10 }))).toEqual(["options.probation"]);
    expect(issuePaths(() => new ArtimeDetector({ window: 6 as 8 }))).toEqual(["options.window"]);
    expect(issuePaths(() => new ArtimeDetector({ initialRho: 0 }))).toEqual(["options.initialRho"]);
    expect(issuePaths(() => new ArtimeDetector({ maxCategories: 2.5 }))).toEqual(["options.maxCategories"]);
    expect(issuePaths(() => new ArtimeDetector({ range: { min: 5, max: 1 } }))).toEqual(["options.range.max"]);
    expect(issuePaths(() => new ArtimeDetector({ earlyScoring: 1 }))).toEqual(["options.earlyScoring"]);
    expect(issuePaths(() => new ArtimeDetector({ earlyScoring: -0.1 }))).toEqual(["options.earlyScoring"]);
    const view = new ArtimeView({ probation: 64 });
    for (let i = 0; i < 63; i++) view.update(i % 7);
    expect(issuePaths(() => view.update(Number.NaN))).toEqual(["value"]);
    // The refused value left the probation untouched: one more value completes it.
    expect(view.update(2)).toBe(0);
    const detector = new ArtimeDetector();
    expect(detector.update(0, Number.POSITIVE_INFINITY)).toBe(0);
  });
});

describe("DualVigilanceArt", () => {
  it("learns a repeated input into one category and founds a cluster for a distant one", () => {
    const art = new DualVigilanceArt(2, 16);
    art.rhoLower = 0.6;
    art.rhoUpper = 0.8;
    art.present(Float64Array.of(0.2, 0.2));
    expect(art.present(Float64Array.of(0.2, 0.2)).newCluster).toBe(true);
    const again = art.present(Float64Array.of(0.2, 0.2));
    expect(again.newCluster).toBe(false);
    expect(again.match).toBeCloseTo(1, 12);
    expect(art.present(Float64Array.of(0.9, 0.9)).newCluster).toBe(true);
    expect(art.categories).toBe(3);
  });

  it("grows its storage as categories arrive, keeps them, and replaces the least recently used at the cap", () => {
    const art = new DualVigilanceArt(4, 50);
    art.rhoLower = art.rhoUpper = 0.999;
    const rand = noise(11);
    const inputs = Array.from({ length: 120 }, () => Float64Array.from({ length: 4 }, () => rand()));
    art.present(Float64Array.of(0, 0, 0, 0));
    inputs.slice(0, 45).forEach((x) => art.present(x));
    expect(art.categories).toBe(46);
    // Stored before the storage grew past its first size, still matched exactly.
    expect(art.present(inputs[3] as Float64Array).match).toBeCloseTo(1, 9);
    inputs.slice(45).forEach((x) => art.present(x));
    expect(art.categories).toBe(50);
    expect(art.present(inputs[119] as Float64Array).match).toBeCloseTo(1, 9);
    expect(art.present(inputs[10] as Float64Array).match).toBeLessThan(0.999);
  });

  it("rescales stored weights exactly as the inputs would have been rescaled", () => {
    const a = new DualVigilanceArt(2, 16);
    const b = new DualVigilanceArt(2, 16);
    // Vigilances this high store every distinct input as its own category, whichever scale it is on.
    for (const art of [a, b]) art.rhoLower = art.rhoUpper = 0.999;
    const inputs = [
      [0.1, 0.4],
      [0.2, 0.5],
      [0.3, 0.3],
      [0.3, 0.3],
    ];
    const map = (x: number) => 0.5 * x + 0.25;
    a.present(Float64Array.of(0, 0));
    b.present(Float64Array.of(0, 0));
    for (const x of inputs) a.present(Float64Array.from(x));
    for (const x of inputs) b.present(Float64Array.from(x, map));
    a.rescale(0, 2, 0.5, 0.25);
    expect(a.present(Float64Array.of(0.3, 0.35)).match).toBeCloseTo(b.present(Float64Array.of(0.3, 0.35)).match, 12);
  });
});

describe("haar", () => {
  it("keeps the energy of its input (orthonormal) and puts the scaled mean first", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 8, maxLength: 8 }), (xs) => {
        const out = haar(Float64Array.from(xs));
        const energy = (v: ArrayLike<number>) => Array.from(v).reduce((s, x) => s + x * x, 0);
        expect(energy(out)).toBeCloseTo(energy(xs), 6);
        expect(out[0]).toBeCloseTo(xs.reduce((s, x) => s + x, 0) / Math.sqrt(8), 9);
      }),
      { seed: SEED, numRuns: RUNS, verbose: true },
    );
  });
});
