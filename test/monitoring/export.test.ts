import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { ValidationError } from "../../src/core/errors.js";
import { MonitoringEngine } from "../../src/monitoring/engine.js";

/** One exposition line: a comment, a blank line, or `name{label="escaped",...} value`. */
const sampleLine = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*",?)*\})? -?[0-9.e+-]+$/;

describe("Prometheus exposition", () => {
  it("is valid text format, escaping label values", async () => {
    const engine = new MonitoringEngine({ clock: new ManualClock(1_000) });
    engine.record({ edgeId: 'edge "west"\\1\nb', metric: "latency", value: 12.5, labels: { route: 'a"b\\c\nd' } });
    engine.record({ edgeId: "edge-2", metric: "error_rate", value: 30 });
    engine.evaluate();
    const text = await engine.prometheus();
    for (const line of text.split("\n")) {
      if (line === "" || line.startsWith("# HELP ") || line.startsWith("# TYPE ")) continue;
      expect(line).toMatch(sampleLine);
    }
    expect(text).toContain('edgeflow_latency_ms{edge="edge \\"west\\"\\\\1\\nb",route="a\\"b\\\\c\\nd"} 12.5');
  });

  it("refuses a user-defined metric type whose exposition family would collide with another (the export would fail whole)", async () => {
    const engine = new MonitoringEngine({ clock: new ManualClock(0) });
    // edgeflow_<name>_<unit>: "edge" + "health" is the health family; "error" + "rate_percent" is error_rate's.
    expect(() => engine.registerMetricType({ name: "edge", unit: "health" })).toThrow(ValidationError);
    expect(() => engine.registerMetricType({ name: "error", unit: "rate_percent" })).toThrow(/metricType\.name/);
    engine.registerMetricType({ name: "queue", unit: "depth_items" });
    expect(() => engine.registerMetricType({ name: "queue_depth", unit: "items" })).toThrow(ValidationError);
    engine.record({ edgeId: "e1", metric: "queue", value: 3 });
    engine.record({ edgeId: "e1", metric: "latency", value: 3 });
    await expect(engine.prometheus()).resolves.toContain("edgeflow_queue_depth_items{edge=\"e1\"} 3");
  });
});
