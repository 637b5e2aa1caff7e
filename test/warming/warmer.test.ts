import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { ValidationError } from "../../src/core/errors.js";
import { Random } from "../../src/core/random.js";
import { EdgeLifecycle } from "../../src/lifecycle/lifecycle.js";
import type { LifecycleTransition } from "../../src/lifecycle/types.js";
import { LifecycleWarmingActuator, PredictiveWarmer, type UsageRecordInput, type WarmingDecision } from "../../src/warming/index.js";

const seed = process.env.SIM_SEED === undefined ? undefined : Number(process.env.SIM_SEED);
const runs = Number(process.env.SIM_RUNS ?? "20");
const params = { numRuns: runs, ...(seed === undefined ? {} : { seed }) };

const MIN = 60_000;
const HOUR = 60 * MIN;
const WEEK = 7 * 24 * HOUR;

function setup(start = 0, options: Partial<ConstructorParameters<typeof PredictiveWarmer>[0]> = {}): { clock: ManualClock; warmer: PredictiveWarmer; lifecycle: EdgeLifecycle } {
  const clock = new ManualClock(start);
  const lifecycle = new EdgeLifecycle({ clock });
  const warmer = new PredictiveWarmer({ clock, random: new Random(7), lifecycle, ...options });
  return { clock, warmer, lifecycle };
}

const use = (edge: string, timestamp: number, extra: Partial<UsageRecordInput> = {}): UsageRecordInput => ({ edge, workloadType: "api", timestamp, resources: { cpu: 1, memoryMb: 256 }, ...extra });

describe("PredictiveWarmer strategies", () => {
  it("time series: an edge used every minute is predicted, an edge silent for hours is not", () => {
    const { clock, warmer } = setup(0, { bucketMs: 5 * MIN });
    for (let t = 0; t < 6 * HOUR; t += MIN) warmer.recordUsage(use("busy", t));
    warmer.recordUsage(use("quiet", 0));
    clock.advanceTo(6 * HOUR);
    const decisions = warmer.predict({ strategy: "time_series", horizonMs: 10 * MIN });
    expect(decisions.map((d) => d.edge)).toEqual(["busy"]);
    expect(decisions[0]?.confidence).toBeGreaterThan(0.99);
    expect(decisions[0]?.strategy).toBe("time_series");
    expect(decisions[0]?.reasons[0]).toMatch(/forecasts/);
    expect(decisions[0]?.resources).toEqual({ cpu: 1, memoryMb: 256 });
  });

  it("idle time: a function run every 30 minutes is predicted only near its next run", () => {
    const { clock, warmer } = setup();
    for (let i = 0; i < 20; i++) warmer.recordUsage(use("timer", i * 30 * MIN));
    const last = 19 * 30 * MIN;
    clock.advanceTo(last + 5 * MIN);
    expect(warmer.predict({ strategy: "idle_time", horizonMs: 5 * MIN })).toEqual([]);
    clock.advanceTo(last + 25 * MIN);
    const decisions = warmer.predict({ strategy: "idle_time", horizonMs: 10 * MIN });
    expect(decisions.map((d) => d.edge)).toEqual(["timer"]);
    expect(decisions[0]?.at).toBe(last + 27 * MIN);
    expect(decisions[0]?.reasons.join(" ")).toMatch(/representative/);
  });

  it("geographic: a cluster of users near one site warms that site, not the far one", () => {
    const { clock, warmer } = setup(0, {
      sites: [
        { id: "paris", location: { lat: 48.85, lon: 2.35 } },
        { id: "tokyo", location: { lat: 35.68, lon: 139.69 } },
      ],
    });
    const random = new Random(3);
    for (let i = 0; i < 60; i++) warmer.recordUsage(use("paris", i * 10_000, { user: `u${i}`, location: { lat: 48.85 + random.uniform(-0.1, 0.1), lon: 2.35 + random.uniform(-0.1, 0.1) } }));
    clock.advanceTo(10 * MIN);
    const decisions = warmer.predict({ strategy: "geographic", horizonMs: 5 * MIN });
    expect(decisions.map((d) => d.edge)).toEqual(["paris"]);
    expect(decisions[0]?.reasons[0]).toMatch(/km from this edge/);
  });

  it("user behaviour: a user active every Monday 9:00 is expected there next Monday", () => {
    const { clock, warmer } = setup();
    const monday9 = 4 * 24 * HOUR + 9 * HOUR; // the epoch was a Thursday
    for (let week = 0; week < 3; week++) warmer.recordUsage(use("office", monday9 + week * WEEK + 10 * MIN, { user: "alice" }));
    clock.advanceTo(monday9 + 3 * WEEK - 30 * MIN);
    const decisions = warmer.predict({ strategy: "user_behavior", horizonMs: HOUR });
    expect(decisions.map((d) => d.edge)).toEqual(["office"]);
    expect(decisions[0]?.at).toBe(monday9 + 3 * WEEK);
    clock.advanceTo(monday9 + 3 * WEEK + 4 * HOUR);
    expect(warmer.predict({ strategy: "user_behavior", horizonMs: HOUR })).toEqual([]);
  });

  it("workload: the recent mix is described and sizes the resources", () => {
    const { clock, warmer } = setup();
    for (let i = 0; i < 30; i++) warmer.recordUsage(use("gpu-edge", i * 30_000, { workloadType: i % 3 === 0 ? "training" : "inference", resources: { gpu: i % 3 === 0 ? 4 : 1 } }));
    clock.advanceTo(15 * MIN);
    const [decision] = warmer.predict({ strategy: "workload", horizonMs: 5 * MIN });
    expect(decision?.reasons[0]).toMatch(/67% inference, 33% training/);
    expect(decision?.resources.gpu).toBeCloseTo(2);
  });

  it("hybrid: combines the strategies with their weights and explains each part", () => {
    const { clock, warmer } = setup();
    for (let t = 0; t < 2 * HOUR; t += MIN) warmer.recordUsage(use("edge-a", t));
    clock.advanceTo(2 * HOUR);
    const [decision] = warmer.predict();
    expect(decision?.strategy).toBe("hybrid");
    expect(decision?.reasons.some((r) => r.startsWith("time_series (weight"))).toBe(true);
    expect(decision?.reasons.some((r) => r.startsWith("idle_time (weight"))).toBe(true);
  });
});

