import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Clock } from "../../src/core/clock.js";
import { ManualClock } from "../../src/core/clock.js";
import { ValidationError } from "../../src/core/errors.js";
import { ClockSkewError } from "../../src/ordering/errors.js";
import { compareHlc, HybridLogicalClock, MAX_LOGICAL } from "../../src/ordering/hlc.js";
import type { HlcTimestamp } from "../../src/ordering/types.js";

/** A physical clock the test sets directly, including backwards jumps. */
class SettableClock implements Clock {
  constructor(public time = 0) {}
  now(): number {
    return this.time;
  }
  setTimer(): { id: number } {
    throw new Error("not used");
  }
  clearTimer(): void {}
}

describe("HybridLogicalClock", () => {
  it("now() is strictly monotonic whatever physical time does", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 200 }), (jumps) => {
        const physical = new SettableClock(1_000);
        const hlc = new HybridLogicalClock({ nodeId: "a", clock: physical });
        let previous = hlc.now();
        for (const jump of jumps) {
          physical.time = Math.max(0, physical.time + jump);
          const next = hlc.now();
          expect(compareHlc(previous, next)).toBeLessThan(0);
          expect(next.wall).toBeGreaterThanOrEqual(physical.time);
          previous = next;
        }
      }),
    );
  });

  it("happens-before implies a smaller timestamp across N clocks with drift, and logical stays bounded as in the paper", () => {
    type Step = { kind: "local" | "send" | "receive"; node: number; to: number; pick: number; advance: number };
    const step = fc.record({
      kind: fc.constantFrom<Step["kind"]>("local", "send", "receive"),
      node: fc.nat(),
      to: fc.nat(),
      pick: fc.nat(),
      advance: fc.integer({ min: 0, max: 3 }),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 5 }),
        fc.array(fc.integer({ min: -200, max: 200 }), { minLength: 5, maxLength: 5 }),
        fc.array(step, { minLength: 1, maxLength: 80 }),
        (n, drifts, steps) => {
          const maxDrift = 200;
          let trueTime = 10_000;
          const physical = drifts.slice(0, n).map((d) => new SettableClock(trueTime + d));
          const clocks = physical.map((clock, i) => new HybridLogicalClock({ nodeId: `n${i}`, clock, maxOffsetMs: 2 * maxDrift }));
          // Each event carries its timestamp and a vector clock for the true happens-before relation.
          const events: { ts: HlcTimestamp; vc: number[]; node: number }[] = [];
          const vcs = clocks.map(() => new Array<number>(n).fill(0));
          const inFlight: { to: number; ts: HlcTimestamp; vc: number[] }[] = [];
          const record = (node: number, ts: HlcTimestamp, merge?: number[]): number[] => {
            const vc = vcs[node] as number[];
            if (merge) for (let i = 0; i < n; i++) vc[i] = Math.max(vc[i] as number, merge[i] as number);
            vc[node] = (vc[node] as number) + 1;
            events.push({ ts, vc: vc.slice(), node });
            return vc.slice();
          };
          for (const s of steps) {
            trueTime += s.advance;
            physical.forEach((p, i) => (p.time = trueTime + (drifts[i] as number)));
            const node = s.node % n;
            const clock = clocks[node] as HybridLogicalClock;
            if (s.kind === "local") record(node, clock.now());
            else if (s.kind === "send") {
              const ts = clock.now();
              inFlight.push({ to: s.to % n, ts, vc: record(node, ts) });
            } else if (inFlight.length > 0) {
              const [message] = inFlight.splice(s.pick % inFlight.length, 1);
              if (message === undefined) continue;
              const receiver = clocks[message.to] as HybridLogicalClock;
              record(message.to, receiver.update(message.ts), message.vc);
            }
          }
          const happensBefore = (a: number[], b: number[]): boolean => a.every((x, i) => x <= (b[i] as number)) && a.some((x, i) => x < (b[i] as number));
          for (const f of events) {
            // Paper, theorem 1 and 2: wall never exceeds the largest physical clock, within the drift of true time.
            expect(f.ts.wall - trueTime).toBeLessThanOrEqual(maxDrift);
            let sameWallBefore = 0;
            for (const e of events) {
              if (!happensBefore(e.vc, f.vc)) continue;
              expect(compareHlc(e.ts, f.ts)).toBeLessThan(0);
              if (e.ts.wall === f.ts.wall) sameWallBefore++;
            }
            // Paper, theorem 3: c.f = k > 0 implies k events happened before f with the same l.
            expect(f.ts.logical).toBeLessThanOrEqual(sameWallBefore);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("rejects a remote timestamp beyond the maximum offset and leaves the clock untouched", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: -1000, max: 5000 }), fc.nat(MAX_LOGICAL), (maxOffsetMs, lead, logical) => {
        const physical = new SettableClock(100_000);
        const hlc = new HybridLogicalClock({ nodeId: "local", clock: physical, maxOffsetMs });
        hlc.now();
        const before = hlc.last();
        const remote = { wall: physical.time + lead, logical, nodeId: "remote" };
        if (lead > maxOffsetMs) {
          expect(() => hlc.update(remote)).toThrow(ClockSkewError);
          expect(hlc.last()).toEqual(before);
        } else {
          const received = hlc.update(remote);
          expect(compareHlc(remote, received)).toBeLessThan(0);
          expect(compareHlc(before, received)).toBeLessThan(0);
        }
      }),
    );
  });

  it("defaults the maximum offset to 500 ms and reports the skew", () => {
    const clock = new ManualClock(1_000);
    const hlc = new HybridLogicalClock({ nodeId: "local", clock });
    expect(hlc.maxOffsetMs).toBe(500);
    hlc.update({ wall: 1_500, logical: 0, nodeId: "remote" });
    const error = (() => {
      try {
        hlc.update({ wall: 1_501, logical: 0, nodeId: "remote" });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ClockSkewError);
    expect((error as ClockSkewError).skewMs).toBe(501);
    expect((error as ClockSkewError).code).toBe("ordering.clock_skew");
  });

  it("on logical overflow moves wall forward by 1 ms instead of exceeding 16 bits", () => {
    const physical = new SettableClock(5_000);
    const hlc = new HybridLogicalClock({ nodeId: "a", clock: physical });
    let previous = hlc.now();
    for (let i = 0; i < MAX_LOGICAL + 10; i++) {
      const next = hlc.now();
      expect(next.logical).toBeLessThanOrEqual(MAX_LOGICAL);
      if (compareHlc(previous, next) >= 0) throw new Error(`not increasing at ${i}`);
      previous = next;
    }
    expect(previous).toEqual({ wall: 5_001, logical: 9, nodeId: "a" });
    // A received timestamp at the top of the counter overflows the same way.
    const received = hlc.update({ wall: 5_001, logical: MAX_LOGICAL, nodeId: "b" });
    expect(received).toEqual({ wall: 5_002, logical: 0, nodeId: "a" });
    // Physical time catching up resets the counter.
    physical.time = 6_000;
    expect(hlc.now()).toEqual({ wall: 6_000, logical: 0, nodeId: "a" });
  });

  it("validates node ids, options and remote timestamps", () => {
    const clock = new ManualClock(0);
    for (const nodeId of ["", "has space", "é", "x".repeat(129)]) {
      expect(() => new HybridLogicalClock({ nodeId, clock })).toThrow(ValidationError);
    }
    expect(() => new HybridLogicalClock({ nodeId: "a", clock, maxOffsetMs: -1 })).toThrow(/maxOffsetMs/);
    const hlc = new HybridLogicalClock({ nodeId: "a", clock });
    const bad = { wall: 1.5, logical: 70_000, nodeId: "" } as HlcTimestamp;
    try {
      hlc.update(bad);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues.map((i) => i.path)).toEqual(["remote.wall", "remote.logical", "remote.nodeId"]);
    }
    for (const value of [null, undefined, "ts"]) expect(() => hlc.update(value as never)).toThrow(ValidationError);
    expect(hlc.last()).toEqual({ wall: 0, logical: 0, nodeId: "a" });
  });
});
