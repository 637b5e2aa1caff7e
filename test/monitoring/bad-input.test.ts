import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { ClosedError } from "../../src/core/errors.js";
import { TypedEmitter } from "../../src/core/events.js";
import { AlertManager, classify } from "../../src/monitoring/alerts.js";
import { prometheusExposition } from "../../src/monitoring/export.js";
import { edgeHealth } from "../../src/monitoring/health.js";
import { recommend } from "../../src/monitoring/recommendations.js";
import { detectChangePoints, analyseSeries } from "../../src/monitoring/analytics.js";
import { MonitoringEngine } from "../../src/monitoring/engine.js";
import { MetricTypeRegistry, prometheusFamilyName } from "../../src/monitoring/metric-types.js";
import { exponentialMovingAverage, incompleteBeta, linearTrend, simpleMovingAverage, studentTTwoSided } from "../../src/monitoring/stats.js";
import { MetricStore } from "../../src/monitoring/store.js";
import type { MonitoringEvents } from "../../src/monitoring/types.js";
import { casesFor, checkInvalidCallsAreNoOps, expectRejectedUnchanged, NOT_IDS, NOT_NUMBERS, validationPaths, type BadCall } from "../support/bad-input.js";

const loose = <T>(value: unknown): T => value as T;
const finiteBad = NOT_NUMBERS.filter((v) => v !== undefined);

function engineSetup(): { engine: MonitoringEngine; clock: ManualClock } {
  const clock = new ManualClock(1_000_000);
  // No streaming detector: another part of the engine, and not what these tests are about.
  const engine = new MonitoringEngine({ clock, config: { anomalyDetection: { enabled: false } } });
  return { engine, clock };
}

function engineState(engine: MonitoringEngine): unknown {
  const summary = engine.summary();
  return {
    summary,
    query: engine.query(),
    alerts: engine.alerts({ includeResolved: true }),
    notifications: engine.alerting.notifications(),
    rules: engine.alerting.listRules(),
    types: engine.store.types.list(),
    keys: engine.store.keys(),
    samples: engine.store.keys().map((k) => engine.store.samples(k)),
    running: engine.monitorRunning,
  };
}

