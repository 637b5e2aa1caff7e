import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { ValidationError } from "../../src/core/errors.js";
import { MonitoringEngine } from "../../src/monitoring/engine.js";
import { SEVERITIES, type AlertNotification, type Severity } from "../../src/monitoring/types.js";
import { simRuns, simSeed, withSeed } from "../support/sim.js";

function setup(rule: { forMs?: number; cooldownMs?: number } = {}): { clock: ManualClock; engine: MonitoringEngine; sent: AlertNotification[] } {
  const clock = new ManualClock(0);
  const engine = new MonitoringEngine({ clock, config: { anomalyDetection: { enabled: false }, stalenessMs: 60_000 } });
  engine.setThreshold({ metric: "latency", direction: "above", thresholds: { warning: 500, error: 1000, critical: 2000 }, forMs: rule.forMs ?? 30_000, cooldownMs: rule.cooldownMs ?? 300_000 });
  const sent: AlertNotification[] = [];
  engine.events.on("alert:firing", (n) => sent.push(n));
  engine.events.on("alert:resolved", (n) => sent.push(n));
  return { clock, engine, sent };
}

const rank = (s: Severity): number => SEVERITIES.indexOf(s);

/** Records `value` now and evaluates, then moves time on by `stepMs`. */
function observe(s: ReturnType<typeof setup>, value: number, stepMs = 10_000): void {
  s.engine.record({ edgeId: "edge-1", metric: "latency", value });
  s.engine.evaluate();
  s.clock.advance(stepMs);
}