describe("PredictiveWarmer evaluation and feedback", () => {
  it("scores decisions against the usage that followed and adapts the hybrid weights", () => {
    const { clock, warmer } = setup();
    for (let t = 0; t < HOUR; t += MIN) warmer.recordUsage([use("steady", t), use("stops", t)]);
    clock.advanceTo(HOUR);
    const decided = warmer.predict({ horizonMs: 10 * MIN }).map((d) => d.edge);
    expect(decided).toEqual(["steady", "stops"]);
    for (let t = HOUR; t < HOUR + 10 * MIN; t += MIN) warmer.recordUsage([use("steady", t), use("new", t)]);
    clock.advanceTo(HOUR + 10 * MIN);
    const before = warmer.weights;
    const evaluation = warmer.evaluate();
    expect(evaluation.rounds).toBe(1);
    expect(evaluation.overall).toMatchObject({ truePositives: 1, falsePositives: 1, falseNegatives: 1, precision: 0.5, recall: 0.5, f1: 0.5 });
    expect(evaluation.weights.time_series).toBeCloseTo(0.7 * before.time_series + 0.3 * evaluation.byStrategy.time_series.f1);
    expect(warmer.evaluate().rounds).toBe(0);
    expect(warmer.metrics()).toMatchObject({ predictions: 1, decisions: 2, pendingEvaluations: 0, edges: 3 });
  });

  it("validates every record before storing any", () => {
    const { warmer } = setup();
    expect(() => warmer.recordUsage([use("a", 1), { edge: "b", workloadType: "api", timestamp: -5 }])).toThrow(ValidationError);
    expect(() => warmer.recordUsage([use("a", 1), { edge: "b", workloadType: "api", timestamp: -5 }])).toThrow(/usage\[1\]\.timestamp/);
    expect(warmer.metrics().records).toBe(0);
    expect(() => warmer.predict({ horizonMs: -1 })).toThrow(/options\.horizonMs/);
  });

  it("is deterministic for a seed (property)", () => {
    const record = fc.record({
      edge: fc.constantFrom("e1", "e2", "e3"),
      user: fc.constantFrom("u1", "u2", "u3", "u4"),
      location: fc.record({ lat: fc.double({ min: 40, max: 50, noNaN: true }), lon: fc.double({ min: 0, max: 10, noNaN: true }) }),
      workloadType: fc.constantFrom("api", "batch"),
      timestamp: fc.integer({ min: 0, max: 4 * HOUR }),
      resources: fc.record({ cpu: fc.integer({ min: 0, max: 8 }) }),
    });
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 80 }), fc.integer(), (records, s) => {
        const run = (): readonly WarmingDecision[] => {
          const clock = new ManualClock(0);
          const warmer = new PredictiveWarmer({ clock, random: new Random(s) });
          warmer.recordUsage(records);
          clock.advanceTo(4 * HOUR);
          return [...warmer.predict(), ...warmer.predict({ strategy: "geographic" })];
        };
        expect(run()).toEqual(run());
      }),
      params,
    );
  });
});

