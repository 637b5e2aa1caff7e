import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { drfAllocate, type DrfDemand } from "../../src/resources/drf.js";
import { ResourcePool } from "../../src/resources/pool.js";
import { fcParams } from "./fc.js";

const capacityArb = fc.record({ cpu: fc.integer({ min: 1, max: 12 }), mem: fc.integer({ min: 1, max: 12 }) });
const demandsArb = fc
  .array(fc.record({ cpu: fc.integer({ min: 0, max: 4 }), mem: fc.integer({ min: 0, max: 4 }) }).filter((d) => d.cpu + d.mem > 0), { minLength: 1, maxLength: 3 })
  .map((ds) => ds.map((perTask, i): DrfDemand => ({ requester: `u${i}`, perTask })));

/** Tasks of `d` that a bundle can run. */
function tasksWith(bundle: { cpu: number; mem: number }, d: { cpu: number; mem: number }): number {
  const limits = [d.cpu > 0 ? Math.floor(bundle.cpu / d.cpu) : Infinity, d.mem > 0 ? Math.floor(bundle.mem / d.mem) : Infinity];
  return Math.min(...limits);
}

function perTask(d: DrfDemand): { cpu: number; mem: number } {
  return { cpu: d.perTask["cpu"] ?? 0, mem: d.perTask["mem"] ?? 0 };
}

describe("DRF (progressive filling) properties, checked by brute force on small cases", () => {
  it("reproduces the paper's example: <1 CPU, 4 GB> and <3 CPU, 1 GB> on <9 CPU, 18 GB> give 3 and 2 tasks", () => {
    const result = drfAllocate({ cpu: 9, mem: 18 }, [
      { requester: "A", perTask: { cpu: 1, mem: 4 } },
      { requester: "B", perTask: { cpu: 3, mem: 1 } },
    ]);
    expect(result.tasks).toEqual({ A: 3, B: 2 });
    expect(result.dominantShares["A"]).toBeCloseTo(2 / 3);
    expect(result.dominantShares["B"]).toBeCloseTo(2 / 3);
  });

  it("Pareto efficiency: no feasible allocation gives someone more tasks without giving anyone fewer", () => {
    fc.assert(
      fc.property(capacityArb, demandsArb, (capacity, demands) => {
        const { tasks } = drfAllocate(capacity, demands);
        const n = demands.length;
        const got = demands.map((d) => tasks[d.requester] ?? 0);
        const bound = 13;
        const search = (i: number, counts: number[]): boolean => {
          if (i === n) {
            const used = counts.reduce((acc, c, k) => ({ cpu: acc.cpu + c * perTask(demands[k] as DrfDemand).cpu, mem: acc.mem + c * perTask(demands[k] as DrfDemand).mem }), { cpu: 0, mem: 0 });
            if (used.cpu > capacity.cpu || used.mem > capacity.mem) return false;
            return counts.some((c, k) => c > (got[k] ?? 0));
          }
          for (let c = got[i] ?? 0; c <= bound; c++) if (search(i + 1, [...counts, c])) return true;
          return false;
        };
        expect(search(0, [])).toBe(false);
      }),
      fcParams(200),
    );
  });

  // Whole tasks make the continuous guarantees hold up to one task (Ghodsi et al. discuss discrete
  // demands): a user can fall short of its 1/n slice only when another user holds more than 1/n of a
  // resource it needs, and holds it only by that user's last task.
  it("sharing incentive (up to one task): a user short of its 1/n slice is blocked by someone over 1/n of a resource by at most their last task", () => {
    fc.assert(
      fc.property(capacityArb, demandsArb, (capacity, demands) => {
        const { tasks, free } = drfAllocate(capacity, demands);
        const n = demands.length;
        for (const d of demands) {
          const slice = { cpu: capacity.cpu / n, mem: capacity.mem / n };
          if ((tasks[d.requester] ?? 0) >= tasksWith(slice, perTask(d))) continue;
          const blocking = (["cpu", "mem"] as const).filter((r) => perTask(d)[r] > (free[r] ?? 0));
          expect(blocking.length).toBeGreaterThan(0);
          const explained = blocking.some((r) =>
            demands.some((o) => {
              if (o === d) return false;
              const held = (tasks[o.requester] ?? 0) * perTask(o)[r];
              return held > capacity[r] / n && held - perTask(o)[r] <= capacity[r] / n + 1e-9;
            }),
          );
          expect(explained).toBe(true);
        }
      }),
      fcParams(300),
    );
  });

  it("envy-freeness (up to one task): no user could run more tasks with another user's bundle, less one of its tasks, than with its own", () => {
    fc.assert(
      fc.property(capacityArb, demandsArb, (capacity, demands) => {
        const { tasks } = drfAllocate(capacity, demands);
        for (const i of demands) {
          for (const j of demands) {
            if (i === j) continue;
            const t = Math.max(0, (tasks[j.requester] ?? 0) - 1);
            const bundle = { cpu: t * perTask(j).cpu, mem: t * perTask(j).mem };
            expect(tasksWith(bundle, perTask(i))).toBeLessThanOrEqual(tasks[i.requester] ?? 0);
          }
        }
      }),
      fcParams(300),
    );
  });

  it("the pool's fair_share batch grants exactly what DRF progressive filling computes", () => {
    fc.assert(
      fc.property(capacityArb, demandsArb, (capacity, demands) => {
        const expected = drfAllocate(capacity, demands).tasks;
        const pool = new ResourcePool(
          {
            strategy: "fair_share",
            resources: [
              { name: "cpu", kind: "cpu", unit: "cores" },
              { name: "mem", kind: "memory", unit: "GiB" },
            ],
            edges: [{ edgeId: "e", capacity }],
          },
          { clock: new ManualClock(0) },
        );
        const requests = demands.flatMap((d) => Array.from({ length: 30 }, () => ({ requester: d.requester, resources: d.perTask })));
        const results = pool.allocateFair(requests);
        for (const d of demands) {
          const granted = results.filter((r) => r.ok && r.allocation.requester === d.requester).length;
          expect(granted).toBe(Math.min(30, expected[d.requester] ?? 0));
        }
      }),
      fcParams(60),
    );
  });
});
