import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { ResourcePool } from "../../src/resources/pool.js";
import type { AllocationStrategy } from "../../src/resources/types.js";
import { fcParams } from "./fc.js";

const RESOURCES = ["cpu", "memory", "gpu"] as const;
const STRATEGIES: AllocationStrategy[] = ["first_fit", "best_fit", "worst_fit", "round_robin", "priority", "fair_share"];

const edgesArb = fc.array(
  fc.record({ cpu: fc.integer({ min: 0, max: 16 }), memory: fc.integer({ min: 0, max: 64 }), gpu: fc.integer({ min: 0, max: 2 }) }),
  { minLength: 1, maxLength: 4 },
);
const ratioArb = fc.record({ cpu: fc.constantFrom(1, 1.5, 2), memory: fc.constantFrom(1, 1.25), gpu: fc.constant(1) });
const requestArb = fc.record({
  requester: fc.constantFrom("a", "b", "c"),
  cpu: fc.double({ min: 0, max: 8, noNaN: true }),
  memory: fc.double({ min: 0, max: 24, noNaN: true }),
  gpu: fc.integer({ min: 0, max: 1 }),
  priority: fc.integer({ min: 0, max: 3 }),
  preemptible: fc.boolean(),
  durationMs: fc.option(fc.integer({ min: 1, max: 5_000 }), { nil: undefined }),
  strategy: fc.constantFrom(...STRATEGIES),
});
const opArb = fc.oneof(
  requestArb.map((r) => ({ kind: "allocate" as const, r })),
  fc.nat(50).map((i) => ({ kind: "release" as const, i })),
  fc.integer({ min: 0, max: 3_000 }).map((ms) => ({ kind: "advance" as const, ms })),
  fc.record({ holder: fc.constantFrom("a", "b"), cpu: fc.integer({ min: 0, max: 4 }) }).map((r) => ({ kind: "reserve" as const, r })),
);

function build(edges: { cpu: number; memory: number; gpu: number }[], ratios: Record<string, number>, strategy: AllocationStrategy, clock: ManualClock): ResourcePool {
  return new ResourcePool(
    {
      strategy,
      resources: [
        { name: "cpu", kind: "cpu", unit: "cores" },
        { name: "memory", kind: "memory", unit: "GiB" },
        { name: "gpu", kind: "gpu", unit: "devices" },
      ],
      oversubscription: ratios,
      edges: edges.map((capacity, i) => ({ edgeId: `e${i}`, capacity })),
    },
    { clock },
  );
}

