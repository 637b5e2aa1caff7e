import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Random } from "../../src/core/random.js";
import { ValidationError } from "../../src/core/errors.js";

describe("Random", () => {
  it("same seed, same stream; different seeds, different streams", () => {
    const a = new Random(7);
    const b = new Random(7);
    const c = new Random(8);
    const sa = Array.from({ length: 20 }, () => a.nextUint32());
    const sb = Array.from({ length: 20 }, () => b.nextUint32());
    const sc = Array.from({ length: 20 }, () => c.nextUint32());
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
  });

  it("state round-trips", () => {
    const a = new Random("seed");
    a.float();
    const b = Random.fromState(a.state());
    expect(Array.from({ length: 10 }, () => b.float())).toEqual(Array.from({ length: 10 }, () => a.float()));
  });

  it("property: int stays within bounds", () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 0, max: 1000 }), (seed, min, span) => {
        const r = new Random(seed);
        for (let i = 0; i < 20; i++) {
          const x = r.int(min, min + span);
          expect(x).toBeGreaterThanOrEqual(min);
          expect(x).toBeLessThanOrEqual(min + span);
        }
      }),
    );
  });

  it("int is close to uniform (chi-square on 10 buckets)", () => {
    const r = new Random(123);
    const counts = new Array<number>(10).fill(0);
    const n = 100_000;
    for (let i = 0; i < n; i++) { const k = r.int(0, 9); counts[k] = (counts[k] ?? 0) + 1; }
    const expected = n / 10;
    const chi = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    // 9 degrees of freedom: p = 0.001 critical value is 27.88.
    expect(chi).toBeLessThan(27.88);
  });

  it("shuffle is a permutation and leaves its input alone", () => {
    const r = new Random(1);
    const input = [1, 2, 3, 4, 5, 6, 7, 8];
    const out = r.shuffle(input);
    expect([...out].sort((x, y) => x - y)).toEqual(input);
    expect(input).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("forks are deterministic and independent of later parent draws", () => {
    const p1 = new Random(5);
    const p2 = new Random(5);
    const f1 = p1.fork("net");
    const f2 = p2.fork("net");
    p1.float();
    expect(f1.nextUint32()).toBe(f2.nextUint32());
    expect(new Random(5).fork("a").nextUint32()).not.toBe(new Random(5).fork("b").nextUint32());
  });

  it("rejects bad arguments with typed errors", () => {
    const r = new Random(1);
    expect(() => r.pick([])).toThrow(ValidationError);
    expect(() => r.int(5, 1)).toThrow(ValidationError);
    expect(() => r.bool(2)).toThrow(ValidationError);
    expect(() => new Random(Number.NaN)).toThrow(ValidationError);
  });
});