describe("alert state machine", () => {
  it("goes pending, then firing after `for`, then resolved", () => {
    const s = setup();
    observe(s, 700);
    expect(s.engine.alerts()[0]?.state).toBe("pending");
    observe(s, 700);
    observe(s, 700);
    expect(s.engine.alerts()[0]?.state).toBe("pending");
    observe(s, 700); // 30 s after it became active
    expect(s.engine.alerts()[0]).toMatchObject({ state: "firing", severity: "warning", firedAt: 30_000 });
    observe(s, 100);
    expect(s.engine.alerts()).toEqual([]);
    expect(s.engine.alerts({ state: "resolved" })[0]).toMatchObject({ resolvedAt: 40_000 });
    expect(s.sent.map((n) => [n.kind, n.alert.severity, n.at])).toEqual([
      ["firing", "warning", 30_000],
      ["resolved", "warning", 40_000],
    ]);
  });

  it("drops a pending alert silently when the condition clears before `for`", () => {
    const s = setup();
    observe(s, 700);
    observe(s, 100);
    expect(s.engine.alerts({ includeResolved: true })).toEqual([]);
    expect(s.sent).toEqual([]);
  });

  it("fires an escalation at once, even within the cooldown, and never repeats a severity", () => {
    const s = setup({ forMs: 0, cooldownMs: 600_000 });
    observe(s, 700);
    observe(s, 700);
    observe(s, 2500);
    observe(s, 2500);
    observe(s, 1200); // de-escalation: no notification
    observe(s, 2500); // critical again in the same episode: no duplicate
    expect(s.sent.map((n) => [n.kind, n.alert.severity, n.at])).toEqual([
      ["firing", "warning", 0],
      ["firing", "critical", 20_000],
    ]);
  });

  it("holds back the same severity within its cooldown but not a higher one", () => {
    const s = setup({ forMs: 0, cooldownMs: 60_000 });
    observe(s, 700); // warning fires at 0
    observe(s, 100); // resolves at 10 s
    observe(s, 700); // warning again at 20 s: within cooldown, held back
    expect(s.engine.alerts()[0]?.state).toBe("firing");
    observe(s, 2500); // critical at 30 s: fires at once
    observe(s, 100); // resolves at 40 s
    observe(s, 700); // 50 s: warning still in cooldown (last notified at 0? no: 60 s not passed)
    observe(s, 700, 20_000); // 60 s: cooldown of warning (notified at 0) has passed -> fires
    expect(s.sent.map((n) => [n.kind, n.alert.severity, n.at])).toEqual([
      ["firing", "warning", 0],
      ["resolved", "warning", 10_000],
      ["firing", "critical", 30_000],
      ["resolved", "critical", 40_000],
      ["firing", "warning", 60_000],
    ]);
  });

  it("never suppresses an escalation past what this episode notified, even if that severity is in its own cooldown", () => {
    const s = setup({ forMs: 0, cooldownMs: 300_000 });
    observe(s, 2500); // critical fires at 0
    observe(s, 100); // resolved at 10 s
    observe(s, 700); // a new episode: warning at 20 s (warning never notified: fires)
    observe(s, 2500); // 30 s: critical again. Operators were last told "warning": this is an escalation
    expect(s.sent.map((n) => [n.kind, n.alert.severity, n.at])).toEqual([
      ["firing", "critical", 0],
      ["resolved", "critical", 10_000],
      ["firing", "warning", 20_000],
      ["firing", "critical", 30_000],
    ]);
  });

  it("resolves alerts whose series went stale", () => {
    const s = setup({ forMs: 0 });
    observe(s, 3000);
    s.clock.advance(120_000);
    s.engine.evaluate();
    expect(s.sent.map((n) => n.kind)).toEqual(["firing", "resolved"]);
  });

  it("sends no duplicate notifications and pairs every resolve with a firing (property)", async () => {
    const runs = simRuns(40);
    const base = simSeed(7);
    for (let r = 0; r < runs; r++) {
      await withSeed(base + r, (seed) => {
        fc.assert(
          fc.property(
            fc.array(fc.tuple(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 1_000, max: 40_000 })), { minLength: 1, maxLength: 80 }),
            fc.integer({ min: 0, max: 60_000 }),
            fc.integer({ min: 0, max: 120_000 }),
            (steps, forMs, cooldownMs) => {
              const s = setup({ forMs, cooldownMs });
              for (const [value, step] of steps) {
                observe(s, value, step);
                // Escalation is never suppressed: a firing alert never sits above what its episode notified.
                const alert = s.engine.alerts()[0];
                const lastResolve = s.sent.map((n) => n.kind).lastIndexOf("resolved");
                const told = s.sent.slice(lastResolve + 1).map((n) => rank(n.alert.severity));
                if (alert?.state === "firing" && told.length > 0) expect(rank(alert.severity)).toBeLessThanOrEqual(Math.max(...told));
              }
              let episodeSeverities = new Set<Severity>();
              let open = false;
              const lastBySeverity = new Map<Severity, number>();
              for (const n of s.sent) {
                if (n.kind === "firing") {
                  expect(episodeSeverities.has(n.alert.severity)).toBe(false);
                  const last = lastBySeverity.get(n.alert.severity);
                  // Within its cooldown a severity may repeat only as an escalation past what this episode notified.
                  const escalation = episodeSeverities.size > 0 && [...episodeSeverities].every((e) => rank(e) < rank(n.alert.severity));
                  if (last !== undefined && !escalation) expect(n.at - last).toBeGreaterThanOrEqual(cooldownMs);
                  lastBySeverity.set(n.alert.severity, n.at);
                  episodeSeverities.add(n.alert.severity);
                  open = true;
                } else {
                  expect(open).toBe(true);
                  open = false;
                  episodeSeverities = new Set();
                }
              }
            },
          ),
          { seed, numRuns: 10 },
        );
      });
    }
  });

  it("validates rules in full and refuses unknown metrics", () => {
    const s = setup();
    expect(() => s.engine.setThreshold({ metric: "latency", direction: "above", thresholds: { warning: 900, critical: 100 } })).toThrow(ValidationError);
    expect(() => s.engine.setThreshold({ metric: "latncy", direction: "above", thresholds: { warning: 1 } })).toThrow(/unknown metric type/);
    expect(() => s.engine.setThreshold({ metric: "latency", direction: "above", thresholds: {} })).toThrow(ValidationError);
  });

  it("ships operators' defaults (availability and cache hit rate alert below)", () => {
    const engine = new MonitoringEngine({ clock: new ManualClock(0) });
    const rules = Object.fromEntries(engine.alerting.listRules().map((r) => [r.metric, [r.direction, r.thresholds]]));
    expect(rules).toEqual({
      latency: ["above", { warning: 500, error: 1000, critical: 2000 }],
      error_rate: ["above", { warning: 5, error: 10, critical: 20 }],
      resource_usage: ["above", { warning: 70, error: 85, critical: 95 }],
      availability: ["below", { warning: 99, error: 95, critical: 90 }],
      cache_hit_rate: ["below", { warning: 70, error: 50, critical: 30 }],
    });
  });
});
