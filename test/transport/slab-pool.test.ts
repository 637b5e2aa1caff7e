import { describe, expect, it } from "vitest";
import { SlabPool, type TrimScheduler } from "../../src/transport/slab-pool.js";

/** A scheduler run by hand: `fire()` runs what is due, as a quiet period ending would. */
function manualScheduler(): { schedule: TrimScheduler; pending: () => number; fire: () => void } {
  let due: Array<() => void> = [];
  return {
    schedule: (_ms, run) => void due.push(run),
    pending: () => due.length,
    fire: () => {
      const now = due;
      due = [];
      for (const run of now) run();
    },
  };
}

const slabs = (pool: SlabPool, n: number): Buffer[] => Array.from({ length: n }, () => pool.take());

describe("SlabPool", () => {
  it("without burst options keeps at most maxKept idle slabs", () => {
    const pool = new SlabPool(64, 2);
    pool.release(slabs(pool, 5));
    expect(pool.idle).toBe(2);
  });

  it("keeps up to burstKept slabs after a burst, and goes back to maxKept once nothing was taken for a quiet period", () => {
    const timer = manualScheduler();
    const pool = new SlabPool(64, 2, { burstKept: 6, holdMs: 1000, schedule: timer.schedule });
    const burst = slabs(pool, 8);
    pool.release(burst);
    expect(pool.idle).toBe(6);
    expect(timer.pending()).toBe(1);
    // The next burst reuses the kept memory instead of allocating.
    const again = slabs(pool, 6);
    expect(new Set(again)).toEqual(new Set(burst.slice(0, 6)));
    pool.release(again);
    // Taken from since the trim was scheduled: still in use, so the trim waits another period.
    timer.fire();
    expect(pool.idle).toBe(6);
    expect(timer.pending()).toBe(1);
    timer.fire();
    expect(pool.idle).toBe(2);
    expect(timer.pending()).toBe(0);
  });

  it("schedules no trim while it holds no more than maxKept", () => {
    const timer = manualScheduler();
    const pool = new SlabPool(64, 4, { burstKept: 8, holdMs: 1000, schedule: timer.schedule });
    pool.release(slabs(pool, 3));
    expect([pool.idle, timer.pending()]).toEqual([3, 0]);
  });

  it("takes back only whole slabs of its own size", () => {
    const pool = new SlabPool(64, 4);
    pool.release([Buffer.allocUnsafeSlow(32), Buffer.allocUnsafeSlow(128).subarray(64), Buffer.allocUnsafeSlow(64)]);
    expect(pool.idle).toBe(1);
  });
});
