import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FAULT_STEPS_BETWEEN_WINDOWS, MAJORITY_WINDOW_MS, MAX_OUTAGE_MS, nemesisArbitrary } from "./sim/nemesis.js";

describe("nemesis schedules", () => {
  it("leave a majority window (a heal outlasting every outage) after every few fault steps, also across the cycle", () => {
    expect(MAJORITY_WINDOW_MS).toBeGreaterThan(MAX_OUTAGE_MS);
    fc.assert(
      fc.property(fc.constantFrom(3, 5), fc.integer({ min: 0, max: 1_000_000 }), (nodes, seed) => {
        const steps = fc.sample(nemesisArbitrary(nodes), { seed, numRuns: 1 })[0] ?? [];
        const isWindow = (i: number): boolean => {
          const s = steps[i % steps.length];
          return s !== undefined && s.action.kind === "heal" && s.durationMs >= MAJORITY_WINDOW_MS;
        };
        expect(isWindow(steps.length - 1)).toBe(true);
        for (let i = 0; i < steps.length; i++) {
          let run = 0;
          while (!isWindow(i + run)) run++;
          expect(run).toBeLessThanOrEqual(FAULT_STEPS_BETWEEN_WINDOWS);
        }
      }),
      { numRuns: 200 },
    );
  });
});