describe("ResourcePool properties", () => {
  it("never allocates beyond capacity × oversubscription, under every strategy, with expiries, releases, reservations and preemption", () => {
    fc.assert(
      fc.property(edgesArb, ratioArb, fc.constantFrom(...STRATEGIES), fc.array(opArb, { maxLength: 60 }), (edges, ratios, strategy, ops) => {
        const clock = new ManualClock(0);
        const pool = build(edges, ratios, strategy, clock);
        for (const op of ops) {
          if (op.kind === "allocate") {
            const { requester, cpu, memory, gpu, priority, preemptible, durationMs, strategy: s } = op.r;
            pool.tryAllocate({ requester, resources: { cpu, memory, gpu }, priority, preemptible, durationMs, strategy: s });
          } else if (op.kind === "release") {
            const live = pool.allocations();
            const victim = live[op.i % Math.max(1, live.length)];
            if (victim !== undefined) pool.release(victim.id);
          } else if (op.kind === "advance") clock.advance(op.ms);
          else {
            try {
              pool.reserve({ holder: op.r.holder, resources: { cpu: op.r.cpu }, durationMs: 2_000 });
            } catch {
              // refused: no room, nothing reserved
            }
          }
          const usage = pool.utilization();
          for (const edge of usage.edges) {
            const held = pool.allocations().filter((a) => a.edgeId === edge.edgeId);
            for (const r of RESOURCES) {
              const limit = edge.limit[r] ?? 0;
              expect((edge.allocated[r] ?? 0) + (edge.reserved[r] ?? 0)).toBeLessThanOrEqual(limit + 1e-9 * Math.max(1, limit));
              const sum = held.reduce((acc, a) => acc + (a.resources[r] ?? 0), 0);
              expect(Math.abs(sum - (edge.allocated[r] ?? 0))).toBeLessThanOrEqual(1e-9 * Math.max(1, sum));
            }
          }
        }
      }),
      fcParams(150),
    );
  });

  it("releasing an allocation restores the pool's numbers exactly", () => {
    fc.assert(
      fc.property(edgesArb, ratioArb, fc.constantFrom<AllocationStrategy>("first_fit", "best_fit", "worst_fit", "round_robin"), fc.array(requestArb, { maxLength: 20 }), requestArb, (edges, ratios, strategy, before, probe) => {
        const clock = new ManualClock(0);
        const pool = build(edges, ratios, strategy, clock);
        for (const r of before) pool.tryAllocate({ requester: r.requester, resources: { cpu: r.cpu, memory: r.memory, gpu: r.gpu }, strategy });
        const snapshot = JSON.stringify(pool.utilization());
        const result = pool.tryAllocate({ requester: probe.requester, resources: { cpu: probe.cpu, memory: probe.memory, gpu: probe.gpu } });
        if (result.ok) pool.release(result.allocation.id);
        expect(JSON.stringify(pool.utilization())).toBe(snapshot);
      }),
      fcParams(200),
    );
  });

  it("expiry frees an allocation exactly at grant time + duration on the clock", () => {
    fc.assert(
      fc.property(fc.array(fc.record({ at: fc.integer({ min: 0, max: 1_000 }), duration: fc.integer({ min: 1, max: 1_000 }) }), { minLength: 1, maxLength: 10 }), (plan) => {
        const clock = new ManualClock(0);
        const pool = build([{ cpu: 100, memory: 100, gpu: 0 }], { cpu: 1, memory: 1, gpu: 1 }, "first_fit", clock);
        const sorted = [...plan].sort((a, b) => a.at - b.at);
        const granted: { id: string; expiresAt: number }[] = [];
        for (const p of sorted) {
          clock.advanceTo(p.at);
          const { allocation } = pool.allocate({ requester: "x", resources: { cpu: 1 }, durationMs: p.duration });
          expect(allocation.expiresAt).toBe(p.at + p.duration);
          granted.push({ id: allocation.id, expiresAt: p.at + p.duration });
        }
        const checkpoints = [...new Set(granted.flatMap((g) => [g.expiresAt - 1, g.expiresAt]))].sort((a, b) => a - b);
        for (const t of checkpoints) {
          if (t < clock.now()) continue;
          clock.advanceTo(t);
          for (const g of granted) expect(pool.allocation(g.id) !== undefined).toBe(g.expiresAt > t);
        }
      }),
      fcParams(150),
    );
  });

  it("priority preemption evicts only preemptible allocations of strictly lower priority, and grants whenever evicting those would make room", () => {
    fc.assert(
      fc.property(edgesArb, fc.array(requestArb, { maxLength: 30 }), (edges, requests) => {
        const clock = new ManualClock(0);
        const pool = build(edges, { cpu: 1, memory: 1, gpu: 1 }, "priority", clock);
        for (const r of requests) {
          const live = pool.allocations();
          const amounts = { cpu: r.cpu, memory: r.memory, gpu: r.gpu };
          const result = pool.tryAllocate({ requester: r.requester, resources: amounts, priority: r.priority, preemptible: r.preemptible });
          if (result.ok) {
            for (const victim of result.preempted) {
              expect(victim.preemptible).toBe(true);
              expect(victim.priority).toBeLessThan(r.priority);
            }
          } else {
            // Refused: on no edge would evicting every eligible allocation make room.
            const usage = pool.utilization();
            for (const edge of usage.edges) {
              const evictable = live.filter((a) => a.edgeId === edge.edgeId && a.preemptible && a.priority < r.priority);
              const fitsAfter = RESOURCES.every((k) => {
                const need = amounts[k];
                if (need === 0) return true;
                const freed = evictable.reduce((acc, a) => acc + (a.resources[k] ?? 0), 0);
                return need <= (edge.free[k] ?? 0) + freed - 1e-9;
              });
              expect(fitsAfter).toBe(false);
            }
          }
        }
      }),
      fcParams(150),
    );
  });

  it("fair_share preemption only takes from requesters left at or above the asker's dominant share", () => {
    fc.assert(
      fc.property(edgesArb, fc.array(requestArb, { maxLength: 30 }), (edges, requests) => {
        const clock = new ManualClock(0);
        const pool = build(edges, { cpu: 1, memory: 1, gpu: 1 }, "fair_share", clock);
        for (const r of requests) {
          const result = pool.tryAllocate({ requester: r.requester, resources: { cpu: r.cpu, memory: r.memory, gpu: r.gpu } });
          if (!result.ok || result.preempted.length === 0) continue;
          const shares = pool.utilization().dominantShares;
          const mine = shares[r.requester] ?? 0;
          for (const victim of result.preempted) {
            expect(victim.requester).not.toBe(r.requester);
            expect(shares[victim.requester] ?? 0).toBeGreaterThanOrEqual(mine - 1e-12);
          }
        }
      }),
      fcParams(150),
    );
  });
});
