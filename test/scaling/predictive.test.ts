import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { SeasonalNaiveForecaster } from "../../src/forecast/seasonal-naive.js";
import { buildDecision, DecisionEvaluator, instancesFor, intervalConfidence } from "../../src/scaling/decisions.js";
import { PredictivePlanner } from "../../src/scaling/predictive.js";
import { ResourceScaler } from "../../src/scaling/scaler.js";
import { ScheduledScaler } from "../../src/scaling/scheduled.js";
import { fcParams } from "../resources/fc.js";

/** A daily-shaped series: `period` steps per season, peak `peak`. */
function seasonal(period: number, seasons: number, peak: number): number[] {
  return Array.from({ length: period * seasons }, (_v, i) => Math.round(peak * (0.5 + 0.5 * Math.sin((2 * Math.PI * (i % period)) / period))));
}

describe("PredictivePlanner", () => {
  it("launches capacity a lead time before forecast demand", () => {
    const planner = new PredictivePlanner({ stepMs: 60_000, period: 12, leadTimeMs: 180_000, windowMs: 60_000, buffer: 0, bound: "mean", confidenceThreshold: 0 }, new SeasonalNaiveForecaster());
    const history = seasonal(12, 3, 100);
    // The season repeats: steps 3..4 ahead are history[len-12+2..3].
    const ahead = Math.max(history[history.length - 12 + 2] ?? 0, history[history.length - 12 + 3] ?? 0);
    const plan = planner.plan(history, 0, 10);
    expect(plan.applied).toBe(true);
    expect(plan.target).toBe(Math.ceil(ahead / 10));
  });

  it("never scales in on a forecast alone: the target never falls below what observed demand needs", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 24, maxLength: 60 }), fc.integer({ min: 0, max: 300 }), (history, observed) => {
        const planner = new PredictivePlanner({ stepMs: 60_000, period: 6, confidenceThreshold: 0 }, new SeasonalNaiveForecaster());
        const plan = planner.plan(history, observed, 7);
        expect(plan.target).toBeGreaterThanOrEqual(instancesFor(observed, 7));
      }),
      fcParams(100),
    );
  });

  it("a forecast of zero demand is a legitimate zero, not a division by zero", () => {
    const planner = new PredictivePlanner({ stepMs: 60_000, confidenceThreshold: 0.5 }, new SeasonalNaiveForecaster());
    const plan = planner.plan(Array<number>(20).fill(0), 0, 5);
    expect(plan).toMatchObject({ target: 0, applied: true, confidence: 1 });
    expect(intervalConfidence(0, 0, 0)).toBe(1);
    expect(intervalConfidence(0, 0, 4)).toBe(0);
    expect(intervalConfidence(10, 8, 12)).toBeCloseTo(10 / 12);
  });

  it("does not act on a forecast whose interval is too wide, nor on too short a history", () => {
    const noisy = Array.from({ length: 40 }, (_v, i) => (i % 2 === 0 ? 0 : 100));
    const planner = new PredictivePlanner({ stepMs: 60_000, confidenceThreshold: 0.9 }, new SeasonalNaiveForecaster());
    const plan = planner.plan(noisy, 30, 10);
    expect(plan.applied).toBe(false);
    expect(plan.target).toBe(3);
    expect(new PredictivePlanner({ stepMs: 60_000 }, new SeasonalNaiveForecaster()).plan([1, 2], 12, 10)).toMatchObject({ applied: false, target: 2 });
  });
});

describe("ScheduledScaler", () => {
  it("holds the floor from each cron start for its duration", () => {
    const scheduled = new ScheduledScaler([{ name: "office", cron: "0 9 * * 1-5", durationMs: 8 * 3_600_000, minInstances: 40 }]);
    const monday9 = Date.UTC(2026, 0, 5, 9, 0); // 5 Jan 2026 is a Monday
    expect(scheduled.boundsAt(monday9 - 1).minInstances).toBe(0);
    expect(scheduled.boundsAt(monday9)).toMatchObject({ minInstances: 40, active: ["office"] });
    expect(scheduled.boundsAt(monday9 + 8 * 3_600_000 - 1).minInstances).toBe(40);
    expect(scheduled.boundsAt(monday9 + 8 * 3_600_000).minInstances).toBe(0);
    expect(scheduled.boundsAt(Date.UTC(2026, 0, 10, 10, 0)).minInstances).toBe(0); // Saturday
  });

  it("reports every malformed cron field at once", () => {
    expect(() => new ScheduledScaler([{ name: "a", cron: "61 * * * *", durationMs: 1, minInstances: 1 }, { name: "b", cron: "* * *  * ", durationMs: 1, minInstances: 1 }])).toThrow(
      /schedules\[0\]\.cron[\s\S]*schedules\[1\]\.cron/,
    );
  });
});

