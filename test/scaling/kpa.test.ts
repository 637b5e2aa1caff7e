import { describe, expect, it } from "vitest";
import { KpaAutoscaler } from "../../src/scaling/kpa.js";

/** Feeds `concurrency` once a second over [from, to) seconds. */
function feed(kpa: KpaAutoscaler, fromS: number, toS: number, concurrency: number): void {
  for (let s = fromS; s < toS; s++) kpa.observe(s * 1000, concurrency);
}

describe("KpaAutoscaler against hand-computed Knative scenarios (target 100 × 70 % = 70 per pod)", () => {
  it("stable mode: ceil(average concurrency over 60 s / 70)", () => {
    const kpa = new KpaAutoscaler();
    feed(kpa, 0, 60, 140);
    const r = kpa.scale(59_000, 2);
    expect(r.stableConcurrency).toBe(140);
    expect(r.panicking).toBe(false);
    expect(r.desired).toBe(2);
  });

  it("enters panic when the 6 s window needs ≥ 200 % of ready pods, and scales to the panic count", () => {
    const kpa = new KpaAutoscaler();
    feed(kpa, 0, 54, 70);
    feed(kpa, 54, 60, 350);
    const r = kpa.scale(59_000, 2);
    // panic window = 10 % of 60 s = 6 buckets of 350 -> ceil(350/70) = 5, and 5 / 2 = 2.5 ≥ 2.
    expect(r.panicConcurrency).toBe(350);
    // stable: (54 × 70 + 6 × 350) / 60 = 98 -> 2 pods.
    expect(r.stableConcurrency).toBe(98);
    expect(r.desiredStable).toBe(2);
    expect(r.panicking).toBe(true);
    expect(r.desired).toBe(5);
  });

  it("does not panic just below the threshold (needs 3 of 2 ready = 150 %)", () => {
    const kpa = new KpaAutoscaler();
    feed(kpa, 0, 60, 210);
    const r = kpa.scale(59_000, 2);
    expect(r.panicking).toBe(false);
    expect(r.desired).toBe(3);
  });

  it("never scales down while panicking, and leaves panic one full stable window after the last over-threshold tick", () => {
    const kpa = new KpaAutoscaler();
    feed(kpa, 0, 54, 70);
    feed(kpa, 54, 60, 350);
    expect(kpa.scale(59_000, 2).desired).toBe(5);
    // Burst over: back to 70; ready pods are now 5, the panic window needs 1 -> below threshold.
    feed(kpa, 60, 200, 70);
    for (let t = 61_000; t <= 119_000; t += 2_000) {
      const r = kpa.scale(t, 5);
      expect(r.panicking).toBe(true);
      expect(r.desired).toBe(5);
    }
    // Last over-threshold tick at 59 s: panic holds at 59 + 60 = 119 s (not strictly after) and ends after it.
    const exit = kpa.scale(121_000, 5);
    expect(exit.panicking).toBe(false);
    // stable window (62..121 s) is all 70 -> 1 pod, but at most floor(5 / 2) = 2 removed per step... 5 -> max(1, floor(5/2)=2).
    expect(exit.desired).toBe(2);
  });

  it("scales to zero after the stable window plus the 30 s grace period since the last request", () => {
    const kpa = new KpaAutoscaler();
    feed(kpa, 0, 100, 10); // last request in bucket 99 s
    expect(kpa.scale(158_000, 1).desired).toBe(1); // window 99..158 still holds bucket 99
    const idle = kpa.scale(159_000, 1); // window 100..159 is empty: decider says 0, grace starts
    expect(idle.stableConcurrency).toBe(0);
    expect(idle.desired).toBe(1);
    expect(kpa.scale(188_999, 1).desired).toBe(1);
    expect(kpa.scale(189_000, 1).desired).toBe(0); // 99 s + 60 s + 30 s
  });

  it("keeps one pod when scale to zero is disabled, and honours a longer pod retention period", () => {
    const off = new KpaAutoscaler({ enableScaleToZero: false });
    feed(off, 0, 10, 10);
    expect(off.scale(500_000, 1).desired).toBe(1);
    const retained = new KpaAutoscaler({ scaleToZeroPodRetentionMs: 120_000 });
    feed(retained, 0, 10, 10);
    expect(retained.scale(69_000, 1).desired).toBe(1); // decider says 0 at 9 + 60 = 69 s
    expect(retained.scale(188_999, 1).desired).toBe(1);
    expect(retained.scale(189_000, 1).desired).toBe(0);
  });

  it("limits scale-down to ready / maxScaleDownRate per step and scale-up to ready × maxScaleUpRate", () => {
    const down = new KpaAutoscaler();
    feed(down, 0, 60, 10);
    expect(down.scale(59_000, 10).desired).toBe(5);
    const up = new KpaAutoscaler({ maxScaleUpRate: 2 });
    feed(up, 0, 60, 700); // needs 10, but at most ceil(2 × 1) = 2
    expect(up.scale(59_000, 1).desired).toBe(2);
  });

  it("activation scale lifts a non-zero count, scale-down delay holds the highest recent count, min/max bound it", () => {
    const activation = new KpaAutoscaler({ activationScale: 3 });
    feed(activation, 0, 60, 10);
    expect(activation.scale(59_000, 0).desired).toBe(3);

    // 280 concurrent for 60 s, then 70: the raw count falls 4 -> 3 at 79 s (40 of 60 buckets at 280 make 210).
    const delayed = new KpaAutoscaler({ scaleDownDelayMs: 30_000, maxScaleDownRate: 100 });
    const raw = new KpaAutoscaler({ maxScaleDownRate: 100 });
    for (const k of [delayed, raw]) {
      feed(k, 0, 60, 280);
      feed(k, 60, 200, 70);
    }
    const history: { t: number; raw: number }[] = [];
    for (let t = 59_000; t <= 181_000; t += 2_000) {
      const r = raw.scale(t, 4).desired;
      history.push({ t, raw: r });
      const held = Math.max(...history.filter((h) => h.t > t - 30_000).map((h) => h.raw));
      expect(delayed.scale(t, 4).desired).toBe(held);
    }
    expect(history.find((h) => h.t === 79_000)?.raw).toBe(3);
    expect(history.find((h) => h.t === 77_000)?.raw).toBe(4);
    expect(delayed.scale(183_000, 4).desired).toBe(1);

    const bounded = new KpaAutoscaler({ minScale: 2, maxScale: 3 });
    feed(bounded, 0, 60, 700);
    expect(bounded.scale(59_000, 3).desired).toBe(3);
    expect(bounded.scale(1_000_000, 3).desired).toBe(2);
  });

  it("rejects bad settings and bad inputs with typed errors", () => {
    expect(() => new KpaAutoscaler({ stableWindowMs: 1000 })).toThrow(/stableWindowMs/);
    expect(() => new KpaAutoscaler({ minScale: 5, maxScale: 2 })).toThrow(/maxScale/);
    const kpa = new KpaAutoscaler();
    expect(() => kpa.observe(0, -1)).toThrow(/concurrency/);
    expect(() => kpa.scale(0, 1.5)).toThrow(/readyPods/);
  });
});
