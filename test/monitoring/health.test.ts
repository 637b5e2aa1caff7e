import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { MonitoringEngine } from "../../src/monitoring/engine.js";

function setup(): { clock: ManualClock; engine: MonitoringEngine } {
  const clock = new ManualClock(1_000_000);
  return { clock, engine: new MonitoringEngine({ clock, config: { stalenessMs: 60_000, anomalyDetection: { enabled: false } } }) };
}

describe("edge health", () => {
  it("is unknown with no data, healthy within thresholds", () => {
    const { engine } = setup();
    expect(engine.health("edge-1")).toMatchObject({ status: "unknown", reasons: [{ code: "no_data" }] });
    engine.record({ edgeId: "edge-1", metric: "latency", value: 120 });
    engine.record({ edgeId: "edge-1", metric: "availability", value: 99.9 });
    expect(engine.health("edge-1")).toMatchObject({ status: "healthy", reasons: [] });
  });

  it("moves healthy -> degraded -> unhealthy -> healthy as values cross thresholds", () => {
    const { clock, engine } = setup();
    const statusAt = (value: number): string => {
      clock.advance(1_000);
      engine.record({ edgeId: "edge-1", metric: "availability", value });
      return engine.health("edge-1").status;
    };
    expect([statusAt(99.5), statusAt(97), statusAt(94), statusAt(85), statusAt(99.95)]).toEqual(["healthy", "degraded", "unhealthy", "unhealthy", "healthy"]);
    statusAt(97);
    expect(engine.health("edge-1").reasons).toEqual([expect.objectContaining({ code: "threshold", metric: "availability", severity: "warning" })]);
  });

  it("goes unknown when every series is stale and degraded when only some are", () => {
    const { clock, engine } = setup();
    engine.record({ edgeId: "edge-1", metric: "latency", value: 100 });
    clock.advance(30_000);
    engine.record({ edgeId: "edge-1", metric: "throughput", value: 50 });
    expect(engine.health("edge-1").status).toBe("healthy");
    clock.advance(40_000); // latency is 70 s old, throughput 40 s
    expect(engine.health("edge-1")).toMatchObject({ status: "degraded", reasons: [{ code: "stale", metric: "latency" }] });
    clock.advance(30_000);
    expect(engine.health("edge-1").status).toBe("unknown");
    engine.record({ edgeId: "edge-1", metric: "latency", value: 100 });
    expect(engine.health("edge-1").status).toBe("degraded");
  });

  it("counts firing alerts with their severity", () => {
    const { clock, engine } = setup();
    engine.setThreshold({ metric: "error_rate", direction: "above", thresholds: { critical: 20 }, forMs: 0 });
    engine.record({ edgeId: "edge-1", metric: "error_rate", value: 30 });
    engine.evaluate();
    clock.advance(1_000);
    const health = engine.health("edge-1");
    expect(health.status).toBe("unhealthy");
    expect(health.reasons.map((r) => r.code).sort()).toEqual(["alert", "threshold"]);
  });
});

describe("streaming anomaly events", () => {
  it("emits anomaly:detected for a spike and lists it in the summary", () => {
    const clock = new ManualClock(0);
    const engine = new MonitoringEngine({ clock, config: { defaultRules: false } });
    const seen: number[] = [];
    engine.events.on("anomaly:detected", (e) => seen.push(e.timestamp));
    for (let i = 0; i < 900; i++) {
      clock.advance(300_000);
      engine.record({ edgeId: "edge-1", metric: "latency", value: i === 800 ? 900 : 100 + (i % 7) });
    }
    const spikeAt = 801 * 300_000;
    expect(seen).toContain(spikeAt);
    expect(engine.summary().recentAnomalies.map((a) => a.timestamp)).toContain(spikeAt);
  });

  it("scores samples recorded in a batch exactly as samples recorded one by one", () => {
    const samples = Array.from({ length: 900 }, (_, i) => ({
      edgeId: "edge-1",
      metric: "latency",
      value: i === 800 ? 900 : 100 + (i % 7),
      timestamp: (i + 1) * 300_000,
    }));
    // Each clock keeps up with what it is given: samples may be late, never far ahead of it.
    const singleClock = new ManualClock(0);
    const single = new MonitoringEngine({ clock: singleClock, config: { defaultRules: false } });
    for (const sample of samples) {
      singleClock.advanceTo(sample.timestamp);
      single.record(sample);
    }
    const batchedClock = new ManualClock(0);
    const batched = new MonitoringEngine({ clock: batchedClock, config: { defaultRules: false } });
    const seen: number[] = [];
    batched.events.on("anomaly:detected", (e) => seen.push(e.timestamp));
    for (let i = 0; i < samples.length; i += 100) {
      const batch = samples.slice(i, i + 100);
      batchedClock.advanceTo(batch.at(-1)?.timestamp ?? 0);
      batched.recordBatch(batch);
    }
    expect(seen).toContain(801 * 300_000);
    expect(batched.summary().recentAnomalies).toEqual(single.summary().recentAnomalies);
  });
});
