import { describe, expect, it } from "vitest";
import { fixedKeepAlivePolicy, hybridWarmingPolicy, idleHistogramPolicy, idleTimePolicy, replayTrace, type Arrival } from "../../src/warming/index.js";

const MIN = 60_000;

describe("idle-time histogram policy (table)", () => {
  it.each([
    // name, idle times (minutes), mode, pre-warm (s), keep-alive (s)
    ["every 10 minutes, like clockwork", Array(20).fill(10), "histogram", 540, 726],
    ["bimodal 2 and 30 minutes", [...Array(10).fill(2), ...Array(10).fill(30)], "histogram", 108, 2046],
    ["back-to-back bursts", Array(30).fill(0.1), "histogram", 0, 66],
    ["spread evenly over 4 hours", Array.from({ length: 240 }, (_, i) => i + 0.5), "forecast", undefined, undefined],
    ["mostly beyond the range", Array(20).fill(300), "forecast", 0.85 * 300 * 60, 1.15 * 300 * 60],
    ["three samples", [1, 2, 1.5], "forecast", 0.85 * 90, 1.15 * 90],
    ["one sample", [7], "fixed", 0, 4 * 3600],
  ])("%s", (_name, minutes, mode, prewarmS, keepAliveS) => {
    const window = idleTimePolicy(minutes.map((m) => m * MIN));
    expect(window.mode).toBe(mode);
    if (prewarmS !== undefined) expect(window.prewarmMs / 1000).toBeCloseTo(prewarmS, 6);
    if (keepAliveS !== undefined) expect(window.keepAliveMs / 1000).toBeCloseTo(keepAliveS, 6);
    expect(window.keepAliveMs).toBeGreaterThanOrEqual(window.prewarmMs);
    expect(window.reason.length).toBeGreaterThan(10);
  });

  it("follows the paper's representativeness rule: CV of bin counts against the threshold", () => {
    const clustered = Array(12).fill(5 * MIN);
    expect(idleTimePolicy(clustered, { cvThreshold: 2 }).mode).toBe("histogram");
    expect(idleTimePolicy(clustered, { cvThreshold: 100 }).mode).toBe("forecast");
    expect(idleTimePolicy(clustered, { minSamples: 13 }).mode).toBe("forecast");
  });

  it("refuses bad settings", () => {
    expect(() => idleTimePolicy([1], { margin: 2 })).toThrow(/options\.margin/);
  });
});

describe("idle-time histogram in the replay (known answers)", () => {
  // A timer-triggered function: one 2-second run every 30 minutes, 100 times.
  const periodic: Arrival[] = Array.from({ length: 100 }, (_, i) => ({ at: i * 30 * MIN, serviceMs: 2000 }));

  it("a fixed 10-minute keep-alive starts every run cold", () => {
    const report = replayTrace(periodic, fixedKeepAlivePolicy(), { coldStartMs: 1000, tickMs: 10_000 });
    expect(report.coldStarts).toBe(100);
  });

  it("the histogram pre-warms before each run after learning the period: only the first two are cold", () => {
    const keepAlive = replayTrace(periodic, fixedKeepAlivePolicy(), { coldStartMs: 1000, tickMs: 10_000 });
    for (const policy of [idleHistogramPolicy(), hybridWarmingPolicy()]) {
      const report = replayTrace(periodic, policy, { coldStartMs: 1000, tickMs: 10_000 });
      expect(report.coldStarts).toBe(2);
      expect(report.warmInstanceSeconds).toBeLessThan(keepAlive.warmInstanceSeconds);
    }
  });
});