describe("warming through the lifecycle engine", () => {
  it("moves an edge warming → active, leaves an active one alone, and reports a failed warm-up", async () => {
    const clock = new ManualClock(0);
    const lifecycle = new EdgeLifecycle({ clock });
    const transitions: LifecycleTransition[] = [];
    lifecycle.events.on("lifecycle:transition", (t) => transitions.push(t));
    const actuator = new LifecycleWarmingActuator({
      lifecycle,
      clock,
      prepare: async (decision) => {
        if (decision.edge === "broken") throw new Error("image pull failed");
      },
    });
    const warmer = new PredictiveWarmer({ clock, random: new Random(1), actuator });
    const decision = (edge: string): WarmingDecision => ({ edge, confidence: 0.9, at: 0, resources: {}, strategy: "hybrid", reasons: [] });
    const outcomes = await warmer.warm([decision("edge-1"), decision("edge-1"), decision("broken")]);
    expect(outcomes.map((o) => o.outcome)).toEqual(["warmed", "already_active", "failed"]);
    expect(outcomes[2]?.reason).toMatch(/image pull failed/);
    expect(transitions.filter((t) => t.edgeId === "edge-1").map((t) => `${t.from}→${t.to}`)).toEqual(["initialized→warming", "warming→active"]);
    expect(lifecycle.get("broken").state).toBe("failed");
    expect(warmer.metrics()).toMatchObject({ warmed: 1, warmFailures: 1 });
  });

  it("the default actuator waits its warm-up on the clock", async () => {
    const clock = new ManualClock(0);
    const lifecycle = new EdgeLifecycle({ clock });
    const actuator = new LifecycleWarmingActuator({ lifecycle, clock, warmupMs: 5000 });
    const pending = actuator.warm({ edge: "e", confidence: 1, at: 0, resources: {}, strategy: "workload", reasons: [] });
    await clock.advanceAsync(0);
    expect(lifecycle.get("e").state).toBe("warming");
    await clock.advanceAsync(5000);
    expect(await pending).toEqual({ edge: "e", outcome: "warmed", state: "active" });
  });

  it("the auto loop predicts, warms and evaluates on the injected clock until stopped", async () => {
    const { clock, warmer, lifecycle } = setup();
    for (let t = 0; t < HOUR; t += MIN) warmer.recordUsage(use("auto-edge", t));
    clock.advanceTo(HOUR);
    warmer.startAuto({ intervalMs: 5 * MIN, horizonMs: 5 * MIN });
    expect(warmer.metrics().autoRunning).toBe(true);
    await clock.advanceAsync(15 * MIN);
    expect(warmer.metrics().predictions).toBe(3);
    expect(lifecycle.get("auto-edge").state).toBe("active");
    warmer.stopAuto();
    await clock.advanceAsync(15 * MIN);
    expect(warmer.metrics()).toMatchObject({ predictions: 3, autoRunning: false });
    await warmer.close();
    expect(() => warmer.predict()).toThrow(/closed/);
  });
});
