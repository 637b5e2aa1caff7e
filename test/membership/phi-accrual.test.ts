import fc from "fast-check";
import { mean as meanOf, standardDeviation } from "simple-statistics";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/core/errors.js";
import { PhiAccrualFailureDetector, phiOf } from "../../src/membership/phi-accrual.js";
import { majority, quorumOf } from "../../src/membership/quorum.js";

describe("PhiAccrualFailureDetector", () => {
  it("defaults to Akka's settings", () => {
    expect(new PhiAccrualFailureDetector().options).toEqual({
      threshold: 8,
      maxSampleSize: 1000,
      minStdDeviationMs: 100,
      acceptableHeartbeatPauseMs: 3000,
      firstHeartbeatEstimateMs: 1000,
    });
  });

  it("phi is 0 before any heartbeat, -log10(1/2) at the mean, and never decreases with silence", () => {
    expect(new PhiAccrualFailureDetector().phi(1e9)).toBe(0);
    expect(phiOf(1000, 1000, 100)).toBeCloseTo(Math.log10(2), 6);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 50 }), fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 1, max: 5000 }), (intervals, at, step) => {
        const detector = new PhiAccrualFailureDetector();
        let t = 0;
        detector.heartbeat(t);
        for (const i of intervals) detector.heartbeat((t += i));
        const p1 = detector.phi(t + at);
        const p2 = detector.phi(t + at + step);
        expect(p1).toBeGreaterThanOrEqual(0);
        expect(p2).toBeGreaterThanOrEqual(p1);
      }),
    );
  });

  it("keeps the mean and deviation of the last maxSampleSize intervals", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 120 }), fc.integer({ min: 1, max: 40 }), (intervals, window) => {
        // A huge pause keeps every interval an "available" sample.
        const detector = new PhiAccrualFailureDetector({ maxSampleSize: window, acceptableHeartbeatPauseMs: 1e6 });
        let t = 0;
        detector.heartbeat(t);
        for (const i of intervals) detector.heartbeat((t += i));
        const samples = [750, 1250, ...intervals].slice(-window);
        expect(detector.mean()).toBeCloseTo(meanOf(samples), 6);
        expect(detector.stdDeviation()).toBeCloseTo(Math.max(100, standardDeviation(samples)), 4);
      }),
    );
  });

  it("with steady 1 s heartbeats suspects a silent peer about 4.5 s after its last heartbeat", () => {
    const detector = new PhiAccrualFailureDetector();
    for (let t = 0; t <= 60_000; t += 1000) detector.heartbeat(t);
    const bound = detector.timeToSuspectMs();
    expect(bound).toBeGreaterThan(4400);
    expect(bound).toBeLessThan(4700);
    expect(detector.isAvailable(60_000 + 4000)).toBe(true);
    expect(detector.isAvailable(60_000 + bound - 1)).toBe(true);
    expect(detector.isAvailable(60_000 + bound + 1)).toBe(false);
    expect(detector.phi(60_000 + bound)).toBeCloseTo(8, 3);
  });

  it("does not learn the interval that ends a suspected silence", () => {
    const detector = new PhiAccrualFailureDetector();
    for (let t = 0; t <= 10_000; t += 1000) detector.heartbeat(t);
    const before = detector.mean();
    detector.heartbeat(60_000);
    expect(detector.mean()).toBe(before);
    expect(detector.isAvailable(60_500)).toBe(true);
  });

  it("validates its settings", () => {
    expect(() => new PhiAccrualFailureDetector({ threshold: 0 })).toThrow(ValidationError);
    expect(() => new PhiAccrualFailureDetector({ maxSampleSize: 0 })).toThrow(/maxSampleSize/);
    expect(() => new PhiAccrualFailureDetector({ minStdDeviationMs: -1 })).toThrow(/minStdDeviationMs/);
  });
});

describe("quorum", () => {
  it("needs a strict majority, and two disjoint sides never both have it", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.array(fc.boolean(), { minLength: 9, maxLength: 9 }), (n, side) => {
        const voters = Array.from({ length: n }, (_, i) => `v${i}`);
        const left = new Set(voters.filter((_, i) => side[i]));
        const right = new Set(voters.filter((_, i) => !side[i]));
        const a = quorumOf(voters, left);
        const b = quorumOf(voters, right);
        expect(a.hasQuorum).toBe(left.size * 2 > n);
        expect(a.needed).toBe(majority(n));
        expect(a.hasQuorum && b.hasQuorum).toBe(false);
        expect([...a.reachable, ...a.unreachable].sort()).toEqual([...voters].sort());
      }),
    );
  });
});