describe("MonitoringEngine and MetricStore refuse bad input and stay as they were", () => {
  it("every public method, table-driven", async () => {
    const { engine } = engineSetup();
    engine.record({ edgeId: "edge-1", metric: "latency", value: 100 });
    const handle = engine.store.seriesId("edge-1", "latency");
    const store = engine.store;
    const cases: BadCall[] = [
      ...casesFor("record", "", [null, 5, "x"], (v) => engine.record(v)),
      ...casesFor("record value", "value", finiteBad, (v) => engine.record({ edgeId: "edge-1", metric: "latency", value: v })),
      ...casesFor("record negative latency", "value", [-1], (v) => engine.record({ edgeId: "edge-1", metric: "latency", value: v })),
      ...casesFor("record timestamp", "timestamp", finiteBad, (v) => engine.record({ edgeId: "edge-1", metric: "latency", value: 1, timestamp: v })),
      ...casesFor("record edgeId", "edgeId", [...NOT_IDS.filter((v) => v !== "   "), "e".repeat(300)], (v) => engine.record({ edgeId: v, metric: "latency", value: 1 })),
      ...casesFor("record metric", "metric", ["", 5, "no_such_metric"], (v) => engine.record({ edgeId: "edge-1", metric: v, value: 1 })),
      ...casesFor("record labels", "labels", [null, 5, { edge: "x" }, { "bad-name": "x" }, { a: 5 }], (v) => engine.record({ edgeId: "edge-1", metric: "latency", value: 1, labels: v })),
      { name: "record out of order", path: "timestamp", call: () => engine.record({ edgeId: "edge-1", metric: "latency", value: 1, timestamp: 1 }) },
      ...casesFor("recordBatch", "samples", [null, 5, { length: 1 }], (v) => engine.recordBatch(v)),
      { name: "recordBatch one bad sample refuses all", path: "samples[1].value", call: () => engine.recordBatch([{ edgeId: "edge-2", metric: "latency", value: 1 }, { edgeId: "edge-2", metric: "latency", value: Number.NaN }]) },
      ...casesFor("query", "query", [null, 5, { from: Number.NaN }, { to: "5" }, { resolution: "1s" }, { from: 10, to: 5 }], (v) => engine.query(v)),
      ...casesFor("setThreshold", "rule", [null, { metric: "latency", direction: "up", thresholds: { warning: 1 } }, { metric: "latency", direction: "above", thresholds: { warning: Number.NaN } }, { metric: "latency", direction: "above", thresholds: {} }, { metric: "latency", direction: "above", thresholds: { warning: 1 }, forMs: -1 }], (v) => engine.setThreshold(v)),
      ...casesFor("registerMetricType", "metricType", [null, { name: "Bad Name", unit: "x" }, { name: "queue", unit: "" }, { name: "queue", unit: "x", min: Number.NaN }, { name: "latency", unit: "ms" }], (v) => engine.registerMetricType(v)),
      ...casesFor("health", "edgeId", NOT_IDS, (v) => engine.health(v)),
      ...casesFor("alerts", "filter", [null, { state: "burning" }, { edgeId: 5 }, { includeResolved: "yes" }], (v) => engine.alerts(v)),
      ...casesFor("analytics", "analytics", [null, { from: Number.NaN }, { options: { smaWindow: 0 } }, { options: { emaAlpha: 2 } }, { edgeId: "" }], (v) => engine.analytics(v)),
      ...casesFor("startMonitor", "intervalMs", [...finiteBad, 0, -1, 1.5], (v) => engine.startMonitor(v)),
      ...casesFor("store.seriesId edgeId", "edgeId", [5, null, ""], (v) => store.seriesId(v, "latency")),
      ...casesFor("store.seriesId labels", "labels", [null, 5], (v) => store.seriesId("edge-1", "latency", v)),
      ...casesFor("store.appendTo handle", "series", ["0", 1.5, -1, 99, Number.NaN], (v) => store.appendTo(v, 1)),
      ...casesFor("store.appendTo value", "value", [...finiteBad, -5], (v) => store.appendTo(handle, v)),
      ...casesFor("store.appendTo timestamp", "timestamp", finiteBad, (v) => store.appendTo(handle, 1, v)),
      ...casesFor("store.samples key", "key", [null, 5, { edgeId: 5, metric: "latency" }], (v) => store.samples(v)),
      ...casesFor("store.samples from", "from", [Number.NaN, "5", null], (v) => store.samples({ edgeId: "edge-1", metric: "latency" }, v)),
      ...casesFor("store.latest", "filter", [null, { edgeId: 5 }], (v) => store.latest(v)),
      ...casesFor("store.keys", "edgeId", [5, null, ""], (v) => store.keys(v)),
      ...casesFor("store.keyOf", "series", ["0", 1.5, 99], (v) => store.keyOf(v)),
      ...casesFor("types.get", "metric", [5, null, "nope"], (v) => store.types.get(v)),
      ...casesFor("types.has", "name", [5, null], (v) => store.types.has(v)),
      ...casesFor("alerting.ruleFor", "edgeId", [5, null], (v) => engine.alerting.ruleFor(v, "latency")),
      ...casesFor("alerting.evaluate observations", "observations", [null, 5, [{ key: null }], [{ key: { edgeId: "e", metric: "latency", labels: {} }, timestamp: 1, value: Number.NaN }]], (v) => engine.alerting.evaluate(v, 1, 1)),
      ...casesFor("alerting.evaluate now", "now", finiteBad, (v) => engine.alerting.evaluate([], v, 1)),
      ...casesFor("alerting.evaluate stalenessMs", "stalenessMs", [...finiteBad, -1], (v) => engine.alerting.evaluate([], 1, v)),
    ];
    await expectRejectedUnchanged(cases, () => engineState(engine));
  });

  it("constructors name the bad option", async () => {
    const clock = new ManualClock(0);
    const table: Array<[() => unknown, string]> = [
      [() => new MonitoringEngine(loose(null)), "options"],
      [() => new MonitoringEngine(loose({})), "options.clock"],
      [() => new MonitoringEngine({ clock, config: { stalenessMs: Number.NaN } }), "config.stalenessMs"],
      [() => new MonitoringEngine({ clock, config: { store: { maxSamplesPerSeries: 0 } } }), "config.store.maxSamplesPerSeries"],
      [() => new MetricStore(loose(null)), "options"],
      [() => new MetricStore({ clock, types: loose({}) }), "options.types"],
      [() => new MetricStore({ clock, config: { retentionMs: loose("5") } }), "config.retentionMs"],
      [() => new AlertManager(loose({}), new TypedEmitter<MonitoringEvents>()), "types"],
      [() => new AlertManager(new MetricTypeRegistry(), loose(null)), "events"],
      [() => new AlertManager(new MetricTypeRegistry(), new TypedEmitter<MonitoringEvents>(), Number.NaN), "historyLimit"],
    ];
    for (const [call, path] of table) {
      const paths = await validationPaths(call);
      expect(paths.some((p) => p.startsWith(path)), `${path}: ${JSON.stringify(paths)}`).toBe(true);
    }
  });

  it("the statistics functions refuse non-finite input instead of returning NaN", async () => {
    const table: Array<[() => unknown, string]> = [
      [() => linearTrend([1, 2, 3], [1, Number.NaN, 3]), "values[1]"],
      [() => linearTrend([1, 2], [1, 2, 3]), "values"],
      [() => linearTrend(loose(null), [1]), "timestamps"],
      [() => linearTrend([1, 2, 3], [1, 2, 3], Number.NaN), "alpha"],
      [() => simpleMovingAverage([1, loose("2")], 2), "values[1]"],
      [() => simpleMovingAverage([1, 2], 0), "window"],
      [() => simpleMovingAverage([1, 2], Number.NaN), "window"],
      [() => exponentialMovingAverage([1, 2], 0), "alpha"],
      [() => exponentialMovingAverage([Number.POSITIVE_INFINITY], 0.5), "values[0]"],
      [() => studentTTwoSided(Number.NaN, 3), "t"],
      [() => studentTTwoSided(1, 0), "df"],
      [() => incompleteBeta(Number.NaN, 1, 1), "x"],
      [() => incompleteBeta(0.5, -1, 1), "a"],
      [() => detectChangePoints([1, 2], [1, Number.NaN]), "values[1]"],
      [() => detectChangePoints([1, 2], [1, 2], { warmup: 0 }), "options.warmup"],
      [() => analyseSeries({ edgeId: "e", metric: "m", labels: {} }, [1], [Number.NaN]), "values[0]"],
      [() => analyseSeries({ edgeId: "e", metric: "m", labels: {} }, [1], [1], {}, loose({})), "detector"],
      [() => classify({ metric: "latency", direction: "above", thresholds: { warning: 1 }, forMs: 0, cooldownMs: 0 }, Number.NaN), "value"],
      [() => classify(loose(null), 5), "rule"],
      [() => recommend(loose(null), []), "analytics"],
      [() => recommend([], loose(5)), "firing"],
      [() => prometheusFamilyName(loose({ name: 5, unit: "ms" })), "type"],
    ];
    for (const [call, path] of table) expect(await validationPaths(call)).toContain(path);
    // An infinite t statistic (a perfect fit) is still a legitimate input.
    expect(studentTTwoSided(Number.POSITIVE_INFINITY, 3)).toBe(0);
  });

  it("edgeHealth and the exposition check their arguments", async () => {
    const { engine } = engineSetup();
    const table: Array<[() => unknown, string]> = [
      [() => edgeHealth(loose(5), [], engine.alerting, 1, 1), "edgeId"],
      [() => edgeHealth("e", [], loose({}), 1, 1), "alerts"],
      [() => edgeHealth("e", [], engine.alerting, Number.NaN, 1), "now"],
      [() => edgeHealth("e", [], engine.alerting, 1, -1), "stalenessMs"],
      [() => edgeHealth("e", loose([{ key: { edgeId: "e", metric: "latency", labels: {} }, timestamp: "1", value: 1 }]), engine.alerting, 1, 1), "observations[0].timestamp"],
      [() => prometheusExposition(loose(null)), "input"],
      [() => prometheusExposition(loose({ latest: [], health: [], alerts: [] })), "input"],
    ];
    for (const [call, path] of table) expect(await validationPaths(call)).toContain(path);
  });

  it("property: invalid calls mixed into any sequence of records and evaluations change nothing", async () => {
    type Op = { valid: true; kind: "record" | "advance" | "evaluate" | "threshold"; edge: number; value: number } | { valid: false; which: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ valid: fc.constant(true as const), kind: fc.constantFrom("record" as const, "record" as const, "advance" as const, "evaluate" as const, "threshold" as const), edge: fc.nat(1), value: fc.integer({ min: 0, max: 3_000 }) }),
      fc.record({ valid: fc.constant(false as const), which: fc.nat(6) }),
    );
    await checkInvalidCallsAreNoOps({
      ops: fc.array(op, { maxLength: 30 }),
      make: engineSetup,
      apply: ({ engine, clock }, o) => {
        if (!o.valid) {
          return [
            () => engine.record({ edgeId: "edge-0", metric: "latency", value: Number.NaN }),
            () => engine.record({ edgeId: "edge-0", metric: "latency", value: 1, timestamp: Number.POSITIVE_INFINITY }),
            () => engine.recordBatch([{ edgeId: "edge-1", metric: "latency", value: 1 }, loose({ edgeId: 5, metric: "latency", value: 1 })]),
            () => engine.store.appendTo(0, loose("7")),
            () => engine.setThreshold(loose({ metric: "latency", direction: "above", thresholds: { warning: "1" } })),
            () => engine.startMonitor(Number.NaN),
            () => engine.alerting.evaluate([], Number.NaN, 1),
          ][o.which]?.();
        }
        if (o.kind === "record") return engine.record({ edgeId: `edge-${o.edge}`, metric: "latency", value: o.value });
        if (o.kind === "advance") return clock.advance(o.value * 100);
        if (o.kind === "evaluate") return engine.evaluate();
        return engine.setThreshold({ metric: "latency", direction: "above", thresholds: { warning: o.value }, forMs: 0 });
      },
      snapshot: ({ engine }) => engineState(engine),
      runs: 40,
    });
  });

  it("close: idempotent, stops the monitor, refuses writes with a closed error; await using closes it", async () => {
    const { engine, clock } = engineSetup();
    {
      await using held = engine;
      held.startMonitor(1_000);
      expect(clock.pendingTimers()).toBe(1);
    }
    expect(clock.pendingTimers()).toBe(0);
    await engine.close();
    const writes = [
      () => engine.record({ edgeId: "e", metric: "latency", value: 1 }),
      () => engine.recordBatch([]),
      () => engine.evaluate(),
      () => engine.setThreshold({ metric: "latency", direction: "above", thresholds: { warning: 1 } }),
      () => engine.registerMetricType({ name: "queue", unit: "items" }),
      () => engine.startMonitor(1_000),
    ];
    for (const call of writes) expect(call).toThrow(ClosedError);
    expect(engine.summary().monitor.running).toBe(false);
  });
});
