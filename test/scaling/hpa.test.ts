import { describe, expect, it } from "vitest";
import { HpaAutoscaler, type PodSample } from "../../src/scaling/hpa.js";

const cpu = (target: number) => [{ name: "cpu", target: { type: "Utilization" as const, averageUtilization: target } }];
const pods = (...values: (number | undefined)[]): PodSample[] => values.map((value) => (value === undefined ? { ready: true } : { ready: true, value }));

describe("HpaAutoscaler against hand-computed Kubernetes scenarios", () => {
  it("desired = ceil(current × metric / target)", () => {
    const hpa = new HpaAutoscaler({ maxReplicas: 20, metrics: cpu(60) });
    // ratio 90 / 60 = 1.5 -> ceil(1.5 × 3) = 5
    expect(hpa.recommend(0, 3, { cpu: { pods: pods(90, 90, 90) } }).desired).toBe(5);
  });

  it("does nothing within the 0.1 tolerance, and acts just outside it", () => {
    const inside = new HpaAutoscaler({ metrics: cpu(60) });
    expect(inside.recommend(0, 3, { cpu: { pods: pods(65, 65, 65) } }).desired).toBe(3); // ratio 1.083
    const outside = new HpaAutoscaler({ metrics: cpu(60) });
    expect(outside.recommend(0, 3, { cpu: { pods: pods(67, 67, 67) } }).desired).toBe(4); // ratio 1.117 -> ceil(3.35)
  });

  it("missing metrics count as 0 % on a scale-up and as 100 % on a scale-down", () => {
    const up = new HpaAutoscaler({ metrics: cpu(50) });
    // ratio 2; with the missing pod at 0: 200 / 3 / 50 = 1.333 -> ceil(1.333 × 3) = 4
    expect(up.recommend(0, 3, { cpu: { pods: pods(100, 100, undefined) } }).proposed).toBe(4);
    const up2 = new HpaAutoscaler({ metrics: cpu(50) });
    // ratio 3 from the one pod with a metric; the three missing at 0 give 150 / 4 / 50 = 0.75, which reverses the direction -> keep 4
    expect(up2.recommend(0, 4, { cpu: { pods: pods(150, undefined, undefined, undefined) } }).proposed).toBe(4);
    const down = new HpaAutoscaler({ metrics: cpu(50) });
    // ratio 0.4; missing at 100 %: (20 + 20 + 100) / 3 / 50 = 0.933, within tolerance -> keep 3
    expect(down.recommend(0, 3, { cpu: { pods: pods(20, 20, undefined) } }).proposed).toBe(3);
  });

  it("unready pods count as 0 on a scale-up", () => {
    const hpa = new HpaAutoscaler({ metrics: cpu(50) });
    const samples: PodSample[] = [{ ready: true, value: 100 }, { ready: true, value: 100 }, { ready: false }];
    // 200 / 3 / 50 = 1.333 -> ceil(4) = 4
    expect(hpa.recommend(0, 3, { cpu: { pods: samples } }).proposed).toBe(4);
  });

  it("holds the highest recommendation of the 300 s scale-down stabilisation window", () => {
    const hpa = new HpaAutoscaler({ maxReplicas: 20, metrics: cpu(50) });
    expect(hpa.recommend(0, 10, { cpu: { pods: pods(...Array<number>(10).fill(50)) } }).desired).toBe(10);
    const low = pods(...Array<number>(10).fill(20)); // ratio 0.4 -> 4
    expect(hpa.recommend(15_000, 10, { cpu: { pods: low } })).toMatchObject({ proposed: 4, stabilized: 10, desired: 10 });
    expect(hpa.recommend(299_000, 10, { cpu: { pods: low } }).desired).toBe(10);
    expect(hpa.recommend(300_000, 10, { cpu: { pods: low } }).desired).toBe(4); // the 10 at t=0 left the window
  });

  it("a scale-up stabilisation window takes the lowest recent recommendation", () => {
    const hpa = new HpaAutoscaler({ maxReplicas: 20, metrics: cpu(50), behavior: { scaleUp: { stabilizationWindowSeconds: 60 } } });
    expect(hpa.recommend(0, 2, { cpu: { pods: pods(50, 50) } }).desired).toBe(2);
    expect(hpa.recommend(15_000, 2, { cpu: { pods: pods(150, 150) } }).desired).toBe(2); // min(2, 6)
    expect(hpa.recommend(61_000, 2, { cpu: { pods: pods(150, 150) } }).desired).toBe(6);
  });

  it("limits scale-up by the default policies (100 % or 4 pods per 15 s, the larger) from the period's start", () => {
    const hpa = new HpaAutoscaler({ maxReplicas: 100, metrics: cpu(10) });
    const hot = (n: number) => ({ cpu: { pods: pods(...Array<number>(n).fill(100)) } }); // ratio 10
    expect(hpa.recommend(0, 2, hot(2)).desired).toBe(6); // max(2 × 2, 2 + 4)
    expect(hpa.recommend(5_000, 6, hot(6)).desired).toBe(6); // period start still 2
    expect(hpa.recommend(16_000, 6, hot(6)).desired).toBe(12); // new period from 6: max(12, 10)
  });

  it("selectPolicy Min takes the smaller change, Disabled forbids the direction", () => {
    const min = new HpaAutoscaler({ maxReplicas: 100, metrics: cpu(10), behavior: { scaleUp: { selectPolicy: "Min" } } });
    expect(min.recommend(0, 2, { cpu: { pods: pods(100, 100) } }).desired).toBe(4); // min(4, 6)
    const disabled = new HpaAutoscaler({ metrics: cpu(50), behavior: { scaleDown: { selectPolicy: "Disabled", stabilizationWindowSeconds: 0 } } });
    expect(disabled.recommend(0, 5, { cpu: { pods: pods(5, 5, 5, 5, 5) } }).desired).toBe(5);
  });

  it("a pods-per-period scale-down policy removes at most that many", () => {
    const hpa = new HpaAutoscaler({ metrics: cpu(50), behavior: { scaleDown: { stabilizationWindowSeconds: 0, policies: [{ type: "Pods", value: 2, periodSeconds: 60 }] } } });
    expect(hpa.recommend(0, 8, { cpu: { pods: pods(...Array<number>(8).fill(5)) } }).desired).toBe(6);
    expect(hpa.recommend(30_000, 6, { cpu: { pods: pods(...Array<number>(6).fill(5)) } }).desired).toBe(6); // 2 already removed this minute
    expect(hpa.recommend(61_000, 6, { cpu: { pods: pods(...Array<number>(6).fill(5)) } }).desired).toBe(4);
  });

  it("Value targets, several metrics (largest wins), bounds, and no metric at all", () => {
    const hpa = new HpaAutoscaler({
      maxReplicas: 10,
      metrics: [
        { name: "queue", target: { type: "Value", value: 100 } },
        { name: "rps", target: { type: "AverageValue", averageValue: 50 } },
      ],
    });
    const r = hpa.recommend(0, 2, { queue: { value: 300 }, rps: { pods: pods(60, 60) } });
    expect(r.perMetric).toEqual({ queue: 6, rps: 3 });
    expect(r.desired).toBe(6);
    const none = new HpaAutoscaler({ minReplicas: 2 });
    expect(none.recommend(0, 1, {}).desired).toBe(2);
    expect(new HpaAutoscaler({ minReplicas: 1 }).recommend(0, 0, {}).desired).toBe(0);
    expect(() => new HpaAutoscaler({ minReplicas: 5, maxReplicas: 2 })).toThrow(/maxReplicas/);
  });
});
