import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { ValidationError } from "../../src/core/errors.js";
import { MonitoringEngine } from "../../src/monitoring/engine.js";
import { MetricStore, type RecordInput } from "../../src/monitoring/store.js";
import { runOperation } from "../../src/workflow/run-node.js";
import { EdgeMonitoring } from "../../nodes/edge-monitoring.js";
import { testNodeContext } from "../support/node-context.js";
import { simRuns, simSeed } from "../support/sim.js";

const T0 = 1_700_000_000_000;
const FIVE_MINUTES = 300_000;

function caught(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error("expected a ValidationError");
}

describe("far-future timestamps", () => {
  it("refuses a sample more than maxFutureMs (default 5 min) ahead of the clock, naming timestamp and why", () => {
    const store = new MetricStore({ clock: new ManualClock(T0) });
    const error = caught(() => store.record({ edgeId: "e", metric: "latency", value: 1, timestamp: T0 + FIVE_MINUTES + 1 }));
    expect(error.issues).toEqual([expect.objectContaining({ path: "timestamp", code: "too_far_in_future" })]);
    expect(error.message).toMatch(/300001 ms ahead of the clock.*maxFutureMs \(300000\).*age out/);
    // The limit itself is accepted.
    store.record({ edgeId: "e", metric: "latency", value: 2, timestamp: T0 + FIVE_MINUTES });
    expect(store.latest()).toEqual([expect.objectContaining({ timestamp: T0 + FIVE_MINUTES, value: 2 })]);
  });

  it("keeps the history, and later samples in order, after a timestamp sent in the wrong unit", () => {
    const clock = new ManualClock(T0);
    const store = new MetricStore({ clock });
    for (let i = 0; i < 10; i++) {
      clock.advance(1_000);
      store.record({ edgeId: "e", metric: "latency", value: i });
    }
    // Microseconds where milliseconds were expected: about 1.7e15, tens of thousands of years ahead.
    expect(() => store.record({ edgeId: "e", metric: "latency", value: 99, timestamp: clock.now() * 1000 })).toThrow(ValidationError);
    clock.advance(1_000);
    store.record({ edgeId: "e", metric: "latency", value: 10 });
    expect(store.samples({ edgeId: "e", metric: "latency" }).map((s) => s.value)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("checks the fast ingest path too", () => {
    const clock = new ManualClock(T0);
    const store = new MetricStore({ clock, config: { maxFutureMs: 1_000 } });
    const handle = store.seriesId("e", "latency");
    expect(caught(() => store.appendTo(handle, 1, T0 + 1_001)).issues[0]?.path).toBe("timestamp");
    store.appendTo(handle, 1, T0 + 1_000);
    expect(store.footprint().samples).toBe(1);
  });

  it("leaves no empty series behind for a refused sample of a new series", () => {
    const engine = new MonitoringEngine({ clock: new ManualClock(T0) });
    expect(() => engine.record({ edgeId: "new", metric: "latency", value: 1, timestamp: T0 + 10 * FIVE_MINUTES })).toThrow(ValidationError);
    expect(() => engine.record({ edgeId: "new", metric: "error_rate", value: 101 })).toThrow(ValidationError);
    expect(engine.store.keys()).toEqual([]);
    expect(engine.healthAll()).toEqual([]);
    expect(engine.query()).toEqual([]);
  });

  it("refuses the whole batch, reporting each far-future sample and judging the others on their own", () => {
    const clock = new ManualClock(T0);
    const store = new MetricStore({ clock });
    store.record({ edgeId: "e", metric: "latency", value: 1 });
    const batch: RecordInput[] = [
      { edgeId: "e", metric: "latency", value: 2, timestamp: T0 + 1 },
      { edgeId: "e", metric: "latency", value: 3, timestamp: T0 * 1000 },
      // Not out of order: the refused sample above does not count as the series' latest.
      { edgeId: "e", metric: "latency", value: 4, timestamp: T0 + 2 },
      { edgeId: "f", metric: "latency", value: 5 },
    ];
    const error = caught(() => store.recordBatch(batch));
    expect(error.issues.map((i) => [i.path, i.code])).toEqual([["samples[1].timestamp", "too_far_in_future"]]);
    expect(store.footprint()).toMatchObject({ series: 1, samples: 1 });
    expect(store.edges()).toEqual(["e"]);
    store.recordBatch([batch[0] as RecordInput, batch[2] as RecordInput, batch[3] as RecordInput]);
    expect(store.footprint()).toMatchObject({ series: 2, samples: 4 });
  });

  it("refuses a batch that would exceed maxSeries before storing any of it", () => {
    const store = new MetricStore({ clock: new ManualClock(T0), config: { maxSeries: 2 } });
    store.record({ edgeId: "a", metric: "latency", value: 1 });
    const error = caught(() =>
      store.recordBatch([
        { edgeId: "a", metric: "latency", value: 2 },
        { edgeId: "b", metric: "latency", value: 2 },
        { edgeId: "c", metric: "latency", value: 2 },
      ]),
    );
    expect(error.issues[0]?.code).toBe("too_many_series");
    expect(store.footprint()).toMatchObject({ series: 1, samples: 1 });
  });

  it("validates maxFutureMs", () => {
    const clock = new ManualClock(T0);
    for (const maxFutureMs of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(caught(() => new MetricStore({ clock, config: { maxFutureMs } })).issues[0]?.path).toBe("config.maxFutureMs");
    }
    expect(() => new MonitoringEngine({ clock, config: { store: { maxFutureMs: -1 } } })).toThrow(/maxFutureMs/);
    const strict = new MonitoringEngine({ clock, config: { store: { maxFutureMs: 0 } } });
    expect(() => strict.record({ edgeId: "e", metric: "latency", value: 1, timestamp: T0 + 1 })).toThrow(/ahead of the clock/);
    strict.record({ edgeId: "e", metric: "latency", value: 1, timestamp: T0 });
  });

  it("is refused through the EdgeMonitoring node, with nothing recorded", async () => {
    const ctx = testNodeContext({ clock: new ManualClock(T0) });
    await expect(runOperation(EdgeMonitoring, "record_metric", { edgeId: "e", metric: "latency", value: 1, timestamp: T0 + 2 * FIVE_MINUTES }, {}, ctx)).rejects.toThrow(/timestamp/);
    await expect(
      runOperation(EdgeMonitoring, "record_metric", { edgeId: "e", metric: "latency", value: 1 }, { samples: [{ edgeId: "e", metric: "latency", value: 2, timestamp: T0 * 1000 }] }, ctx),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(await runOperation(EdgeMonitoring, "query_metrics", {}, {}, ctx)).toEqual({ series: [] });
  });
});

const EDGES = ["edge-a", "edge-b", "edge-c"] as const;
const METRICS = ["latency", "error_rate", "throughput"] as const;
const RESOLUTIONS = ["auto", "raw", "1m", "5m", "1h"] as const;

interface Step {
  readonly gapMs: number;
  readonly edge: number;
  readonly metric: number;
  readonly value: number;
}
const stepArb: fc.Arbitrary<Step> = fc.record({
  gapMs: fc.integer({ min: 0, max: 120_000 }),
  edge: fc.nat({ max: EDGES.length - 1 }),
  metric: fc.nat({ max: METRICS.length - 1 }),
  value: fc.double({ min: 0, max: 100, noNaN: true }),
});

function recordStep(engine: MonitoringEngine, clock: ManualClock, step: Step): void {
  clock.advance(step.gapMs);
  engine.record({ edgeId: EDGES[step.edge] as string, metric: METRICS[step.metric] as string, value: step.value });
}

/** Everything a caller can read back from the engine. */
async function observe(engine: MonitoringEngine): Promise<unknown> {
  const keys = engine.store.keys();
  return {
    queries: RESOLUTIONS.map((resolution) => engine.query({ resolution })),
    samples: keys.map((key) => engine.store.samples(key)),
    keys,
    edges: engine.store.edges(),
    latest: engine.store.latest(),
    footprint: engine.store.footprint(),
    health: engine.healthAll(),
    alerts: engine.alerts({ includeResolved: true }),
    analytics: engine.analytics(),
    summary: engine.summary(),
    prometheus: await engine.prometheus(),
  };
}

describe("a refused far-future sample (property)", () => {
  it("leaves every query result unchanged, now and after later samples", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(stepArb, { minLength: 0, maxLength: 40 }),
        fc.integer({ min: 0, max: 600_000 }),
        fc.oneof(fc.integer({ min: 1, max: 1e12 }), fc.constant(-1)),
        fc.constantFrom("record", "batch", "append"),
        fc.nat({ max: EDGES.length }),
        fc.nat({ max: METRICS.length - 1 }),
        stepArb,
        async (history, maxFutureMs, ahead, via, edgeIndex, metricIndex, next) => {
          const config = { store: { maxFutureMs } };
          const clock = new ManualClock(T0);
          const twinClock = new ManualClock(T0);
          const engine = new MonitoringEngine({ clock, config });
          const twin = new MonitoringEngine({ clock: twinClock, config });
          for (const step of history) {
            recordStep(engine, clock, step);
            recordStep(twin, twinClock, step);
          }
          engine.evaluate();
          twin.evaluate();
          // The fast path takes a handle, so its series exists (empty or not) before the refused append.
          const handle = via === "append" ? engine.store.seriesId("edge-a", "latency") : undefined;
          if (via === "append") twin.store.seriesId("edge-a", "latency");
          const before = await observe(engine);

          const now = clock.now();
          // -1 stands for a millisecond clock read as microseconds.
          const timestamp = ahead === -1 ? now * 1000 : now + maxFutureMs + ahead;
          const refused: RecordInput = { edgeId: EDGES[edgeIndex] ?? "edge-new", metric: METRICS[metricIndex] as string, value: 1, labels: edgeIndex === EDGES.length ? { route: "/new" } : {}, timestamp };
          const attempt = (): void => {
            if (via === "record") engine.record(refused);
            else if (via === "batch") engine.recordBatch([{ edgeId: "edge-a", metric: "latency", value: 1 }, refused, { edgeId: "edge-new", metric: "throughput", value: 2 }]);
            else engine.store.appendTo(handle ?? -1, 1, timestamp);
          };
          const error = caught(attempt);
          expect(error.issues.some((i) => i.path.endsWith("timestamp") && i.code === "too_far_in_future")).toBe(true);
          expect(await observe(engine)).toEqual(before);

          // The anomaly detectors saw nothing either: the next sample scores the same in both.
          recordStep(engine, clock, next);
          recordStep(twin, twinClock, next);
          engine.evaluate();
          twin.evaluate();
          expect(await observe(engine)).toEqual(await observe(twin));
        },
      ),
      { numRuns: simRuns(40), seed: simSeed(2026) },
    );
  });
});
