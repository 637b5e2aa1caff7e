import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ScoreRank } from "../../src/monitoring/score-rank.js";
import { simSeed, withSeed } from "../support/sim.js";

describe("ScoreRank", () => {
  it("counts held scores at least as high as brute force over the last `size`, at the 1/200 resolution (property)", async () => {
    await withSeed(simSeed(), (seed) => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 40 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 200 }), fc.double({ min: 0, max: 1, noNaN: true }), (size, scores, probe) => {
          const rank = new ScoreRank(size);
          for (const s of scores) rank.push(s);
          const held = scores.slice(-size);
          const bin = (x: number) => Math.min(200, Math.floor(x * 200));
          expect(rank.length).toBe(held.length);
          expect(rank.countAtLeast(probe)).toBe(held.filter((s) => bin(s) >= bin(probe)).length);
        }),
        { seed },
      );
    });
  });

  it("rejects a size that is not a positive integer", () => {
    expect(() => new ScoreRank(0)).toThrow(RangeError);
    expect(() => new ScoreRank(2.5)).toThrow(RangeError);
  });
});