describe("decisions", () => {
  it("carry urgency, cost, risk and approval derived from load and change", () => {
    const base = { id: "d", service: "s", strategy: "kpa" as const, now: 0, effectiveAt: 0, confidence: 1, reason: "r", perInstance: 10, pricePerInstanceHour: 0.5, currency: "USD", confidenceThreshold: 0.5, approvalStep: 5 };
    const urgent = buildDecision({ ...base, current: 2, target: 4, observed: 35 });
    expect(urgent).toMatchObject({ direction: "up", urgency: "critical", costEstimate: { instanceDelta: 2, hourlyDelta: 1, hourlyTotal: 2 }, requiresApproval: false });
    const fromZero = buildDecision({ ...base, current: 0, target: 1, observed: 3 });
    expect(fromZero.urgency).toBe("critical");
    const risky = buildDecision({ ...base, current: 10, target: 2, observed: 50 });
    expect(risky.risk.level).toBe("high");
    expect(risky.requiresApproval).toBe(true);
    const idle = buildDecision({ ...base, current: 0, target: 0, observed: 0 });
    expect(idle).toMatchObject({ direction: "hold", urgency: "low", risk: { level: "low" } });
  });

  it("evaluation raises the threshold after a confident miss and lowers it after a hit", () => {
    const evaluator = new DecisionEvaluator({ initialThreshold: 0.5, learningRate: 0.2, overTolerance: 0.25, minThreshold: 0.1, maxThreshold: 0.9 });
    const decision = buildDecision({ id: "d", service: "s", strategy: "predictive", now: 0, effectiveAt: 0, confidence: 0.8, reason: "", perInstance: 10, pricePerInstanceHour: 0, currency: "USD", confidenceThreshold: 0.5, approvalStep: 5, current: 1, target: 3, observed: 10 });
    const miss = evaluator.evaluate(decision, 80);
    expect(miss).toMatchObject({ outcome: "under_provisioned", needed: 8, thresholdBefore: 0.5 });
    expect(miss.thresholdAfter).toBeCloseTo(0.58);
    const hit = evaluator.evaluate(decision, 25);
    expect(hit.outcome).toBe("correct");
    expect(hit.thresholdAfter).toBeLessThan(miss.thresholdAfter);
    expect(hit.accuracy).toBe(0.5);
    expect(evaluator.evaluate(decision, 0).outcome).toBe("over_provisioned");
  });
});

describe("ResourceScaler", () => {
  it("every strategy yields a decision; hybrid is never below KPA", () => {
    const clock = new ManualClock(0);
    const scaler = new ResourceScaler({ perInstance: 10, stepMs: 10_000, period: 6, leadTimeMs: 20_000, model: "seasonal_naive", schedules: [{ name: "always", cron: "* * * * *", durationMs: 60_000, minInstances: 1 }] }, { clock });
    const shape = [5, 10, 40, 80, 40, 10];
    for (let s = 0; s < 240; s++) {
      scaler.recordUsage({ service: "api", demand: shape[Math.floor(s / 10) % 6] ?? 0, instances: 3 });
      clock.advance(1_000);
    }
    for (const strategy of ["kpa", "hpa", "predictive", "scheduled", "hybrid"] as const) {
      const d = scaler.predictScaling("api", { strategy, current: 3 });
      expect(d.strategy).toBe(strategy);
      expect(d.target).toBeGreaterThanOrEqual(1);
      expect(d.reason.length).toBeGreaterThan(0);
    }
    const kpa = scaler.predictScaling("api", { strategy: "kpa", current: 3 }).target;
    expect(scaler.predictScaling("api", { strategy: "hybrid", current: 3 }).target).toBeGreaterThanOrEqual(kpa);
    const f = scaler.forecast("api", "immediate");
    expect(f.mean).toHaveLength(30);
    expect(f.confidence).toBeGreaterThanOrEqual(0);
    expect(() => scaler.forecast("nope", "short")).toThrow(/nope/);
  });

  it("runs periodically on the clock until stopped, and evaluations move the threshold", async () => {
    const clock = new ManualClock(0);
    const scaler = new ResourceScaler({ strategy: "kpa", perInstance: 5 }, { clock });
    scaler.recordUsage({ service: "a", demand: 12, instances: 1 });
    const seen: string[] = [];
    scaler.on("decision", (d) => seen.push(d.id));
    scaler.start(2_000);
    clock.advance(6_000);
    expect(seen).toHaveLength(3);
    scaler.stop();
    clock.advance(6_000);
    expect(seen).toHaveLength(3);
    const id = seen[0] ?? "";
    const before = scaler.confidenceThreshold("kpa");
    const evaluation = scaler.evaluateDecision(id, 1_000);
    expect(evaluation.outcome).toBe("under_provisioned");
    expect(scaler.confidenceThreshold("kpa")).toBeGreaterThan(before);
    await scaler.close();
    expect(() => scaler.recordUsage({ service: "a", demand: 1 })).toThrow(/closed/);
  });

  it("validates inputs and leaves state unchanged", () => {
    const scaler = new ResourceScaler({}, { clock: new ManualClock(0) });
    expect(() => scaler.recordUsage({ service: "a", demand: -1 })).toThrow(/demand/);
    expect(scaler.serviceNames()).toEqual([]);
    expect(() => new ResourceScaler({ minInstances: 5, maxInstances: 2 }, { clock: new ManualClock(0) })).toThrow(/maxInstances/);
  });
});
