import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/core/errors.js";
import { fixedKeepAlivePolicy, hybridWarmingPolicy, idleHistogramPolicy, knativeScaleToZeroPolicy, noKeepAlivePolicy, replayTrace, type Arrival, type CapacityPolicy } from "../../src/warming/index.js";

const seed = process.env.SIM_SEED === undefined ? undefined : Number(process.env.SIM_SEED);
const runs = Number(process.env.SIM_RUNS ?? "40");
const params = { numRuns: runs, ...(seed === undefined ? {} : { seed }) };

const MIN = 60_000;
const sparse: Arrival[] = [
  { at: 0, serviceMs: 1000 },
  { at: 5 * MIN, serviceMs: 1000 },
  { at: 20 * MIN, serviceMs: 1000 },
];

describe("policy replay on hand-made traces", () => {
  it.each([
    // policy, cold starts, warm instance-seconds
    ["keep-alive 10 min", fixedKeepAlivePolicy(), 2, 903],
    ["no keep-alive", noKeepAlivePolicy(), 3, 6],
    ["knative-style", knativeScaleToZeroPolicy(), 3, 182],
  ])("%s", (_name, policy, coldStarts, seconds) => {
    const report = replayTrace(sparse, policy, { coldStartMs: 1000 });
    expect(report.requests).toBe(3);
    expect(report.coldStarts).toBe(coldStarts);
    expect(report.warmInstanceSeconds).toBeCloseTo(seconds, 6);
    expect(report.busyInstanceSeconds).toBeCloseTo(3, 6);
    expect(report.wastedInstanceSeconds).toBeCloseTo(seconds - 3, 6);
    expect(report.waitedRequests).toBe(coldStarts);
  });

  it("a pre-warmed instance turns a request into a warm start", () => {
    const prewarm: CapacityPolicy = { name: "one always", decide: (view) => ({ target: Math.max(1, view.instances.filter((i) => i.active > 0).length) }) };
    const report = replayTrace([{ at: 10_000, serviceMs: 100 }], prewarm, { coldStartMs: 1000, start: 0 });
    expect(report.coldStarts).toBe(0);
    expect(report.meanWaitMs).toBe(0);
  });

  it("refuses bad traces and options with the field named", () => {
    expect(() => replayTrace([{ at: 0, serviceMs: -1 }], noKeepAlivePolicy())).toThrow(/trace\[0\]\.serviceMs/);
    expect(() => replayTrace(sparse, noKeepAlivePolicy(), { tickMs: 0 })).toThrow(ValidationError);
    expect(() => replayTrace(sparse, noKeepAlivePolicy(), { start: 10 })).toThrow(/options\.start/);
  });
});

const traceArb = fc
  .array(fc.record({ at: fc.integer({ min: 0, max: 3_600_000 }), serviceMs: fc.integer({ min: 0, max: 30_000 }) }), { minLength: 1, maxLength: 60 })
  .map((xs) => xs.sort((a, b) => a.at - b.at));

describe("replay invariants (property)", () => {
  it("is deterministic and its accounting is consistent for every policy", () => {
    fc.assert(
      fc.property(traceArb, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 10_000 }), (trace, concurrency, coldStartMs) => {
        const options = { coldStartMs, concurrencyPerInstance: concurrency, tickMs: 5000 };
        const make = [() => fixedKeepAlivePolicy(), () => noKeepAlivePolicy(), () => knativeScaleToZeroPolicy(), () => idleHistogramPolicy(), () => hybridWarmingPolicy()];
        for (const policy of make) {
          const a = replayTrace(trace, policy(), options);
          expect(replayTrace(trace, policy(), options)).toEqual(a);
          expect(a.coldStarts).toBeGreaterThanOrEqual(1);
          expect(a.coldStarts).toBeLessThanOrEqual(a.requests);
          expect(a.warmInstanceSeconds + 1e-6).toBeGreaterThanOrEqual(a.busyInstanceSeconds);
          expect(a.peakInstances).toBeGreaterThanOrEqual(1);
        }
        // Never releasing anything: one cold start per instance ever started (more when requests share
        // a warming instance).
        const forever = replayTrace(trace, fixedKeepAlivePolicy(Number.MAX_SAFE_INTEGER), options);
        if (concurrency === 1) expect(forever.coldStarts).toBe(forever.peakInstances);
        else expect(forever.coldStarts).toBeGreaterThanOrEqual(forever.peakInstances);
        // Releasing everything idle: with one request per instance every request starts cold.
        if (concurrency === 1) expect(replayTrace(trace, noKeepAlivePolicy(), options).coldStarts).toBe(trace.length);
      }),
      { ...params, numRuns: Math.max(5, Math.floor(runs / 4)) },
    );
  });
});
