import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NAB_PROFILES, type NabFileResult } from "../../src/monitoring/nab-scorer.js";
import { crossValidate, pooledCrossValidate, standInFold } from "../../bench/nab-cv.js";

const standard = NAB_PROFILES.standard;
const ROWS = 400;
const WINDOW: [number, number] = [250, 290];

/** A file of `ROWS` rows with one window; `scores` gives each row's score (0.25 where undefined). */
function file(name: string, scores: ReadonlyArray<readonly [number, number]>): NabFileResult {
  const anomalyScores = new Float64Array(ROWS).fill(0.25);
  for (const [row, score] of scores) anomalyScores[row] = score;
  return { name, windows: [WINDOW], anomalyScores };
}

// A few scored rows per file, anywhere after the first rows, with scores on the threshold grid's range.
const scoredRows = fc.array(fc.tuple(fc.integer({ min: 0, max: ROWS - 1 }), fc.double({ min: 0.2, max: 1, noNaN: true })), { maxLength: 6 });
const corpus = (size: number) => fc.array(scoredRows, { minLength: size, maxLength: size });

describe("leave-one-family-out pooled with stand-ins", () => {
  it("is the NAB-only cross-validation when there are no stand-ins", () => {
    fc.assert(
      fc.property(corpus(4), (rows) => {
        const nab = rows.map((r, i) => file(`nab${i}`, r));
        const families = ["a", "a", "b", "c"];
        expect(pooledCrossValidate(families, [nab], [], [[]], standard)).toEqual(crossValidate(families, [nab], standard));
      }),
      { numRuns: 15 },
    );
  });

  it("holds each stand-in family out as a fold of its own, whose threshold its own scores do not move", () => {
    fc.assert(
      fc.property(corpus(3), corpus(2), corpus(2), (nabRows, ownA, ownB) => {
        const nab = nabRows.map((r, i) => file(`nab${i}`, r));
        const other = file("quiet", [[260, 1]]);
        const families = ["a", "b", "b"];
        const standFamilies = ["tweets", "tweets", "traffic"];
        const withOwn = (own: typeof ownA) => [...own.map((r, i) => file(`tweets${i}`, r)), other];
        const a = pooledCrossValidate(families, [nab], standFamilies, [withOwn(ownA)], standard);
        const b = pooledCrossValidate(families, [nab], standFamilies, [withOwn(ownB)], standard);
        expect(a.folds.map((f) => f.family)).toEqual(["a", "b", standInFold("traffic"), standInFold("tweets")]);
        const tweets = (cv: typeof a) => cv.folds.find((f) => f.family === standInFold("tweets"));
        expect(tweets(a)?.threshold).toBe(tweets(b)?.threshold);
        expect(tweets(a)?.files).toBe(2);
      }),
      { numRuns: 15 },
    );
  });

  it("rejects corpora scored by different numbers of configurations, naming the argument", () => {
    const nab = [file("nab", [])];
    expect(() => pooledCrossValidate(["a"], [nab, nab], ["tweets"], [[file("s", [])]], standard)).toThrow(/standIns: 1 configurations scored, nab has 2/);
  });
});
