import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { ResourceExhaustedError } from "../../src/resources/errors.js";
import { ResourcePoolManager } from "../../src/resources/manager.js";
import { ResourcePool } from "../../src/resources/pool.js";
import type { AllocationStrategy } from "../../src/resources/types.js";

function pool(strategy: AllocationStrategy, clock = new ManualClock(0)): ResourcePool {
  return new ResourcePool(
    {
      strategy,
      edges: [
        { edgeId: "small", capacity: { cpu: 4, memory: 4096 } },
        { edgeId: "large", capacity: { cpu: 16, memory: 16384 } },
        { edgeId: "medium", capacity: { cpu: 8, memory: 8192 } },
      ],
    },
    { clock },
  );
}

describe("ResourcePool strategies", () => {
  it("each strategy picks the edge it is named for", () => {
    const ask = { requester: "a", resources: { cpu: 2, memory: 1024 } };
    expect(pool("first_fit").allocate(ask).allocation.edgeId).toBe("small");
    expect(pool("best_fit").allocate(ask).allocation.edgeId).toBe("small");
    expect(pool("worst_fit").allocate(ask).allocation.edgeId).toBe("large");
    const rr = pool("round_robin");
    expect([1, 2, 3, 4].map(() => rr.allocate(ask).allocation.edgeId)).toEqual(["small", "large", "medium", "small"]);
    const best = pool("best_fit");
    best.allocate({ requester: "a", resources: { cpu: 3 }, edgeId: "small" });
    expect(best.allocate({ requester: "a", resources: { cpu: 6 } }).allocation.edgeId).toBe("medium");
  });

  it("priority evicts lower-priority preemptible allocations, never equal or non-preemptible ones", () => {
    const p = new ResourcePool({ strategy: "priority", edges: [{ edgeId: "e", capacity: { cpu: 4 } }] }, { clock: new ManualClock(0) });
    const low = p.allocate({ requester: "batch", resources: { cpu: 2 }, priority: 0 }).allocation;
    p.allocate({ requester: "pinned", resources: { cpu: 2 }, priority: 0, preemptible: false });
    const result = p.tryAllocate({ requester: "api", resources: { cpu: 2 }, priority: 5 });
    expect(result.ok && result.preempted.map((a) => a.id)).toEqual([low.id]);
    expect(p.tryAllocate({ requester: "x", resources: { cpu: 2 }, priority: 5 }).ok).toBe(false);
  });

  it("a refusal says what is short, by how much, and whether the pool is merely fragmented", () => {
    const p = pool("first_fit");
    const r = p.tryAllocate({ requester: "a", resources: { cpu: 30, memory: 1024 } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.explanation).toMatchObject({ reason: "no_capacity", closestEdgeId: "large", shortfalls: [{ resource: "cpu", unit: "cores", requested: 30, available: 16, shortBy: 14 }] });
    expect(r.explanation.message).toMatch(/cpu short by 14 cores/);
    p.allocate({ requester: "a", resources: { cpu: 12 }, edgeId: "large" });
    const fragmented = p.tryAllocate({ requester: "a", resources: { cpu: 10 } });
    expect(!fragmented.ok && fragmented.explanation.reason).toBe("fragmented");
    expect(() => p.allocate({ requester: "a", resources: { cpu: 100 } })).toThrow(ResourceExhaustedError);
  });

  it("oversubscription raises the limit per resource; reservations hold capacity for their holder only", () => {
    const clock = new ManualClock(0);
    const p = new ResourcePool({ oversubscription: { cpu: 2 }, edges: [{ edgeId: "e", capacity: { cpu: 4, memory: 100 } }] }, { clock });
    expect(p.tryAllocate({ requester: "a", resources: { cpu: 8 } }).ok).toBe(true);
    expect(p.tryAllocate({ requester: "a", resources: { memory: 101 } }).ok).toBe(false);
    const r = new ResourcePool({ edges: [{ edgeId: "e", capacity: { cpu: 4 } }] }, { clock });
    const reservation = r.reserve({ holder: "vip", resources: { cpu: 3 }, durationMs: 1_000 });
    expect(r.tryAllocate({ requester: "other", resources: { cpu: 2 } }).ok).toBe(false);
    const vip = r.allocate({ requester: "vip", resources: { cpu: 3 }, reservationId: reservation.id }).allocation;
    expect(r.reservation(reservation.id).remaining["cpu"]).toBe(0);
    r.release(vip.id);
    expect(r.reservation(reservation.id).remaining["cpu"]).toBe(3);
    expect(() => r.tryAllocate({ requester: "other", resources: { cpu: 1 }, reservationId: reservation.id })).toThrow(/held by "vip"/);
    clock.advance(1_000);
    expect(r.tryAllocate({ requester: "other", resources: { cpu: 4 } }).ok).toBe(true);
  });

  it("validation reports every problem and changes nothing", () => {
    const p = pool("first_fit");
    expect(() => p.tryAllocate({ requester: "a", resources: { cpu: 1, quantum: 1, qubits: 2 } })).toThrow(/resources\.quantum[\s\S]*resources\.qubits/);
    expect(() => p.tryAllocate({ requester: "a", resources: { cpu: -1 } })).toThrow(/resources\.cpu/);
    expect(p.allocations()).toEqual([]);
    expect(() => new ResourcePool({ edges: [{ edgeId: "x", capacity: {} }, { edgeId: "x", capacity: {} }] }, { clock: new ManualClock(0) })).toThrow(/listed twice/);
  });
});

describe("ResourcePoolManager", () => {
  it("packs by first-fit and best-fit decreasing, and measures utilisation and stranded capacity", () => {
    const manager = new ResourcePoolManager({ clock: new ManualClock(0) });
    manager.addPool({ name: "a", edges: [{ edgeId: "a1", capacity: { cpu: 10, memory: 10 } }] });
    manager.addPool({ name: "b", edges: [{ edgeId: "b1", capacity: { cpu: 6, memory: 10 } }] });
    const requests = [3, 5, 6, 1].map((cpu, i) => ({ requester: `r${i}`, resources: { cpu } }));
    const ffd = manager.pack(requests, "ffd");
    expect(ffd.order).toEqual([2, 1, 0, 3]);
    expect(ffd.placed.map((p) => `${p.index}@${p.allocation.edgeId}`)).toEqual(["2@a1", "1@b1", "0@a1", "3@a1"]);
    expect(manager.utilization().utilization["cpu"]).toBe(15 / 16);
    // a1 has no CPU left, so its 10 memory is stranded; b1 still has CPU.
    const stranded = manager.fragmentation();
    expect(stranded.perResource["memory"]?.stranded).toBe(10);
    expect(stranded.strandedFraction).toBe(0.25);

    const bfd = new ResourcePoolManager({ clock: new ManualClock(0) });
    bfd.addPool({ name: "a", edges: [{ edgeId: "big", capacity: { cpu: 10 } }, { edgeId: "snug", capacity: { cpu: 6 } }] });
    const packed = bfd.pack([{ requester: "x", resources: { cpu: 6 } }, { requester: "y", resources: { cpu: 9 } }], "bfd");
    expect(packed.placed.map((p) => p.allocation.edgeId)).toEqual(["big", "snug"]);
    expect(bfd.pack([{ requester: "z", resources: { cpu: 5 } }], "bfd").unplaced).toHaveLength(1);
    expect(() => bfd.addPool({ name: "a", edges: [] })).toThrow(/already exists/);
  });
});
