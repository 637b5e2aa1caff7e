import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KeyRegister } from "../../src/ordering/conflicts.js";
import type { HlcTimestamp, OrderingEvent } from "../../src/ordering/types.js";
import { ABSENT, DeliveredWindow } from "../../src/ordering/window.js";
import { simRuns, simSeed, withSeed } from "../support/sim.js";

const hlc = (wall: number): HlcTimestamp => ({ wall, logical: 0, nodeId: "a" });

describe("DeliveredWindow", () => {
  it("property: remembers exactly the last `capacity` ids, each with its own timestamp and vector clock", async () => {
    await withSeed(simSeed(11), (seed) => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 6000 }), (capacity, width, adds) => {
          const window = new DeliveredWindow(capacity, width);
          const vcOf = (n: number): number[] => Array.from({ length: width }, (_, i) => n * 7 + i);
          for (let n = 0; n < adds; n++) window.add(`id-${n}`, hlc(n), vcOf(n));
          expect(window.size).toBe(Math.min(capacity, adds));
          // Probe the boundary and a spread of ids on both sides of it.
          const first = Math.max(0, adds - capacity);
          for (const n of [first - 1, first, first + 1, adds - 1, adds, Math.floor(first / 2), Math.floor((first + adds) / 2)]) {
            if (n < 0) continue;
            const slot = window.slotOf(`id-${n}`);
            if (n < first || n >= adds) {
              expect(slot).toBe(ABSENT);
              continue;
            }
            expect(window.hlcAt(slot)).toEqual(hlc(n));
            const vc = new Array<number>(width).fill(0);
            window.joinInto(vc, slot);
            expect(vc).toEqual(vcOf(n));
          }
        }),
        { seed, numRuns: simRuns(60) },
      );
    });
  });

  it("joins component-wise, never lowering a component", () => {
    const window = new DeliveredWindow(4, 3);
    window.add("x", hlc(1), [5, 1, 9]);
    const vc = [2, 4, 9];
    window.joinInto(vc, window.slotOf("x"));
    expect(vc).toEqual([5, 4, 9]);
  });
});

describe("KeyRegister eviction", () => {
  it("property: tracks exactly the `maxKeys` most recently written keys, however often keys are rewritten", async () => {
    await withSeed(simSeed(12), (seed) => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 3000 }), (maxKeys, writes) => {
          const register = new KeyRegister<number>({ kind: "last-writer-wins" }, maxKeys);
          const recent: number[] = [];
          writes.forEach((k, i) => {
            const event: OrderingEvent<number> = { id: `e${i}`, origin: "a", seq: i + 1, hlc: hlc(i), deps: [], key: `k${k}`, payload: i };
            // Each write has seen all earlier ones: no conflicts, only supersession.
            register.apply(event, `k${k}`, [i + 1]);
            const at = recent.indexOf(k);
            if (at >= 0) recent.splice(at, 1);
            recent.push(k);
          });
          const expected = recent.slice(-maxKeys);
          expect(register.size).toBe(expected.length);
          for (const k of expected) expect(register.get(`k${k}`)?.value).toBe(writes.lastIndexOf(k));
          for (let k = 0; k <= 20; k++) if (!expected.includes(k)) expect(register.get(`k${k}`)).toBeUndefined();
        }),
        { seed, numRuns: simRuns(100) },
      );
    });
  });
});
