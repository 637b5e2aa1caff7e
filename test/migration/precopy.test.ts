import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { predictPreCopy, shouldStopAndCopy } from "../../src/migration/precopy.js";
import { simulatePreCopy } from "../../src/migration/simulation.js";
import { simRuns } from "../support/sim.js";

const MiB = 2 ** 20;
const base = { sizeBytes: 256 * MiB, bandwidthBytesPerSec: 125e6, stopCopyThresholdBytes: 4 * MiB, maxRounds: 30 };

describe("pre-copy model (Clark et al.)", () => {
  it("shrinks each round by the dirty ratio and stops under the threshold", () => {
    const e = predictPreCopy({ ...base, dirtyRateBytesPerSec: 25e6 });
    expect(e.converged).toBe(true);
    expect(e.roundBytes[0]).toBe(base.sizeBytes);
    for (let i = 1; i < e.roundBytes.length; i++) expect((e.roundBytes[i] as number) / (e.roundBytes[i - 1] as number)).toBeCloseTo(0.2, 6);
    expect(e.stopCopyBytes).toBeLessThanOrEqual(base.stopCopyThresholdBytes);
    expect(e.downtimeMs).toBeCloseTo((e.stopCopyBytes / base.bandwidthBytesPerSec) * 1000, 6);
  });

  it("without writes copies once and has no downtime", () => {
    const e = predictPreCopy({ ...base, dirtyRateBytesPerSec: 0 });
    expect(e).toMatchObject({ rounds: 1, converged: true, stopCopyBytes: 0, downtimeMs: 0, bytesSent: base.sizeBytes });
  });

  it("reports non-convergence when the dirty rate reaches the bandwidth", () => {
    for (const ratio of [1, 1.2]) {
      const e = predictPreCopy({ ...base, dirtyRateBytesPerSec: ratio * base.bandwidthBytesPerSec });
      expect(e.converged).toBe(false);
      expect(e.rounds).toBe(base.maxRounds);
      expect(e.stopCopyBytes).toBe(base.sizeBytes);
    }
  });

  it("stop rule: under the threshold or at the round limit", () => {
    expect(shouldStopAndCopy(10, 1, { stopCopyThresholdBytes: 10, maxRounds: 5 })).toBe(true);
    expect(shouldStopAndCopy(11, 4, { stopCopyThresholdBytes: 10, maxRounds: 5 })).toBe(false);
    expect(shouldStopAndCopy(11, 5, { stopCopyThresholdBytes: 10, maxRounds: 5 })).toBe(true);
  });
});

describe("pre-copy simulation against the model", () => {
  it("rounds match (±1 at the threshold) and downtime is within 5% plus a page per round, for dirty rates up to 90% of bandwidth", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 0.9, noNaN: true }), fc.constantFrom(16_384, 65_536), (ratio, pageBytes) => {
        const params = { ...base, dirtyRateBytesPerSec: ratio * base.bandwidthBytesPerSec };
        const model = predictPreCopy(params);
        const sim = simulatePreCopy({ ...params, pageBytes, pattern: "sequential" });
        const pageMs = (pageBytes / base.bandwidthBytesPerSec) * 1000;
        // Page granularity can move a remainder sitting right at the threshold across it.
        expect(Math.abs(sim.rounds - model.rounds)).toBeLessThanOrEqual(1);
        if (sim.rounds === model.rounds) {
          expect(Math.abs(sim.downtimeMs - model.downtimeMs)).toBeLessThanOrEqual(0.05 * model.downtimeMs + sim.rounds * pageMs);
          expect(sim.converged).toBe(model.converged);
        }
        expect(Math.abs(sim.totalMs - model.totalMs)).toBeLessThanOrEqual(0.05 * model.totalMs + 2 * pageMs * sim.rounds);
      }),
      { numRuns: simRuns(40) },
    );
  });

  it("detects and reports non-converging dirty rates", () => {
    for (const ratio of [1, 1.1, 1.2]) {
      const sim = simulatePreCopy({ ...base, dirtyRateBytesPerSec: ratio * base.bandwidthBytesPerSec, pageBytes: 65_536, pattern: "sequential" });
      expect(sim.converged).toBe(false);
      expect(sim.rounds).toBe(base.maxRounds);
      expect(sim.stopCopyBytes).toBe(base.sizeBytes);
    }
  });

  it("random writes re-dirty pages, so the model is an upper bound on downtime", () => {
    for (const ratio of [0.3, 0.6, 0.9]) {
      const params = { ...base, dirtyRateBytesPerSec: ratio * base.bandwidthBytesPerSec };
      const model = predictPreCopy(params);
      const sim = simulatePreCopy({ ...params, pageBytes: 65_536, pattern: "uniform", seed: 7 });
      expect(sim.rounds).toBeLessThanOrEqual(model.rounds);
      expect(sim.downtimeMs).toBeLessThanOrEqual(model.downtimeMs * 1.05 + 1);
    }
  });
});
